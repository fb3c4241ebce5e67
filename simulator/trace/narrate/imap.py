"""IMAP lines and what they mean (RFC 3501, IMAP4rev1).

A server line is read by its form first (RFC 3501 §2.2.2): "+" is a command
continuation request, "*" an untagged response, anything else is tagged and
completes the client command with that tag. Only then is its content looked
at, so "a005 OK FETCH completed" is never mistaken for a FETCH response and
"* OK [UNSEEN 1]" never for a tagged OK.
"""

from __future__ import annotations

import re

from simulator.trace.narrate import Line
from simulator.trace.narrate._cut import Cutter, shown
from simulator.trace.narrate.imap_more import COMMANDS as _MORE_COMMANDS
from simulator.trace.narrate.imap_more import RESPONSE_CODES as _MORE_CODES
from simulator.trace.narrate.imap_more import ClientLiterals, continuation_meaning, untagged_meaning

_COMMANDS: dict[str, tuple[str, str]] = {
    "CAPABILITY": ("The client asks what this server supports.", "RFC 3501 §6.1.1"),
    "STARTTLS": ("The client asks to upgrade this connection to TLS before logging in.", "RFC 3501 §6.2.1"),
    "LOGIN": (
        "The client logs in with username and password, readable by anyone on the path unless TLS is on. "
        "A server must be able to refuse LOGIN on an unprotected connection (it then advertises "
        "LOGINDISABLED), and sites SHOULD run it that way, so port 143 normally takes LOGIN only after STARTTLS.",
        "RFC 3501 §6.2.3",
    ),
    "SELECT": ("The client opens a mailbox; the server reports how many messages it holds.", "RFC 3501 §6.3.1"),
    "SEARCH": ("The client asks which messages match: UNSEEN ones are the new mail.", "RFC 3501 §6.4.4"),
    "FETCH": (
        "The client downloads a message. BODY[] is the whole message; fetching it marks it \\Seen "
        "(BODY.PEEK[] would not).",
        "RFC 3501 §6.4.5",
    ),
    "LOGOUT": ("The client is done; the server says BYE and closes.", "RFC 3501 §6.1.3"),
    "NOOP": ("NOOP does nothing but lets the server report news.", "RFC 3501 §6.1.2"),
}
_COMMANDS.update({k: v for k, v in _MORE_COMMANDS.items() if k not in _COMMANDS})

_LITERAL = re.compile(rb"\{(\d+)\}$")
LINE_KEPT = 8192  # the server's own line limit (RFC 7162 section 4 asks servers to take 8192 octets)
RESPONSE_KEPT = 65536  # the server's lines (Dovecot's imap_max_line_length): room for a long FETCH line
CONTENT_KEPT = 65536  # as much of a literal as the trace shows
MAX_TAGS = 1024  # tags awaiting their completion: a client that never waits cannot grow this forever
# RFC 3501 §7.1: a status response may carry a response code in brackets.
_STATUS = re.compile(r"^(?P<status>OK|NO|BAD|PREAUTH|BYE)(?: \[(?P<code>[^\]]*)\])?(?: (?P<text>.*))?$", re.IGNORECASE)

_RESPONSE_CODES: dict[str, str] = {
    "UNSEEN": "message {arg} is the first one without the \\Seen flag",
    "UIDVALIDITY": "if this number ever changes, clients must forget the UIDs they cached",
    "UIDNEXT": "{arg} is the UID the next message to arrive will get",
    "PERMANENTFLAGS": "these are the flags the client may change and keep",
    "READ-WRITE": "the mailbox is open for reading and writing",
    "READ-ONLY": "the mailbox is open for reading only",
    "CAPABILITY": "the capability list, sent along so the client need not ask",
    "ALERT": "a message the client must show to the user",
    "TRYCREATE": "the target mailbox does not exist; creating it may help",
}
_RESPONSE_CODES.update({k: v for k, v in _MORE_CODES.items() if k not in _RESPONSE_CODES})

_TAGGED = {
    "OK": ("Tagged OK: the {verb} command with tag {tag} completed successfully.", "RFC 3501 §7.1.1"),
    "NO": ("Tagged NO: the {verb} command with tag {tag} was understood but failed.", "RFC 3501 §7.1.2"),
    "BAD": ("Tagged BAD: the {verb} command with tag {tag} was not valid here.", "RFC 3501 §7.1.3"),
}


class IMAPNarrator:
    def __init__(self) -> None:
        self._cbuf = Cutter()
        self._sbuf = Cutter()
        self._literal: int | None = None
        self._tags: dict[str, str] = {}  # tag -> the command it was sent with
        self._greeted = False
        self._client_literal = ClientLiterals()
        self._after_literal = False

    def client(self, data: bytes) -> list[Line]:
        cut = self._cbuf
        cut.feed(data)
        out = []
        while True:
            left = self._client_literal.left
            if left:  # the octets of a literal the client announced (APPEND's message)
                body, self._client_literal.left = cut.exactly(left, CONTENT_KEPT)
                if body is None:
                    break
                self._after_literal = True
                out.append(Line(shown(body).removesuffix("\r\n"), *ClientLiterals.explain(True), content=True))
                continue
            line = cut.line(LINE_KEPT)
            if line is None:
                break
            raw = line.data
            if not line.dropped:
                self._client_literal.announced(raw)
            if self._after_literal:  # the rest of the command after its literal
                self._after_literal = False
                if not raw:
                    continue
            text = shown(line)
            if text.upper() == "DONE":
                out.append(Line(text, "DONE ends IDLE (it has no tag): the client wants to send commands again.",
                                "RFC 2177 §3"))
                continue
            parts = text.split(" ", 3)
            verb = parts[1].upper() if len(parts) > 1 else ""
            if verb == "UID" and len(parts) > 2:
                verb = parts[2].upper()
            if verb and len(self._tags) < MAX_TAGS:
                self._tags[parts[0]] = verb
            explain, rfc = _COMMANDS.get(verb, ("A command the client sends, tagged so replies can be matched.", "RFC 3501 §2.2.1"))
            tagged = f"Tag {parts[0]}: {explain[:1].lower()}{explain[1:]}" if verb else explain
            out.append(Line(text, tagged, rfc))
        return out

    def server(self, data: bytes) -> list[Line]:
        cut = self._sbuf
        cut.feed(data)
        out = []
        while True:
            if self._literal is not None:
                body, self._literal = cut.exactly(self._literal, CONTENT_KEPT)
                if body is None:
                    break
                self._literal = None
                out.append(
                    Line(
                        shown(body).removesuffix("\r\n"),
                        "The message itself, sent as a literal: exactly the number of bytes announced by {n} "
                        "on the line before.",
                        "RFC 3501 §4.3",
                        content=True,
                    )
                )
                continue
            line = cut.line(RESPONSE_KEPT)
            if line is None:
                break
            literal = _LITERAL.search(line.data) if not line.dropped else None
            text = shown(line)
            explain, rfc = self._response_meaning(text, literal is not None)
            if literal:
                self._literal = int(literal[1])
            out.append(Line(text, explain, rfc))
        return out

    def _response_meaning(self, text: str, announces_literal: bool) -> tuple[str, str]:
        greeting = not self._greeted
        self._greeted = True
        if text.startswith("+"):
            return continuation_meaning(text) or (
                "A command continuation request (+): the server is ready for the rest of the command.",
                "RFC 3501 §7.5")
        if text.startswith(")"):
            return ("The rest of the untagged FETCH response, after the literal: the closing parenthesis.",
                    "RFC 3501 §7.4.2")
        tag, _, rest = text.partition(" ")
        if tag == "*":
            return _untagged(rest, greeting=greeting, announces_literal=announces_literal)
        status = _STATUS.match(rest)
        verb = self._tags.pop(tag, "")
        if status is None or status["status"].upper() not in _TAGGED:
            return ("A tagged line that is not a valid completion result (OK, NO or BAD).", "RFC 3501 §7.1")
        template, rfc = _TAGGED[status["status"].upper()]
        explain = template.format(verb=verb or "client's", tag=tag)
        code = _code_note(status["code"])
        return (explain + (f" Response code {code}." if code else ""), rfc)


def _untagged(rest: str, *, greeting: bool, announces_literal: bool) -> tuple[str, str]:
    head, _, tail = rest.partition(" ")
    upper = head.upper()
    more = untagged_meaning(upper, head, tail)
    if more is not None:
        return more
    status = _STATUS.match(rest)
    if status is not None:
        kind = status["status"].upper()
        code = _code_note(status["code"])
        if greeting and kind in ("OK", "PREAUTH", "BYE"):
            meaning = {
                "OK": "the server's greeting: an untagged OK, ready for commands (not yet logged in)",
                "PREAUTH": "the server's greeting: an untagged PREAUTH, already logged in",
                "BYE": "the server's greeting: an untagged BYE, it refuses the connection",
            }[kind]
            return (meaning[:1].upper() + meaning[1:] + (f". Response code {code}." if code else "."),
                    "RFC 3501 §7.1.1" if kind == "OK" else ("RFC 3501 §7.1.4" if kind == "PREAUTH" else "RFC 3501 §7.1.5"))
        if kind == "BYE":
            return ("An untagged BYE: the server is closing the connection.", "RFC 3501 §7.1.5")
        if code:
            return (f"An untagged {kind} (information, not the end of a command) that carries the response code {code}.",
                    "RFC 3501 §7.1")
        return (f"An untagged {kind}: information from the server, not the end of a command.", "RFC 3501 §7.1")
    if upper == "CAPABILITY":
        extra = (
            " LOGINDISABLED means: no LOGIN on this connection until STARTTLS."
            if "LOGINDISABLED" in tail.upper().split()
            else ""
        )
        return ("An untagged CAPABILITY response: what the server supports." + extra, "RFC 3501 §7.2.1")
    if upper == "FLAGS":
        return ("An untagged FLAGS response: the flags messages in this mailbox can carry.", "RFC 3501 §7.2.6")
    if upper == "SEARCH":
        return ("An untagged SEARCH response: the sequence numbers of the messages that match.", "RFC 3501 §7.2.5")
    if head.isdigit():
        what = tail.split(" ", 1)[0].upper()
        if what == "EXISTS":
            return ("An untagged EXISTS response: how many messages the mailbox holds.", "RFC 3501 §7.3.1")
        if what == "RECENT":
            return ("An untagged RECENT response: how many messages arrived since the last look.", "RFC 3501 §7.3.2")
        if what == "EXPUNGE":
            return (f"An untagged EXPUNGE response: message {head} was removed.", "RFC 3501 §7.4.1")
        if what == "FETCH":
            return (
                f"An untagged FETCH response: the data for message {head}."
                + (" The {n} at the end announces a literal: the next n bytes are the message itself."
                   if announces_literal else ""),
                "RFC 3501 §7.4.2",
            )
    return ("An untagged response: data from the server.", "RFC 3501 §7")


def _code_note(code: str | None) -> str:
    if not code:
        return ""
    name, _, arg = code.partition(" ")
    meaning = _RESPONSE_CODES.get(name.upper())
    # The capability list is on the line already; repeating it would only crowd the explanation.
    shown = "[CAPABILITY ...]" if name.upper() == "CAPABILITY" else f"[{code}]"
    return f"{shown}: {meaning.format(arg=arg)}" if meaning else shown
