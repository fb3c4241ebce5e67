"""The SMTP server as a sans-I/O state machine (RFC 5321, 3207, 4954, 1870, 2034, 2920).

Feed it bytes with `receive_data()`; it returns events and queues reply bytes
for `data_to_send()`. It never touches a socket or a clock; the app decides
about senders, recipients, credentials and messages through `ServerPolicy`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from simulator.protocols.common import AnswerPending, LoginGate, ShutdownReason
from simulator.protocols.errors import LocalProtocolError
from simulator.protocols.smtp import _sasl, _server_auth
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp._events import (
    CommandReceived,
    ConnectionClosed,
    Event,
    Hello,
    MailAccepted,
    MessageReceived,
    RecipientAccepted,
    ReplySent,
    StartTLSRequested,
)
from simulator.protocols.smtp._content import TEXT_LINE_MAX, ContentReader
from simulator.protocols.smtp._framing import CRLF, Line, LineBuffer
from simulator.protocols.smtp._state import (
    AFTER_SUCCESS,
    ALLOWED_BEFORE_AUTH,
    ALLOWED_BEFORE_TLS,
    IN_SEQUENCE,
    KNOWN_VERBS,
    NO_ARGUMENT_VERBS,
    SEQUENCE_ERRORS,
    ServerState,
    after_rset,
)
from simulator.protocols.smtp.address import (
    AddressError,
    ParameterError,
    PathTooLong,
    is_domain_or_literal,
    parse_params,
    parse_path,
    split_path,
)
from simulator.protocols.smtp.policy import Envelope, Pending, Role, ServerPolicy, SMTPServerConfig
from simulator.protocols.smtp.replies import Reply

__all__ = ["Envelope", "Role", "SMTPServer", "SMTPServerConfig", "ServerPolicy"]

# What the server says when it ends a connection itself (always a 421, RFC 5321 §3.8).
SHUTDOWN_REPLIES: dict[ShutdownReason, Reply] = {
    ShutdownReason.IDLE_TIMEOUT: R.TIMEOUT_EXCEEDED,
    ShutdownReason.SERVER_STOPPING: R.SERVICE_UNAVAILABLE,
    ShutdownReason.TOO_MANY_CONNECTIONS: R.TOO_MANY_CONNECTIONS,
    ShutdownReason.TOO_MANY_FROM_ADDRESS: R.TOO_MANY_FROM_ADDRESS,
    ShutdownReason.SERVICE_UNAVAILABLE: R.SERVICE_UNAVAILABLE,
}

COMMAND_LINE_MAX = 512  # RFC 5321 §4.5.3.1.4, CRLF included
AUTH_LINE_MAX = 12288  # room for big SASL responses; over it -> 500 5.5.6 (RFC 4954 §6)
DATA_LINE_MAX = TEXT_LINE_MAX + 1  # the stuffed dot does not count (§4.5.3.1.6)
# Plain names for the states the per-line loop tests: an Enum member read off its class costs
# several global lookups (Python 3.11). A tuple is searched by identity, without hashing.
_NEW, _DATA, _AUTH, _REFUSED = ServerState.NEW, ServerState.DATA, ServerState.AUTH, ServerState.REFUSED
_CLOSED, _STARTTLS, _VERDICT = ServerState.CLOSED, ServerState.STARTTLS, ServerState.VERDICT
_STOP_READING = (_CLOSED, _STARTTLS, _VERDICT)  # receive_data() reads no further line


class SMTPServer:
    """One server side of one SMTP connection (submission or relay/delivery)."""

    def __init__(self, config: SMTPServerConfig, policy: ServerPolicy | None = None, *,
                 login_gate: LoginGate | None = None) -> None:
        self.config = config
        self.policy = policy if policy is not None else ServerPolicy()
        self.login_gate = login_gate  # asked before each password check (a guard against guessing)
        self.state = ServerState.NEW
        self.tls_active = config.implicit_tls
        self.auth_user: str | None = None
        self._helo: str | None = None
        self._esmtp = False
        self._mail_from: str | None = None
        self._mail_params: dict[str, str] = {}
        self._rcpts: list[str] = []
        self._lines = LineBuffer(COMMAND_LINE_MAX)
        self._out = bytearray()
        self._events: list[Event] = []
        self._content: ContentReader | None = None
        self._sasl: _sasl.ServerExchange | None = None
        self.errors = 0  # 5yz replies since the last delivered message (Postfix's error count)
        self._junk = 0  # NOOP, VRFY, RSET since then
        self._pending_body = b""  # the message whose verdict is awaited (state VERDICT)

    # --- public API --------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.state is _CLOSED

    @property
    def envelope(self) -> Envelope:
        return Envelope(
            helo=self._helo,
            esmtp=self._esmtp,
            mail_from=self._mail_from,
            rcpt_to=tuple(self._rcpts),
            mail_params=MappingProxyType(dict(self._mail_params)),
            auth_user=self.auth_user,
            tls=self.tls_active,
        )

    def start(self, refusal: ShutdownReason | None = None, *, greeting: Reply | None = None) -> list[Event]:
        """Queue the greeting. 220: go on; 421: send it and close; 554: refuse until QUIT.

        ``refusal``: greet with the 421 for that reason instead, and close.
        """
        if self.state is not ServerState.NEW:
            raise LocalProtocolError("start() called twice")
        if refusal is not None:
            greeting = SHUTDOWN_REPLIES[refusal]
        if greeting is None:
            greeting = R.greeting(self.config.hostname, self.config.banner)
        if greeting.code not in (220, 421, 554):
            raise LocalProtocolError(f"a greeting must be 220, 421 or 554, not {greeting.code}")
        # RFC 2034 §3: the greeting carries no enhanced code; RFC 5321 §4.2: it starts with the domain.
        self._reply(self._with_domain(greeting.with_enhanced(None)), "")
        if greeting.code == 421:
            self._close()
        else:
            self.state = ServerState.CONNECTED if greeting.code == 220 else ServerState.REFUSED
        return self._take_events()

    def receive_data(self, data: bytes) -> list[Event]:
        if self.state is _NEW:
            raise LocalProtocolError("call start() before receive_data()")
        if self.state is _STARTTLS:
            raise LocalProtocolError("TLS handshake pending: call tls_established() first")
        if self.state is _CLOSED:
            return []  # anything after QUIT or 421 is ignored
        lines = self._lines
        lines.feed(data)
        while (state := self.state) not in _STOP_READING:
            # The limit follows the state the next line is read in (checked per line, not per chunk).
            if state is _DATA:
                if self._data_lines():
                    continue
                lines.max_line = DATA_LINE_MAX
            else:
                lines.max_line = AUTH_LINE_MAX if state is _AUTH else COMMAND_LINE_MAX
            line = lines.next_line()
            if line is None:
                break
            if state is _DATA:
                self._data_line(line)
            elif state is _AUTH:
                self._auth_line(line)
            else:
                self._command_line(line)
            if self.errors >= self.config.hard_error_limit and not self.closed:
                self._reply(self._with_domain(R.TOO_MANY_ERRORS), "")  # Postfix: 421, and close
                self._close()
        if self.state is _CLOSED or self.state is _STARTTLS:
            # Never execute what was pipelined after STARTTLS (CVE-2011-0411) or QUIT.
            self._lines.clear()
        return self._take_events()

    def verdict(self, reply: Reply) -> list[Event]:
        """The answer to a pending message (``AnswerPending``): send it, then read what was pipelined."""
        if self.state is ServerState.CLOSED:
            return []  # the connection ended meanwhile: nobody to tell
        if self.state is not ServerState.VERDICT:
            raise LocalProtocolError("verdict() without a pending message")
        reply = R.with_class_code(reply)
        self._events.append(MessageReceived(self.envelope, self._pending_body, reply))
        self._pending_body = b""
        self._finish_data(reply)
        return self.receive_data(b"")

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    @property
    def slowed(self) -> bool:
        """Past the soft error limit: a driver delays each reply (Postfix's smtpd_error_sleep_time)."""
        return self.errors > self.config.soft_error_limit and self.state is not ServerState.DATA

    @property
    def reading_commands(self) -> bool:
        """Whether the next line is a command (not message text): a driver that may hold replies back
        feeds commands one line at a time, so that it can."""
        return self.state is not ServerState.DATA

    def tls_established(self) -> None:
        """The handshake after our 220 finished: forget everything (RFC 3207 §4.2)."""
        if self.state is not ServerState.STARTTLS:
            raise LocalProtocolError("tls_established() without a pending STARTTLS")
        self.tls_active = True
        self.auth_user = None
        self._helo = None
        self._esmtp = False
        self._reset_transaction()
        self.state = AFTER_SUCCESS["TLS-ESTABLISHED"]

    def shutdown(self, reason: ShutdownReason) -> list[Event]:
        """Send a 421 at any moment and close (RFC 5321 §3.8), e.g. on a timeout."""
        if self.state is ServerState.CLOSED:
            return []
        if self.state is ServerState.NEW:  # never greeted: nothing to say
            self._close()
            return self._take_events()
        self._reply(self._with_domain(SHUTDOWN_REPLIES[reason]), "")
        self._close()
        return self._take_events()

    def connection_lost(self) -> list[Event]:
        """The peer went away: drop any transaction, as if QUIT (RFC 5321 §4.1.1.5)."""
        if self.state is ServerState.CLOSED:
            return []
        self._reset_transaction()
        self._close()
        return self._take_events()

    # --- plumbing ------------------------------------------------------------------------------

    def _take_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def _reply(self, reply: Reply, command: str) -> None:
        self._out += reply.to_bytes(enhanced_codes=True)
        self._events.append(ReplySent(reply, command))
        if reply.code >= 500:
            self.errors += 1
        elif command in ("NOOP", "VRFY", "RSET"):
            self._junk += 1
            if self._junk > self.config.junk_command_limit:
                self.errors += 1
        elif command == "DATA-END" and reply.code < 300:
            self.errors = self._junk = 0  # mail was delivered: a fresh start, as in Postfix

    def _with_domain(self, reply: Reply) -> Reply:
        # 220/221/421/554 texts begin with the server's domain (RFC 5321 §4.2, §3.1).
        host = self.config.hostname
        first = reply.text_lines[0]
        if first == host or first.startswith(host + " "):
            return reply
        return reply.with_text(f"{host} {first}".rstrip(), *reply.text_lines[1:])

    def _close(self) -> None:
        self.state = ServerState.CLOSED
        self._events.append(ConnectionClosed())

    def _reset_transaction(self) -> None:
        self._mail_from = None
        self._mail_params = {}
        self._rcpts = []
        self._content = None

    @property
    def _auth_enabled(self) -> bool:
        return bool(self.config.auth_mechanisms) and (
            self.config.role is Role.MSA or bool(self.config.require_auth)
        )

    @property
    def _auth_offered(self) -> bool:
        # Plaintext mechanisms only inside TLS (RFC 4954 §4, RFC 8314).
        return self._auth_enabled and self.tls_active

    # --- command lines -------------------------------------------------------------------------

    def _command_line(self, line: Line) -> None:
        text = line.data.decode("latin-1")
        word, _, arg = text.partition(" ")
        verb = word.upper() if word.isascii() and word.isalpha() else ""
        self._events.append(CommandReceived(verb, line.data))
        if line.too_long:
            return self._reply(R.LINE_TOO_LONG, verb)
        if line.ending != CRLF:
            return self._reply(R.BARE_LF_IN_COMMAND, verb)  # RFC 5321 §2.3.8
        if line.has_bare_cr:
            return self._reply(R.BARE_CR_IN_COMMAND, verb)
        if verb not in KNOWN_VERBS:
            # Empty, unknown, or non-ASCII garbage: 500, and the session goes on (§3.8).
            return self._reply(R.SYNTAX_ERROR, verb)
        if self.state is _REFUSED and verb != "QUIT":
            return self._reply(R.BAD_SEQUENCE, verb)  # RFC 5321 §3.1 after a 554 greeting
        if self.config.require_tls and not self.tls_active and verb not in ALLOWED_BEFORE_TLS:
            return self._reply(R.MUST_ISSUE_STARTTLS, verb)
        if self.config.require_auth and self.auth_user is None and verb not in ALLOWED_BEFORE_AUTH:
            if self.state is ServerState.CONNECTED and verb in IN_SEQUENCE:
                # Name the first missing step: before EHLO (e.g. right after STARTTLS, RFC 3207
                # §4.2) MAIL/RCPT/DATA are out of sequence whatever the login: 503 (RFC 5321
                # §4.1.4); AUTH would need EHLO first anyway. Once greeted: 530 (RFC 4954 §6).
                return self._reply(self._sequence_error(verb), verb)
            return self._reply(R.AUTH_REQUIRED, verb)
        # AUTH and STARTTLS check their sequence themselves, after "already done"-style checks.
        if verb in IN_SEQUENCE and verb not in ("AUTH", "STARTTLS") and self.state not in IN_SEQUENCE[verb]:
            return self._reply(self._sequence_error(verb), verb)
        if verb in NO_ARGUMENT_VERBS and arg.strip(" "):
            if verb == "STARTTLS":
                return self._reply(R.STARTTLS_SYNTAX, verb)
            return self._reply(R.ARG_SYNTAX.with_text(f"Syntax: {verb}"), verb)
        _COMMANDS[verb](self, arg.strip(" "), verb)

    def _sequence_error(self, verb: str) -> Reply:
        return R.BAD_SEQUENCE.with_text(SEQUENCE_ERRORS.get((verb, self.state), R.BAD_SEQUENCE.message))

    def _cmd_ehlo(self, arg: str, verb: str) -> None:
        self._hello(arg, verb)

    def _cmd_helo(self, arg: str, verb: str) -> None:
        self._hello(arg, verb)

    def _hello(self, arg: str, verb: str) -> None:
        # RFC 2034 §3: no enhanced code in any response to HELO or EHLO.
        name = arg.split(" ")[0] if arg else ""
        if not name:
            syntax = R.EHLO_SYNTAX if verb == "EHLO" else R.HELO_SYNTAX
            return self._reply(syntax.with_enhanced(None), verb)
        # RFC 5321 §4.1.2: invalid characters in a domain -> 501; text after it is tolerated.
        if not is_domain_or_literal(name):
            return self._reply(R.BAD_HOSTNAME.with_enhanced(None), verb)
        self._reset_transaction()  # §4.1.4: as if RSET
        self._helo = name
        self._esmtp = verb == "EHLO"
        self.state = AFTER_SUCCESS[verb]
        self._events.append(Hello(verb, name))
        if verb == "HELO":
            return self._reply(R.helo_ok(self.config.hostname), verb)
        self._reply(R.ehlo_ok(self.config.hostname, self._capabilities()), verb)

    def _capabilities(self) -> list[str]:
        caps = ["PIPELINING", f"SIZE {self.config.max_message_size}"]
        if self.config.starttls_available and not self.tls_active:
            caps.append("STARTTLS")  # never after the handshake (RFC 3207 §4.2)
        if self._auth_offered:
            caps.append("AUTH " + " ".join(self.config.auth_mechanisms))
        caps += ["ENHANCEDSTATUSCODES", "8BITMIME"]
        return caps

    def _cmd_mail(self, arg: str, verb: str) -> None:
        if arg[:5].upper() != "FROM:":
            return self._reply(R.ARG_SYNTAX.with_text("Syntax: MAIL FROM:<address>"), verb)
        try:
            path_text, params_text = split_path(arg[5:])
            path = parse_path(path_text, allow_null=True)
        except PathTooLong:
            return self._reply(R.PATH_TOO_LONG, verb)
        except AddressError:
            return self._reply(R.BAD_SENDER_SYNTAX, verb)
        try:
            params = parse_params(params_text)
        except ParameterError:
            return self._reply(R.ARG_SYNTAX, verb)
        accepted: dict[str, str] = {}
        for key, value in params.items():
            problem = self._check_mail_param(key, value)
            if problem is not None:
                return self._reply(problem, verb)
            accepted[key] = value or ""
        decision = R.with_class_code(self.policy.check_sender(self.envelope, path.mailbox))
        if decision is not None and not decision.is_completion:
            return self._reply(decision, verb)
        self._reset_transaction()
        self._mail_from = path.mailbox
        self._mail_params = accepted
        self.state = AFTER_SUCCESS[verb]
        self._events.append(MailAccepted(path.mailbox))
        self._reply(decision or R.SENDER_OK, verb)

    def _check_mail_param(self, key: str, value: str | None) -> Reply | None:
        # Parameters exist only for extensions announced in an EHLO reply (RFC 5321 §2.2).
        if not self._esmtp:
            return R.PARAM_NOT_RECOGNIZED
        if key == "SIZE":  # RFC 1870 §6: SIZE=1*20DIGIT
            if value is None or not value.isdigit() or len(value) > 20:
                return R.ARG_SYNTAX.with_text("Bad SIZE parameter")
            if int(value) > self.config.max_message_size:
                return R.MESSAGE_TOO_BIG
            return None
        if key == "BODY":  # RFC 6152 (8BITMIME)
            if value is None or value.upper() not in ("7BIT", "8BITMIME"):
                return R.ARG_SYNTAX.with_text("Bad BODY parameter")
            return None
        if key == "AUTH" and self._auth_offered:  # RFC 4954 §5
            return None if value else R.ARG_SYNTAX.with_text("Bad AUTH parameter")
        return R.PARAM_NOT_RECOGNIZED

    def _cmd_rcpt(self, arg: str, verb: str) -> None:
        if arg[:3].upper() != "TO:":
            return self._reply(R.ARG_SYNTAX.with_text("Syntax: RCPT TO:<address>"), verb)
        try:
            path_text, params_text = split_path(arg[3:])
            path = parse_path(path_text, allow_postmaster=True)
        except PathTooLong:
            return self._reply(R.PATH_TOO_LONG, verb)
        except AddressError:
            return self._reply(R.BAD_RECIPIENT_SYNTAX, verb)
        address = path.mailbox
        try:
            params = parse_params(params_text)
        except ParameterError:
            return self._refuse_recipient(address, R.ARG_SYNTAX, verb)
        if params:
            return self._refuse_recipient(address, R.PARAM_NOT_RECOGNIZED, verb)  # no RCPT extensions
        if len(self._rcpts) >= self.config.max_recipients:
            return self._refuse_recipient(address, R.TOO_MANY_RECIPIENTS, verb)
        if not self._may_receive(path.domain, path.is_bare_postmaster):
            return self._refuse_recipient(address, R.RELAY_DENIED, verb)
        decision = R.with_class_code(self.policy.check_recipient(self.envelope, address))
        if decision is not None and not decision.is_completion:
            return self._refuse_recipient(address, decision, verb)
        if self._already_named(address):
            # The same mailbox again: 250, kept once (Postfix's cleanup drops duplicates; RFC 5321 asks no copy per RCPT).
            return self._reply(R.DUPLICATE_RECIPIENT, verb)
        self._rcpts.append(address)
        self.state = AFTER_SUCCESS[verb]
        self._events.append(RecipientAccepted(address))
        self._reply(decision or R.RECIPIENT_OK, verb)

    def _already_named(self, address: str) -> bool:
        # The domain compares without case (RFC 5321 §2.4), the local part exactly.
        local, _, domain = address.rpartition("@")
        return any(r.rpartition("@")[0] == local and r.rpartition("@")[2].lower() == domain.lower()
                   for r in self._rcpts)

    def _may_receive(self, domain: str, bare_postmaster: bool) -> bool:
        if bare_postmaster or self.auth_user is not None:
            return True  # <postmaster> is always ours; logged-in users relay anywhere
        return domain.lower().rstrip(".") in self.config.local_domains

    def _refuse_recipient(self, address: str, reply: Reply, verb: str) -> None:
        from simulator.protocols.smtp._events_more import RecipientRejected

        self._events.append(RecipientRejected(address, reply))
        self._reply(reply, verb)

    def _cmd_data(self, arg: str, verb: str) -> None:
        self._content = ContentReader(self.config.max_message_size)
        self.state = AFTER_SUCCESS[verb]
        self._reply(R.START_MAIL_INPUT, verb)

    def _cmd_rset(self, arg: str, verb: str) -> None:
        self._reset_transaction()  # keeps the login and the EHLO (RFC 4954, RFC 5321 §4.1.1.5)
        self.state = after_rset(self.state)
        self._reply(R.OK, verb)

    def _cmd_noop(self, arg: str, verb: str) -> None:
        self._reply(R.OK, verb)  # §4.1.1.9: a parameter is ignored

    def _cmd_vrfy(self, arg: str, verb: str) -> None:
        if not arg:
            return self._reply(R.ARG_SYNTAX.with_text("Syntax: VRFY address"), verb)
        self._reply(R.CANNOT_VRFY, verb)

    def _cmd_expn(self, arg: str, verb: str) -> None:
        self._reply(R.NOT_IMPLEMENTED.with_text("EXPN not implemented"), verb)

    def _cmd_help(self, arg: str, verb: str) -> None:
        self._reply(R.HELP, verb)

    def _cmd_quit(self, arg: str, verb: str) -> None:
        self._reset_transaction()
        self._reply(self._with_domain(R.CLOSING), verb)
        self._close()

    def _cmd_starttls(self, arg: str, verb: str) -> None:
        if self.tls_active:
            return self._reply(R.TLS_ALREADY_ACTIVE, verb)
        if not self.config.starttls_available:
            return self._reply(R.TLS_NOT_AVAILABLE, verb)
        if self.state not in IN_SEQUENCE[verb]:
            return self._reply(self._sequence_error(verb), verb)
        self._reply(R.READY_TO_START_TLS, verb)
        self.state = AFTER_SUCCESS[verb]
        self._events.append(StartTLSRequested())

    # AUTH and its SASL continuation lines (RFC 4954): in _server_auth, the exchange's own module.
    _cmd_auth = _server_auth.cmd_auth
    _auth_line = _server_auth.auth_line
    _auth_step = _server_auth.auth_step

    # --- message content -----------------------------------------------------------------------

    def _data_lines(self) -> bool:
        """Take the buffered content lines in one go when that is safe; False: go line by line."""
        assert self._content is not None
        if not self._content.takes_lines:
            return False  # an odd or refused message: line by line, without re-copying the buffer
        block = self._lines.complete_lines()
        if not block:
            return False
        taken = self._content.add_lines(block)
        if taken is None:
            return False
        used, done = taken
        self._lines.skip(used)
        if done:
            self._end_of_data()
        return True

    def _data_line(self, line: Line) -> None:
        assert self._content is not None
        if self._content.add(line):
            self._end_of_data()

    def _end_of_data(self) -> None:
        assert self._content is not None
        content = self._content
        envelope = self.envelope
        refusal = content.refusal()
        if refusal is not None:
            from simulator.protocols.smtp._events_more import MessageRejected

            self._events.append(MessageRejected(envelope, refusal))
            reply = refusal
        else:
            body = b"".join(content.parts)
            answer = self.policy.accept_message(envelope, body)
            if isinstance(answer, Pending):
                # No reply yet, and nothing more read, until verdict() (the driver does the I/O).
                self.state = ServerState.VERDICT
                self._pending_body = body
                settle = answer.settle
                self._events.append(AnswerPending(answer.work, lambda error: self.verdict(settle(error))))
                return
            reply = R.with_class_code(answer)
            self._events.append(MessageReceived(envelope, body, reply))
        self._finish_data(reply)

    def _finish_data(self, reply: Reply) -> None:
        # Whatever the answer, the transaction is over (RFC 5321 §4.1.1.4).
        self._reset_transaction()
        self.state = AFTER_SUCCESS["DATA-END"]
        self._reply(reply, "DATA-END")


# Each known verb's handler, found once here rather than by name on every command line.
_COMMANDS: dict[str, Callable[[SMTPServer, str, str], None]] = {v: getattr(SMTPServer, f"_cmd_{v.lower()}") for v in KNOWN_VERBS}
