"""SMTP lines and what they mean (RFC 5321 and its extensions)."""

from __future__ import annotations

import re
from collections import deque

from simulator.trace.narrate import Line
from simulator.trace.narrate._cut import Cutter, shown
from simulator.trace.narrate.checks import reply_meaning

_CAPABILITIES: dict[str, tuple[str, str]] = {
    "STARTTLS": (
        "The server offers STARTTLS: the client may upgrade this same connection to TLS.",
        "RFC 3207 §4",
    ),
    "SIZE": ("SIZE: the largest message, in bytes, the server accepts; a client can declare its size up front.", "RFC 1870 §4"),
    "PIPELINING": ("PIPELINING: the client may send several commands without waiting for each reply.", "RFC 2920 §3"),
    "8BITMIME": ("8BITMIME: message text may contain 8-bit bytes, not only 7-bit ASCII.", "RFC 6152 §2"),
    "ENHANCEDSTATUSCODES": (
        "ENHANCEDSTATUSCODES: replies carry a second, finer code such as 2.1.5 or 5.1.1.",
        "RFC 2034 §3",
    ),
    "AUTH": (
        "AUTH lists the login mechanisms. PLAIN and LOGIN send the password merely base64-encoded, so sites "
        "SHOULD NOT allow them without TLS (RFC 4954 §4) and RFC 8314 wants TLS for all submission: this "
        "server offers AUTH only after STARTTLS or on implicit TLS. That is policy, not part of the AUTH syntax.",
        "RFC 4954 §3",
    ),
    "DSN": ("DSN: the client may ask for delivery status notifications per recipient.", "RFC 3461 §4"),
    "SMTPUTF8": ("SMTPUTF8: addresses and headers may be UTF-8.", "RFC 6531 §3.1"),
    "CHUNKING": ("CHUNKING: the message may be sent in BDAT chunks instead of DATA.", "RFC 3030 §2"),
}

_COMMANDS: dict[str, tuple[str, str]] = {
    "EHLO": (
        "The client introduces itself by name and asks for the extended (ESMTP) features the server supports.",
        "RFC 5321 §4.1.1.1",
    ),
    "HELO": ("The client introduces itself the old way: no extensions will be listed.", "RFC 5321 §4.1.1.1"),
    "STARTTLS": (
        "The client asks to upgrade this connection to TLS. After the handshake, everything learned "
        "before is forgotten and the session starts again with EHLO.",
        "RFC 3207 §4",
    ),
    "MAIL": (
        "MAIL FROM starts a transaction and gives the envelope sender (the return path): bounces go "
        "there. It need not match the From: header a person sees.",
        "RFC 5321 §4.1.1.2",
    ),
    "RCPT": (
        "RCPT TO names one envelope recipient. The envelope, not the To: header, decides where mail goes.",
        "RFC 5321 §4.1.1.3",
    ),
    "DATA": ("DATA: the client is ready to send the message itself (headers and body).", "RFC 5321 §4.1.1.4"),
    "RSET": ("RSET abandons the current transaction; the connection stays open.", "RFC 5321 §4.1.1.5"),
    "VRFY": ("VRFY asks whether a mailbox exists; servers rarely tell (it helps spammers).", "RFC 5321 §3.5.3"),
    "EXPN": ("EXPN asks to expand a mailing list; usually disabled.", "RFC 5321 §3.5.3"),
    "NOOP": ("NOOP does nothing; the server just answers 250 (a keep-alive).", "RFC 5321 §4.1.1.9"),
    "QUIT": ("QUIT: the client is done; the server answers 221 and closes.", "RFC 5321 §4.1.1.10"),
    "AUTH": ("", "RFC 4954 §4"),
}

_REPLY_LINE = re.compile(r"^(\d{3})([ -])(?:(\d\.\d{1,3}\.\d{1,3}) )?(.*)$")
# The reverse-path itself, not a "<>" anywhere on the line (RFC 5321 §4.1.1.2).
_NULL_PATH = re.compile(r"^MAIL FROM: ?<>(?: |$)", re.IGNORECASE)
_SIZE_PARAM = re.compile(r" SIZE=\d+(?: |$)", re.IGNORECASE)


# What the narrator keeps of each piece: the server's own limits (RFC 5321 §4.5.3.1.4, RFC 4954 §4),
# and as much of a message as the trace shows.
COMMAND_KEPT = 512
AUTH_KEPT = 12288
REPLY_KEPT = 512  # RFC 5321 §4.5.3.1.5
CONTENT_KEPT = 65536


def _content_line(content: str) -> Line:
    return Line(
        content,
        "The message itself: headers, a blank line, then the body. Lines that begin "
        "with a dot are sent with an extra dot (dot-stuffing).",
        "RFC 5321 §4.5.2",
        content=True,
    )


_END_OF_DATA = Line(
    ".",
    "A line holding only a dot (CRLF.CRLF) ends the message. Nothing else may end it: "
    "bare LF or CR tricks are how SMTP smuggling works.",
    "RFC 5321 §4.1.1.4",
)


# A run narrates the same chunks thousands of times (a host's greeting and EHLO list, "STARTTLS",
# "250 2.1.0 Ok"): a chunk that starts and ends on a line boundary is narrated once for each state
# the narration depends on, and remembered with what it did to that state. Bounded: at most
# NARRATED_CACHED chunks of at most NARRATED_MAX_BYTES each; once full, new ones are narrated and
# not kept.
NARRATED_CACHED = 2048
_PENDING_MAX = 1024  # commands awaiting replies (a full deque drops its oldest: not replayable)
NARRATED_MAX_BYTES = 1024
_SERVER_NARRATED: dict[tuple[object, ...], tuple[tuple[Line, ...], int, bool, bool, bool]] = {}
_CLIENT_NARRATED: dict[tuple[object, ...], tuple[tuple[Line, ...], tuple[str, ...], bool, bool]] = {}


class SMTPNarrator:
    """Cuts one SMTP connection's bytes into lines, in both directions."""

    def __init__(self, *, submission: bool, client_is_mua: bool | None = None) -> None:
        self._submission = submission
        # A mail client on port 25 (set up to send straight to an MX): not a relaying MTA.
        self._client_is_mua = submission if client_is_mua is None else client_is_mua
        # Commands awaiting replies, in order (pipelining); bounded, for a client that never reads.
        self._pending: deque[str] = deque(maxlen=_PENDING_MAX)
        self._in_data = False
        self._auth_step = False
        self._reply_first = True
        self._size_declared = False
        self._cbuf = Cutter()
        self._sbuf = Cutter()

    # client -> server
    def client(self, data: bytes) -> list[Line]:
        if self._in_data or not self._cbuf.empty or type(data) is not bytes or len(data) > NARRATED_MAX_BYTES:
            return self._client(data)
        # Everything the narration of command lines reads: the state they start in, the bytes.
        key = (data, self._submission, self._client_is_mua, self._auth_step, self._size_declared)
        seen = _CLIENT_NARRATED.get(key)
        if seen is None:
            before = len(self._pending)
            out = self._client(data)
            if not self._cbuf.empty or self._in_data or len(_CLIENT_NARRATED) >= NARRATED_CACHED:
                return out
            verbs = tuple(self._pending)[before:] if len(self._pending) < _PENDING_MAX else None
            if verbs is not None and len(verbs) == len(out):  # one pending entry per command line
                _CLIENT_NARRATED[key] = (tuple(out), verbs, self._size_declared, self._auth_step)
            return out
        lines, verbs, self._size_declared, self._auth_step = seen
        self._pending.extend(verbs)
        return list(lines)

    def _client(self, data: bytes) -> list[Line]:
        # Lines end at LF, as the server reads them (it answers a bare LF with 500, RFC 5321 §2.3.8);
        # the message after 354 ends only at CRLF.CRLF.
        cut = self._cbuf
        cut.feed(data)
        out: list[Line] = []
        while True:
            if self._in_data:
                body = cut.body(CONTENT_KEPT)
                if body is None:
                    break
                out.append(_content_line(shown(body)))
                out.append(_END_OF_DATA)
                self._in_data = False
                self._pending.append("DATA-END")
                continue
            line = cut.line(AUTH_KEPT if self._auth_step else COMMAND_KEPT)
            if line is None:
                break
            out.append(self._command(shown(line)))
        return out

    def _command(self, text: str) -> Line:
        if self._auth_step:
            self._auth_step = False
            self._pending.append("AUTH-STEP")
            return Line(
                text,
                "The client answers the server's challenge, base64-encoded. Base64 is an encoding, "
                "not encryption: only TLS keeps this secret.",
                "RFC 4954 §4",
            )
        verb = text.split(" ", 1)[0].upper()
        self._pending.append(verb)
        if verb == "MAIL":
            self._size_declared = _SIZE_PARAM.search(text) is not None
        if verb == "MAIL" and _NULL_PATH.match(text):
            return Line(
                text,
                "MAIL FROM:<> is the null reverse-path: this message is a bounce or other notification, "
                "and no one may ever bounce it back, which is what prevents bounce loops.",
                "RFC 5321 §4.5.5",
            )
        if verb == "AUTH":
            mech = text.split(" ")[1].upper() if " " in text else ""
            explain = (
                f"The client logs in with the {mech} mechanism. "
                + (
                    "PLAIN sends \\0user\\0password in base64, which anyone could decode: that is why sites "
                    "SHOULD NOT accept it outside TLS (RFC 4954 §4)."
                    if mech == "PLAIN"
                    else "LOGIN asks for the username and password in two base64 steps."
                )
            )
            return Line(text, explain, "RFC 4954 §4" if mech != "PLAIN" else "RFC 4616 §2")
        explain, rfc = _COMMANDS.get(verb, ("A command this server does not know.", "RFC 5321 §4.2.4"))
        if verb == "EHLO":
            if self._submission:
                explain += " Here the client is the MUA, the user's mail program, talking to its MSA."
            elif self._client_is_mua:
                explain += (" Here a mail client (an MUA) talks straight to an MX on port 25, as a sending server "
                            "would: without a login, the MX takes only mail for its own domains.")
            else:
                explain += " Here one mail server is the client of another: the sending MTA relays to the receiving MTA."
        return Line(text, explain, rfc)

    # server -> client
    def server(self, data: bytes) -> list[Line]:
        pending = self._pending
        if not self._sbuf.empty or type(data) is not bytes or len(data) > NARRATED_MAX_BYTES or len(pending) > 8:
            return self._server(data)
        # Everything the narration of replies reads: the commands they answer, the state, the bytes.
        key = (data, self._submission, self._client_is_mua, tuple(pending), self._reply_first, self._size_declared,
               self._in_data, self._auth_step)
        seen = _SERVER_NARRATED.get(key)
        if seen is None:
            before = len(pending)
            out = self._server(data)
            if self._sbuf.empty and len(_SERVER_NARRATED) < NARRATED_CACHED:
                _SERVER_NARRATED[key] = (tuple(out), before - len(pending), self._reply_first, self._in_data,
                                         self._auth_step)
            return out
        lines, answered, self._reply_first, self._in_data, self._auth_step = seen
        for _ in range(answered):
            pending.popleft()
        return list(lines)

    def _server(self, data: bytes) -> list[Line]:
        self._sbuf.feed(data)
        out = []
        while (line := self._sbuf.line(REPLY_KEPT)) is not None:
            out.append(self._reply(shown(line)))
        return out

    def _reply(self, text: str) -> Line:
        match = _REPLY_LINE.match(text)
        if match is None:
            return Line(text, "A line that is not a well-formed SMTP reply.", "RFC 5321 §4.2")
        code, sep, enhanced, rest = int(match[1]), match[2], match[3], match[4]
        command = self._pending[0] if self._pending else ""
        first = self._reply_first
        last = sep == " "
        self._reply_first = last
        if last and self._pending:
            self._pending.popleft()
        if code == 354:
            self._in_data = True
        if code == 334:
            self._auth_step = True
        if command == "EHLO" and code == 250 and not first:
            keyword = (rest.split(" ", 1)[0]).upper()
            explain, rfc = _CAPABILITIES.get(keyword, (f"{keyword}: an extension the server supports.", "RFC 5321 §4.1.1.1"))
            return Line(text, explain, rfc)
        if not first:
            return Line(text, "A continuation line of the same reply.", "RFC 5321 §4.2.1")
        explain, rfc = _reply_meaning(code, enhanced, command, multiline=not last, size_declared=self._size_declared)
        if command in ("", "DATA-END") and code in (220, 250):
            explain = explain.replace("The server", "The MSA (submission server)" if self._submission
                                      else "The receiving MTA", 1)
        return Line(text, explain, rfc)


# What a positive reply means, by the command it answers; the code's own meaning
# is not repeated here: the player shows it decoded beside the explanation.
_POSITIVE: dict[str, str] = {
    "MAIL": "The server accepts the envelope sender; the transaction has begun.",
    "RCPT": "The server accepts this recipient.",
    "RSET": "The transaction is abandoned; the connection stays open for the next one.",
    "NOOP": "NOOP answered: the connection is alive.",
    "VRFY": "The server answers VRFY without confirming whether the mailbox exists.",
    "HELO": "The server accepts the greeting.",
    "AUTH-STEP": "The server accepts this step of the login.",
}


def _reply_meaning(code: int, enhanced: str | None, command: str, *, multiline: bool,
                   size_declared: bool) -> tuple[str, str]:
    # Replies are told apart by the command they answer and the codes they carry.
    detail = enhanced.split(".", 1)[1] if enhanced else ""
    if command == "" and code == 220:
        return (
            "The server greets the client and names itself. The client should wait for this greeting "
            "before it sends anything.",
            "RFC 5321 §4.3.1",
        )
    if command == "" and code == 421:
        return ("The server refuses service at the greeting and will close the connection: the client should "
                "try again later.", "RFC 5321 §3.8")
    if command == "" and code == 554:
        return ("The server refuses this client at the greeting; it will answer only QUIT.", "RFC 5321 §3.1")
    if command == "EHLO" and code == 250:
        return (
            "The server answers with its own name; the lines that follow list the extensions it offers."
            if multiline
            else "The server accepts the greeting.",
            "RFC 5321 §4.1.1.1",
        )
    if command == "STARTTLS" and code == 220:
        return (
            "The server agrees to start TLS. Both sides now run a TLS handshake on this same TCP "
            "connection; until it completes, nothing here is encrypted.",
            "RFC 3207 §4",
        )
    if command in ("AUTH", "AUTH-STEP") and code == 334:
        return ("The server asks for the next piece of the login (the text is base64).", "RFC 4954 §4")
    if command in ("AUTH", "AUTH-STEP") and code == 235:
        return ("Login accepted: this client may now submit mail.", "RFC 4954 §6")
    if command in ("AUTH", "AUTH-STEP") and code == 421:
        return ("Too many wrong passwords from this client's address: the server refuses every login from it "
                "for a while, even with the right password, and closes the connection. With a delay after each "
                "wrong password, this makes guessing passwords slow.", "RFC 5321 §3.8")
    if command in ("AUTH", "AUTH-STEP") and code == 535:
        return ("Login refused: wrong username or password. Permanent for these credentials: trying again "
                "with the same ones will not help.", "RFC 4954 §6")
    if code == 552 and (detail == "3.4" or (not enhanced and (size_declared or command == "DATA-END"))):
        return (
            "The message is over this server's size limit (the SIZE it announced after EHLO). RFC 1870 §6.1 "
            "reuses 552, which RFC 5321 calls \"exceeded storage allocation\", for this case: it is about the "
            "size of this message, not about the recipient's quota. Permanent: resending it will not help.",
            "RFC 1870 §6.1",
        )
    if command == "DATA-END" and code >= 400:
        refused = reply_meaning(code, detail, command)  # SPF and DMARC refuse after the final dot
        if refused is not None:
            return refused
    if code == 451 and detail == "7.1":
        return (
            "Greylisting: the server turns away, for now, a combination of client, sender and recipient it has "
            "not seen before. A real mail server keeps the message queued and tries again later, and then gets "
            "through; much spam software never retries.",
            "RFC 6647",
        )
    if command == "DATA" and code == 354:
        return ("Go ahead: send the message and end it with a line holding only a dot.", "RFC 5321 §4.1.1.4")
    if command == "DATA-END" and code == 250:
        return (
            "The server has taken the message: from this moment it is responsible for delivering it "
            "or for sending back a bounce.",
            "RFC 5321 §6.1",
        )
    if command == "QUIT" and code == 221:
        return ("The server says goodbye and closes the connection.", "RFC 5321 §4.1.1.10")
    if command == "MAIL" and code == 553 and detail == "7.1":
        return ("The submission server refuses this sender: a logged-in user may send only as an address of "
                "their own. Otherwise anyone with an account could send as anyone else, and the bounces of that "
                "mail would go to the person named (backscatter). Postfix calls this check "
                "reject_sender_login_mismatch.", "RFC 6409 §6.1")
    if command == "DATA-END" and code == 550 and detail == "7.1":
        return ("Refused after the data: the server will not take this message from this sender (X.7.1, not "
                "authorized). A submission server says so when the From: field names an address the logged-in "
                "user does not own.", "RFC 6409 §6.3")
    checked = reply_meaning(code, detail, command)  # reverse DNS, blocklists, relaying
    if checked is not None:
        return checked
    if command == "RCPT" and code == 550:
        return ("The server refuses this recipient, permanently: the sender must not retry it, and reports the "
                "failure back to whoever sent the message.", "RFC 5321 §4.2.3")
    if code >= 500:
        return ("Retrying the same thing will not help (a 5yz reply): the sender gives up on it and, for a "
                "message it has accepted, reports the failure back.", "RFC 5321 §4.2.1")
    if code >= 400:
        return ("Not now (a 4yz reply): the sender should keep the message and try again later.",
                "RFC 5321 §4.2.1")
    if code < 400 and command in _POSITIVE:
        return (_POSITIVE[command], "RFC 5321 §4.2")
    return (f"A positive reply{' to ' + command if command else ''}.", "RFC 5321 §4.2")
