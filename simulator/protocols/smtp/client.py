"""A scripted SMTP client as a sans-I/O state machine.

It runs whole sessions by itself: greeting -> EHLO (HELO fallback) -> STARTTLS
per policy -> EHLO -> AUTH -> for each message MAIL/RCPT.../DATA -> QUIT.
Replies are matched to commands by counting (RFC 2920 §3.1), never by text.
`results` keeps the final outcome per message and recipient, so a queue can
retry (4xx) or bounce (5xx); a failure before a message's MAIL (greeting,
STARTTLS, AUTH...) leaves it without results and sets `session_failure`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from simulator.protocols.errors import LocalProtocolError, RemoteProtocolError
from simulator.protocols.smtp import _sasl
from simulator.protocols.smtp._events import (
    ClientAuthFailed,
    CommandSent,
    DataSent,
    Event,
    MessageResult,
    RecipientResult,
    ReplyReceived,
    SessionClosed,
    StartTLSReady,
)
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp._framing import encode_data
from simulator.protocols.smtp._reading import MAX_REPLY_BYTES, read_line, reply_of, whole_replies
from simulator.protocols.smtp._state import CLIENT_STATE_FOR_COMMAND, ClientState
from simulator.protocols.smtp.replies import Reply

if TYPE_CHECKING:
    from simulator.protocols.smtp._events_more import SessionFailed

AuthFailed = ClientAuthFailed  # the brief's name for the client-side event

COMMAND_LINE_MAX = 512  # RFC 5321 §4.5.3.1.4

# Outcomes the client makes up itself (no server reply to quote).
STARTTLS_NOT_OFFERED = R.STARTTLS_NOT_OFFERED
CONNECTION_LOST = R.CONNECTION_LOST


class TLSPolicy(Enum):
    NONE = "none"  # never STARTTLS
    OPPORTUNISTIC = "opportunistic"  # STARTTLS if advertised, else plaintext (port 25)
    REQUIRE_STARTTLS = "require-starttls"  # no STARTTLS, no credentials or mail (587)
    IMPLICIT = "implicit"  # TLS done by the driver before the greeting (465)


@dataclass(frozen=True)
class OutgoingMessage:
    """A message the client is to send: envelope and content."""

    mail_from: str  # "" for the null sender <>
    recipients: tuple[str, ...]
    content: bytes


@dataclass(frozen=True)
class SMTPClientConfig:
    """How the client behaves: its EHLO name, TLS policy and login."""

    helo_name: str
    tls: TLSPolicy
    username: str | None = None
    password: str | None = None
    auth_mechanism: str = "PLAIN"
    pipelining: bool = False
    send_size: bool = True


class RecipientOutcome(NamedTuple):
    """The final reply for one recipient; unpacks as (code, enhanced, text)."""

    code: int
    enhanced: str | None
    text: str

    @property
    def delivered(self) -> bool:
        return 200 <= self.code < 300

    @property
    def is_transient(self) -> bool:
        return 400 <= self.code < 500

    @property
    def is_permanent(self) -> bool:
        return self.code >= 500


@dataclass
class _Pending:
    """A command sent and not yet answered."""

    command: str  # key into CLIENT_STATE_FOR_COMMAND
    address: str = ""


@dataclass
class _Transaction:
    """The message transaction in flight."""

    index: int
    pipelined: bool
    mail_ok: bool | None = None
    next_rcpt: int = 0
    accepted: list[str] = field(default_factory=list)
    final: Reply | None = None  # decides MessageResult once the transaction is over
    empty_data: bool = False  # sent a lone "." after an unexpected 354 (RFC 2920 §3.1)


class SMTPClient:
    """Delivers `messages` in one session, driven by the server's replies."""

    def __init__(self, config: SMTPClientConfig, messages: Sequence[OutgoingMessage]) -> None:
        self.config = config
        self.messages = tuple(messages)
        self._check_inputs()
        self.tls_active = config.tls is TLSPolicy.IMPLICIT
        self.capabilities: dict[str, str] = {}  # EHLO keyword -> its parameters
        self.esmtp = False
        self.authenticated = False
        self.closed = False
        # Per message, recipient -> final outcome; empty if its MAIL was never sent.
        self.results: list[dict[str, RecipientOutcome]] = [{} for _ in self.messages]
        self.message_results: list[MessageResult | None] = [None for _ in self.messages]
        self.session_failure: SessionFailed | None = None
        self.auth_failed = False  # the server refused our credentials
        self.tls_unavailable = False  # STARTTLS was wanted but not offered, or refused
        self._wire = [encode_data(m.content) for m in self.messages]
        self._pending: deque[_Pending] = deque([_Pending("GREETING")])
        self._buf = bytearray()
        self._partial: list[tuple[int, str]] = []
        self._out = bytearray()
        self._events: list[Event] = []
        self._tls_wait = False
        self._starttls_tried = False
        self._index = 0
        self._tx: _Transaction | None = None
        self._auth_mechanism = ""
        self._auth_step = 0
        self._auth_later: str | None = None

    def _check_inputs(self) -> None:
        # Refuse anything that could inject a line into the command stream or break a path.
        texts = [self.config.helo_name]
        for m in self.messages:
            if not m.recipients:
                raise LocalProtocolError("a message needs at least one recipient")
            texts += [m.mail_from, *m.recipients]
        if any(c in t for t in texts for c in "\r\n\x00<>"):
            raise LocalProtocolError("CR, LF, NUL, < or > in helo_name or an address")
        if not self.config.helo_name or " " in self.config.helo_name:
            raise LocalProtocolError("helo_name must be one non-empty word")
        # Credentials travel base64-encoded; only NUL would break the PLAIN message.
        if "\x00" in (self.config.username or "") + (self.config.password or ""):
            raise LocalProtocolError("NUL in username or password")

    # --- public API --------------------------------------------------------------------------

    @property
    def state(self) -> ClientState:
        if self.closed:
            return ClientState.CLOSED
        if self._tls_wait:
            return ClientState.TLS_HANDSHAKE
        if self._pending:
            return CLIENT_STATE_FOR_COMMAND[self._pending[0].command]
        return ClientState.READY

    def receive_data(self, data: bytes) -> list[Event]:
        if self.closed:
            return []
        if self._tls_wait:
            raise LocalProtocolError("TLS handshake pending: call tls_established() first")
        if not self._buf and not self._partial and type(data) is bytes:
            parsed = whole_replies(data)  # replies heard before: parsed once (see _reading)
            if parsed is not None:
                return self._receive_parsed(data, parsed)
        self._buf += data
        try:
            while not self.closed and not self._tls_wait:
                reply = self._next_reply()
                if reply is None:
                    break
                self._on_reply(*reply)
        except RemoteProtocolError as exc:
            # The server broke the reply syntax: give up on it as on a lost connection.
            self._abort("protocol", R.protocol_error(exc))
        if self._tls_wait:
            # Plaintext after the 220 to STARTTLS must not be trusted (response injection).
            self._buf.clear()
        return self._take_events()

    def _receive_parsed(self, data: bytes, parsed: tuple[tuple[Reply, tuple[str, ...], int], ...]) -> list[Event]:
        """receive_data() for a chunk of whole replies already parsed: the same steps, without re-reading it."""
        start = 0
        try:
            for reply, lines, end in parsed:
                if self.closed or self._tls_wait:
                    break
                start = end  # taken off the buffer before it is acted on, as _next_reply does
                self._on_reply(reply, lines)
        except RemoteProtocolError as exc:
            self._buf += data[start:]
            self._abort("protocol", R.protocol_error(exc))
        else:
            self._buf += data[start:]
        if self._tls_wait:
            self._buf.clear()
        return self._take_events()

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def tls_established(self) -> list[Event]:
        """The driver finished the handshake: forget the old EHLO answer, say EHLO again.

        Returns the events this causes (the CommandSent for the new EHLO).
        """
        if not self._tls_wait:
            raise LocalProtocolError("tls_established() without a 220 to STARTTLS")
        self._tls_wait = False
        self.tls_active = True
        self.capabilities = {}  # RFC 3207 §4.2
        self.esmtp = False
        self._send(f"EHLO {self.config.helo_name}", "EHLO")
        return self._take_events()

    def connection_lost(self) -> list[Event]:
        """The connection dropped: a transaction in flight gets 451 (RFC 5321 §3.8)."""
        if self.closed:
            return []
        if [p.command for p in self._pending] == ["QUIT"]:
            self._close()  # only the QUIT answer is missing: nothing lost
        else:
            self._abort("connection", CONNECTION_LOST)
        return self._take_events()

    # --- plumbing ----------------------------------------------------------------------------

    def _take_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def _send(self, line: str, command: str, address: str = "") -> None:
        self._out += line.encode("utf-8") + b"\r\n"
        self._pending.append(_Pending(command, address))
        self._events.append(CommandSent(line))

    def _next_reply(self) -> tuple[Reply, tuple[str, ...]] | None:
        """Take one complete (possibly multi-line) reply off the buffer."""
        while True:
            lf = self._buf.find(b"\n")
            if lf < 0:
                if len(self._buf) > MAX_REPLY_BYTES:
                    raise RemoteProtocolError("reply line too long")
                return None
            raw = self._buf[: lf + 1].decode("utf-8", "replace")  # as parse_reply_line would
            del self._buf[: lf + 1]
            code, last = read_line(raw, self._partial)
            if last:
                break
        partial, self._partial = self._partial, []
        return reply_of(code, partial)

    def _on_reply(self, reply: Reply, lines: tuple[str, ...]) -> None:
        pending = self._pending.popleft() if self._pending else None
        command = pending.command if pending else "UNSOLICITED"
        self._events.append(ReplyReceived(reply.code, reply.enhanced, lines, command))
        if reply.code == 421:
            if command == "QUIT":
                return self._close()  # all done anyway
            # The server is closing (RFC 5321 §3.8): no QUIT, the open transaction is transient.
            return self._abort(command.lower(), reply)
        if pending is None:
            raise RemoteProtocolError(f"unexpected reply {reply.code}")
        _REPLY_HANDLERS[pending.command](self, reply, pending)

    def _close(self) -> None:
        self.closed = True
        self._pending.clear()
        self._events.append(SessionClosed())

    def _quit(self) -> None:
        self._send("QUIT", "QUIT")

    # --- outcomes ----------------------------------------------------------------------------

    def _outcome(self, index: int, address: str, reply: Reply) -> None:
        if address in self.results[index]:
            return  # the first final outcome stands
        outcome = RecipientOutcome(reply.code, reply.enhanced, reply.message)
        self.results[index][address] = outcome
        self._events.append(RecipientResult(index, address, *outcome))

    def _finish(self, index: int, reply: Reply, accepted: bool) -> None:
        if self.message_results[index] is not None:
            return
        for address in self.messages[index].recipients:
            self._outcome(index, address, reply)
        result = MessageResult(index, reply.code, reply.enhanced, reply.message, accepted)
        self.message_results[index] = result
        self._events.append(result)

    def _fail(self, stage: str, reply: Reply) -> None:
        """The session cannot carry (more) mail.

        Only the transaction in flight (if any) gets `reply` as its outcome;
        messages whose MAIL was never sent keep no result, so a queue can tell
        "this server answered" from "never got that far" (and try the next MX).
        """
        from simulator.protocols.smtp._events_more import SessionFailed
        failure = SessionFailed(stage, reply.code, reply.message, reply.enhanced)
        self.session_failure = failure
        self._events.append(failure)
        if self._tx is not None:
            self._finish(self._tx.index, reply, False)
        self._tx = None
        self._index = len(self.messages)

    def _abort(self, stage: str, reply: Reply) -> None:
        self._fail(stage, reply)
        self._close()

    # --- session setup -----------------------------------------------------------------------

    def _on_greeting(self, reply: Reply, pending: _Pending) -> None:
        if reply.code == 220:
            return self._send(f"EHLO {self.config.helo_name}", "EHLO")
        self._fail("greeting", reply)  # e.g. 554: the server waits for our QUIT (§3.1)
        self._quit()

    def _on_ehlo(self, reply: Reply, pending: _Pending) -> None:
        if reply.is_completion:
            self.esmtp = True
            self.capabilities = {}
            for text in reply.text_lines[1:]:
                keyword, _, params = text.strip().partition(" ")
                if keyword:
                    self.capabilities[keyword.upper()] = params.strip()
            return self._after_hello()
        if reply.is_permanent:
            return self._send(f"HELO {self.config.helo_name}", "HELO")  # RFC 5321 §3.2 fallback
        self._fail("ehlo", reply)
        self._quit()

    def _on_helo(self, reply: Reply, pending: _Pending) -> None:
        if reply.is_completion:
            self.esmtp = False
            self.capabilities = {}
            return self._after_hello()
        self._fail("helo", reply)
        self._quit()

    def _after_hello(self) -> None:
        policy = self.config.tls
        if not self.tls_active and not self._starttls_tried and policy in (
            TLSPolicy.OPPORTUNISTIC,
            TLSPolicy.REQUIRE_STARTTLS,
        ):
            if "STARTTLS" in self.capabilities:
                self._starttls_tried = True
                return self._send("STARTTLS", "STARTTLS")
            if policy is TLSPolicy.REQUIRE_STARTTLS:
                self.tls_unavailable = True
                from simulator.protocols.smtp._events_more import TLSUnavailable
                self._events.append(TLSUnavailable())
                self._fail("starttls", STARTTLS_NOT_OFFERED)
                return self._quit()
        if self.config.username is not None and not self.authenticated:
            mechanism = self._choose_mechanism()
            if mechanism:
                return self._start_auth(mechanism)
        self._next_message()

    def _on_starttls(self, reply: Reply, pending: _Pending) -> None:
        if reply.code == 220:
            self._tls_wait = True
            self._events.append(StartTLSReady())
            return
        self.tls_unavailable = True
        from simulator.protocols.smtp._events_more import TLSUnavailable
        self._events.append(TLSUnavailable())
        if self.config.tls is TLSPolicy.REQUIRE_STARTTLS:
            self._fail("starttls", reply)
            return self._quit()
        self._after_hello()  # opportunistic: go on in plaintext (RFC 3207 §4)

    def _choose_mechanism(self) -> str | None:
        offered = self.capabilities.get("AUTH", "").upper().split()
        preferred = self.config.auth_mechanism.upper()
        for mechanism in (preferred, *_sasl.MECHANISMS):
            if mechanism in offered and mechanism in _sasl.MECHANISMS:
                return mechanism
        return None  # not offered: go on; the server says 530 if it needs a login

    def _start_auth(self, mechanism: str) -> None:
        self._auth_mechanism = mechanism
        self._auth_step = 0
        self._auth_later = None
        if mechanism == "PLAIN":
            response = _sasl.plain_response(self.config.username or "", self.config.password or "")
            line = f"AUTH PLAIN {response}"
            # RFC 4954 §4: no initial response if it would make the line too long.
            if len(line) + 2 <= COMMAND_LINE_MAX:
                return self._send(line, "AUTH")
            self._auth_later = response
            return self._send("AUTH PLAIN", "AUTH")
        self._send("AUTH LOGIN", "AUTH")

    def _on_auth(self, reply: Reply, pending: _Pending) -> None:
        if reply.code == 334:
            return self._send(self._auth_continuation(), "AUTH")
        if reply.code == 235:
            self.authenticated = True
            return self._next_message()
        self.auth_failed = True
        self._events.append(ClientAuthFailed(reply))
        self._fail("auth", reply)
        self._quit()

    def _auth_continuation(self) -> str:
        step = self._auth_step
        self._auth_step += 1
        if self._auth_mechanism == "PLAIN":
            if step == 0 and self._auth_later is not None:
                return self._auth_later
        elif step == 0:
            return _sasl.b64(self.config.username or "")
        elif step == 1:
            return _sasl.b64(self.config.password or "")
        return "*"  # a challenge we cannot answer: cancel (RFC 4954 §4)

    # --- mail transactions -------------------------------------------------------------------

    def _next_message(self) -> None:
        if self._index >= len(self.messages):
            return self._quit()
        index = self._index
        message = self.messages[index]
        pipelined = self.config.pipelining and "PIPELINING" in self.capabilities
        self._tx = _Transaction(index, pipelined)
        line = f"MAIL FROM:<{message.mail_from}>"
        if self.config.send_size and "SIZE" in self.capabilities:
            line += f" SIZE={self._wire[index][1]}"
        if "8BITMIME" in self.capabilities and not message.content.isascii():
            line += " BODY=8BITMIME"
        self._send(line, "MAIL")
        if pipelined:
            # RFC 2920 §3.1: MAIL and RCPT anywhere in a group, DATA last.
            for address in message.recipients:
                self._send_rcpt(address)
            self._send("DATA", "DATA")

    def _send_rcpt(self, address: str) -> None:
        assert self._tx is not None
        self._tx.next_rcpt += 1
        self._send(f"RCPT TO:<{address}>", "RCPT", address)

    def _end_transaction(self, reply: Reply, accepted: bool) -> None:
        assert self._tx is not None
        self._finish(self._tx.index, reply, accepted)
        self._tx = None
        self._index += 1
        self._next_message()

    def _on_mail(self, reply: Reply, pending: _Pending) -> None:
        tx = self._tx
        assert tx is not None
        tx.mail_ok = reply.is_completion
        if not tx.mail_ok:
            tx.final = reply
            for address in self.messages[tx.index].recipients:
                self._outcome(tx.index, address, reply)
            if not tx.pipelined:
                self._end_transaction(reply, False)  # no transaction is open: no RSET
            return
        if not tx.pipelined:
            self._send_rcpt(self.messages[tx.index].recipients[0])

    def _on_rcpt(self, reply: Reply, pending: _Pending) -> None:
        tx = self._tx
        assert tx is not None
        if tx.mail_ok:
            if reply.is_completion:
                tx.accepted.append(pending.address)
            else:
                tx.final = reply
                self._outcome(tx.index, pending.address, reply)
        if tx.pipelined:
            return  # the DATA reply is already on its way
        recipients = self.messages[tx.index].recipients
        if tx.next_rcpt < len(recipients):
            return self._send_rcpt(recipients[tx.next_rcpt])
        if tx.accepted:
            return self._send("DATA", "DATA")
        self._send("RSET", "RSET")  # nobody accepted: close the open transaction

    def _on_data(self, reply: Reply, pending: _Pending) -> None:
        tx = self._tx
        assert tx is not None
        if reply.code == 354:
            if tx.mail_ok and tx.accepted:
                wire, size = self._wire[tx.index]
                self._out += wire
                self._pending.append(_Pending("DATA-END"))
                self._events.append(DataSent(tx.index, size))
            else:
                # RFC 2920 §3.1: DATA accepted although no recipient was: send a lone dot.
                tx.empty_data = True
                self._out += b".\r\n"
                self._pending.append(_Pending("DATA-END"))
            return
        for address in tx.accepted:
            self._outcome(tx.index, address, reply)
        if tx.mail_ok:
            tx.final = tx.final if not tx.accepted and tx.final else reply
            return self._send("RSET", "RSET")  # RFC 2920 §3.1: DATA rejected -> RSET
        self._end_transaction(tx.final or reply, False)

    def _on_data_end(self, reply: Reply, pending: _Pending) -> None:
        tx = self._tx
        assert tx is not None
        if tx.empty_data:
            return self._end_transaction(tx.final or reply, False)
        for address in tx.accepted:
            self._outcome(tx.index, address, reply)
        self._end_transaction(reply, reply.is_completion)

    def _on_rset(self, reply: Reply, pending: _Pending) -> None:
        tx = self._tx
        assert tx is not None
        self._end_transaction(tx.final or reply, False)

    def _on_quit(self, reply: Reply, pending: _Pending) -> None:
        self._close()


# The handler of each command's reply ("DATA-END" -> _on_data_end), looked up once here rather
# than by name on every reply.
_REPLY_HANDLERS: dict[str, Callable[[SMTPClient, Reply, _Pending], None]] = {
    name[len("_on_"):].upper().replace("_", "-"): handler
    for name, handler in vars(SMTPClient).items() if name.startswith("_on_") and name != "_on_reply"
}
