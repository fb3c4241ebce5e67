r"""A POP3 server (RFC 1939, with CAPA from RFC 2449 and STLS from RFC 2595)
as a sans-I/O state machine: bytes in, events and bytes out.

It reads the INBOX of the same store the IMAP server serves, so the two see
each other's deletions: a DELE takes effect at QUIT (the UPDATE state) and
IMAP sessions on that mailbox are told (``* n EXPUNGE``); a message an IMAP
client expunged meanwhile is answered ``-ERR Message n expunged.``. As in
Dovecot, a message retrieved with RETR is marked \Seen when the session
ends (at QUIT, or when the client just goes away); RSET forgets that too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..common import LoginGate, ShutdownReason
from ..errors import LocalProtocolError
from ..mailstore import FlagOp, Mailbox, MailStore, StoredMessage, StoreError
from ._events import (
    CommandReceived,
    ConnectionClosed,
    Event,
    InvalidCommand,
    LoginFailed,
    LoginSucceeded,
    MaildropUpdated,
    MessageDeleted,
    MessageRetrieved,
    StartTLSRequested,
)
from ._state import COMMAND_STATES, POP3ServerStateMachine, POP3State, TLSState, Trigger

__all__ = ["MAX_LINE", "POP3Server", "POP3ServerConfig", "Texts", "dot_stuff"]

# RFC 2449 section 4: a command is at most 255 octets including its CRLF.
MAX_LINE = 255 - 2
MAX_ERRORS_IN_A_ROW = 20  # Dovecot's CLIENT_MAX_BAD_COMMANDS

_KEYWORD = re.compile(r"[A-Za-z]{3,4}\Z")
_NUMBER = re.compile(r"[0-9]{1,10}\Z")
_NO_ARGUMENTS = frozenset({"CAPA", "STLS", "STAT", "NOOP", "RSET", "QUIT"})


class Texts:
    """Response texts after +OK / -ERR; RFC 1939's examples where it has one."""

    GREETING = "{hostname} POP3 ready"
    CAPA = "Capability list follows"
    STLS_GO = "Begin TLS negotiation"  # RFC 2595 section 4 example
    STLS_ACTIVE = "Command not permitted when TLS active"  # ditto
    STLS_UNAVAILABLE = "STLS not available"
    PLAINTEXT_DISALLOWED = "Plaintext authentication disallowed without TLS; use STLS"
    USER_OK = "send PASS"
    USER_FIRST = "USER first"
    LOGIN_OK = "maildrop has {count} messages ({size} octets)"
    LOGIN_FAILED = "Invalid username or password"
    NO_MAILDROP = "Unable to open maildrop"
    SCAN_LISTING = "{count} messages ({size} octets)"
    RETR = "{size} octets"
    TOP = "top of message follows"
    UIDL = "unique-id listing follows"
    DELETED = "message {n} deleted"
    ALREADY_DELETED = "message {n} already deleted"
    NOT_REMOVED = "some deleted messages not removed"  # RFC 1939 section 6
    EXPUNGED = "Message {n} expunged."  # removed by another session (Dovecot's words)
    NO_SUCH_MESSAGE = "no such message, only {count} messages in maildrop"
    NEED_NUMBER = "a message number is required"
    BAD_ARGUMENTS = "invalid arguments"
    SIGNING_OFF = "{hostname} POP3 server signing off"
    LEFT = " ({n} messages left)"
    EMPTY = " (maildrop empty)"
    UNKNOWN = "Unknown command"
    WRONG_STATE = "{command} not allowed in the {state} state"
    LINE_TOO_LONG = "Command line too long"
    TOO_MANY_BAD = "Too many bad commands."  # Dovecot's words, after 20 errors in a row
    # When the server ends the connection itself; [SYS/TEMP] where trying later may work.
    BYE_IDLE = "Disconnected for inactivity"
    BYE_STOPPING = "Server shutting down"
    BYE_TOO_MANY = "[SYS/TEMP] Too many connections, try again later"
    BYE_TOO_MANY_FROM_ADDRESS = "[SYS/TEMP] Too many connections from your address, try again later"
    BYE_UNAVAILABLE = "[SYS/TEMP] Service not available, try again later"
    TOO_MANY_FAILURES = "[SYS/TEMP] Too many failed logins from your address, try again later"


_GOODBYES = {
    ShutdownReason.IDLE_TIMEOUT: Texts.BYE_IDLE,
    ShutdownReason.SERVER_STOPPING: Texts.BYE_STOPPING,
    ShutdownReason.TOO_MANY_CONNECTIONS: Texts.BYE_TOO_MANY,
    ShutdownReason.TOO_MANY_FROM_ADDRESS: Texts.BYE_TOO_MANY_FROM_ADDRESS,
    ShutdownReason.SERVICE_UNAVAILABLE: Texts.BYE_UNAVAILABLE,
}


def dot_stuff(content: bytes) -> bytes:
    """Byte-stuff ``content`` and terminate it as a multi-line response
    body (RFC 1939 section 3): lines starting with "." get another "."."""
    if content and not content.endswith(b"\r\n"):
        content += b"\r\n"  # the terminator must start a line of its own
    lines = content.split(b"\r\n")[:-1] if content else []
    return (
        b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)
        + b".\r\n"
    )


@dataclass(frozen=True)
class POP3ServerConfig:
    hostname: str
    implicit_tls: bool = False  # port 995: the driver did TLS before start()
    starttls_available: bool = True  # STLS (RFC 2595 section 4): the same name as for SMTP and IMAP
    login_requires_tls: bool = True


class POP3Server:
    """One POP3 connection, server side."""

    def __init__(self, config: POP3ServerConfig, store: MailStore, *, login_gate: LoginGate | None = None) -> None:
        self.config = config
        self.store = store
        self.login_gate = login_gate  # asked before each password check (a guard against guessing)
        self.closed = False
        self._machine = POP3ServerStateMachine(config.implicit_tls)
        self._started = False
        self._out = bytearray()
        self._errors = 0  # -ERR replies since the last +OK
        self._buffer = bytearray()
        self._discarding = False  # inside an over-long line: drop up to LF
        self._user: str | None = None  # set by a successful USER, for PASS only
        self._mailbox: Mailbox | None = None
        self._messages: list[StoredMessage] = []  # fixed at PASS: message numbers
        self._deleted: set[int] = set()
        self._retrieved: set[int] = set()  # RETR'd: \Seen when the session ends

    @property
    def state(self) -> POP3State:
        return self._machine.state

    @property
    def tls_active(self) -> bool:
        return self._machine.tls is TLSState.ACTIVE

    def start(self, refusal: ShutdownReason | None = None) -> list[Event]:
        """Queue the greeting (or, with a ``refusal``, an ``-ERR`` and close)."""
        if self._started:
            raise LocalProtocolError("start() called twice")
        self._started = True
        events: list[Event] = []
        if refusal is not None:
            self._err(_GOODBYES[refusal])
            self._close(events)
            return events
        self._ok(Texts.GREETING.format(hostname=self.config.hostname))
        return events

    def connection_lost(self) -> list[Event]:
        """The client went away (as ``receive_data(b"")``): nothing marked is removed."""
        if not self._started:
            events: list[Event] = []
            if not self.closed:
                self._close(events)
            return events
        return self.receive_data(b"")

    def shutdown(self, reason: ShutdownReason) -> list[Event]:
        """End the connection now with ``-ERR``; no UPDATE, so nothing marked is removed."""
        events: list[Event] = []
        if self.closed:
            return events
        if self._started:
            self._err(_GOODBYES[reason])
            self._machine.fire(Trigger.EOF)
        self._close(events)
        return events

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the peer; ``b""`` means the peer closed."""
        if not self._started:
            raise LocalProtocolError("call start() before receive_data()")
        events: list[Event] = []
        if self.closed:
            return events
        if not data:
            # No QUIT: no UPDATE, so nothing marked is removed (section 6).
            self._machine.fire(Trigger.EOF)
            self._mark_seen()
            self._close(events)
            return events
        if not self._reading():
            return events  # plaintext before the handshake: an injection attempt
        self._buffer += data
        while self._reading():
            newline = self._buffer.find(b"\n")
            if newline < 0:
                if self._discarding:
                    self._buffer.clear()
                elif len(self._buffer) - self._buffer.endswith(b"\r") > MAX_LINE:
                    self._too_long(bytes(self._buffer[:80]), events)
                    self._buffer.clear()
                    self._discarding = True
                    self._end_after_errors(events)
                break
            line = bytes(self._buffer[:newline]).removesuffix(b"\r")
            del self._buffer[: newline + 1]
            if self._discarding:
                self._discarding = False
            elif len(line) > MAX_LINE:
                self._too_long(line[:80], events)
            else:
                self._command(line, events)
            self._end_after_errors(events)
        return events

    def _end_after_errors(self, events: list[Event]) -> None:
        """Dovecot's rule: MAX_ERRORS_IN_A_ROW -ERR replies without a +OK end the session."""
        if self._errors >= MAX_ERRORS_IN_A_ROW and not self.closed:
            self._err(Texts.TOO_MANY_BAD)
            self._close(events)

    def _reading(self) -> bool:
        """Whether input is processed now: not after the end, and not while
        a TLS handshake is pending (plaintext then could be injected)."""
        return not self.closed and self._machine.tls is not TLSState.NEGOTIATING

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def tls_established(self) -> None:
        """The driver finished the TLS handshake that STLS announced."""
        self._machine.fire(Trigger.TLS_ESTABLISHED)

    # --- output ----------------------------------------------------------------

    def _ok(self, text: str = "", body: bytes | None = None) -> None:
        self._errors = 0
        self._out += ("+OK " + text if text else "+OK").encode("utf-8", "replace") + b"\r\n"
        if body is not None:
            self._out += dot_stuff(body)

    def _err(self, text: str) -> None:
        self._errors += 1
        self._out += b"-ERR " + text.encode("utf-8", "replace") + b"\r\n"

    def _too_long(self, start: bytes, events: list[Event]) -> None:
        self._user = None
        self._err(Texts.LINE_TOO_LONG)
        events.append(InvalidCommand(start.decode("utf-8", "replace"), Texts.LINE_TOO_LONG))

    # --- commands --------------------------------------------------------------

    def _command(self, line: bytes, events: list[Event]) -> None:
        # surrogateescape keeps any octets of a name or password intact;
        # events get a printable copy.
        keyword, _, argument = line.decode("utf-8", "surrogateescape").partition(" ")
        shown = line.decode("utf-8", "replace")
        name = keyword.upper()
        pending_user, self._user = self._user, None  # PASS must come right after USER
        if not _KEYWORD.match(keyword) or name not in COMMAND_STATES:
            self._err(Texts.UNKNOWN)
            events.append(InvalidCommand(shown, Texts.UNKNOWN))
            return
        events.append(CommandReceived(name, shown.partition(" ")[2], shown))
        if not self._machine.allows(name):
            self._err(Texts.WRONG_STATE.format(command=name, state=self.state.value))
            return
        if argument and name in _NO_ARGUMENTS:
            self._err(Texts.BAD_ARGUMENTS)
            return
        if name == "PASS":
            self._pass(pending_user, argument, events)
        else:
            getattr(self, f"_cmd_{name.lower()}")(argument, events)

    def _cmd_capa(self, argument: str, events: list[Event]) -> None:
        caps = ["USER", "UIDL", "TOP"]
        if (
            self.state is POP3State.AUTHORIZATION
            and not self.tls_active
            and self.config.starttls_available
        ):
            caps.append("STLS")
        self._ok(Texts.CAPA, "".join(c + "\r\n" for c in caps).encode())

    def _cmd_stls(self, argument: str, events: list[Event]) -> None:
        if self.tls_active:
            self._err(Texts.STLS_ACTIVE)
        elif not self.config.starttls_available:
            self._err(Texts.STLS_UNAVAILABLE)
        else:
            self._ok(Texts.STLS_GO)
            self._machine.fire(Trigger.STLS_OK)
            self._buffer.clear()  # pipelined plaintext must not survive the upgrade
            events.append(StartTLSRequested())

    def _plaintext_disallowed(self) -> bool:
        return self.config.login_requires_tls and not self.tls_active

    def _cmd_user(self, argument: str, events: list[Event]) -> None:
        if not argument:
            self._err(Texts.BAD_ARGUMENTS)
        elif self._plaintext_disallowed():
            # RFC 1939 USER: -ERR if the mailbox does not permit plaintext passwords.
            self._err(Texts.PLAINTEXT_DISALLOWED)
            events.append(LoginFailed(argument, Texts.PLAINTEXT_DISALLOWED))
        else:
            # +OK whether or not the user exists (section 7 allows it), so
            # USER cannot be used to probe for accounts.
            self._user = argument
            self._ok(Texts.USER_OK)

    def _pass(self, user: str | None, password: str, events: list[Event]) -> None:
        if user is None:
            self._err(Texts.USER_FIRST)
            return
        gate = self.login_gate
        if gate is not None and not gate.allowed():
            # [SYS/TEMP] (RFC 3206): a temporary problem, try later; the password was not even checked.
            self._err(Texts.TOO_MANY_FAILURES)
            events.append(LoginFailed(user, Texts.TOO_MANY_FAILURES))
            return
        right = self.store.authenticate(user, password)
        mailbox = self.store.mailbox(user) if right else None
        if mailbox is None:
            if gate is not None and not right:
                gate.failed()
            self._err(Texts.LOGIN_FAILED)
            events.append(LoginFailed(user, Texts.LOGIN_FAILED))
            return
        self._mailbox, self._messages = mailbox, list(mailbox.messages)
        self._machine.fire(Trigger.LOGIN_OK)
        count, size = self._totals()
        self._ok(Texts.LOGIN_OK.format(count=count, size=size))
        events.append(LoginSucceeded(user))

    def _totals(self) -> tuple[int, int]:
        live = [m for i, m in enumerate(self._messages, 1) if i not in self._deleted]
        return len(live), sum(m.size for m in live)

    def _message(self, argument: str) -> int | None:
        """The message number in ``argument``, or None after sending -ERR."""
        if not argument:
            self._err(Texts.NEED_NUMBER)
            return None
        if not _NUMBER.match(argument) or not 1 <= int(argument) <= len(self._messages):
            self._err(Texts.NO_SUCH_MESSAGE.format(count=len(self._messages)))
            return None
        number = int(argument)
        if number in self._deleted:
            self._err(Texts.ALREADY_DELETED.format(n=number))
            return None
        return number

    def _cmd_stat(self, argument: str, events: list[Event]) -> None:
        count, size = self._totals()
        self._ok(f"{count} {size}")  # the exact "drop listing" format of section 5

    def _listing(self, argument: str, header: str, value: Callable[[int], object]) -> None:
        """LIST and UIDL: one listing with an argument, all of them without."""
        if argument:
            number = self._message(argument)
            if number is not None:
                self._ok(f"{number} {value(number)}")
            return
        numbers = [i for i in range(1, len(self._messages) + 1) if i not in self._deleted]
        self._ok(header, "".join(f"{i} {value(i)}\r\n" for i in numbers).encode())

    def _cmd_list(self, argument: str, events: list[Event]) -> None:
        count, size = self._totals()
        header = Texts.SCAN_LISTING.format(count=count, size=size)
        self._listing(argument, header, lambda i: self._messages[i - 1].size)

    def _cmd_uidl(self, argument: str, events: list[Event]) -> None:
        uidvalidity = self._mailbox.uidvalidity if self._mailbox is not None else 0
        # Unique and stable across sessions, as section 7 requires.
        self._listing(argument, Texts.UIDL, lambda i: f"{uidvalidity}.{self._messages[i - 1].uid}")

    def _cmd_retr(self, argument: str, events: list[Event]) -> None:
        number = self._message(argument)
        if number is not None:
            message = self._messages[number - 1]
            if self._gone(message):
                self._err(Texts.EXPUNGED.format(n=number))
                return
            content = message.content
            self._ok(Texts.RETR.format(size=message.size), content)
            self._retrieved.add(number)
            events.append(MessageRetrieved(number, content))

    def _cmd_top(self, argument: str, events: list[Event]) -> None:
        number_text, _, lines_text = argument.partition(" ")
        if not _NUMBER.match(lines_text):
            self._err(Texts.BAD_ARGUMENTS)
            return
        number = self._message(number_text)
        if number is not None:
            if self._gone(self._messages[number - 1]):
                self._err(Texts.EXPUNGED.format(n=number))
                return
            content = self._messages[number - 1].content
            end = content.find(b"\r\n\r\n")
            head, body = (content, b"") if end < 0 else (content[: end + 4], content[end + 4 :])
            wanted = int(lines_text)
            if wanted < body.count(b"\r\n"):  # else the whole body (section 7)
                body = b"".join(line + b"\r\n" for line in body.split(b"\r\n")[:wanted])
            self._ok(Texts.TOP, head + body)

    def _cmd_dele(self, argument: str, events: list[Event]) -> None:
        number = self._message(argument)
        if number is not None:
            self._deleted.add(number)
            self._ok(Texts.DELETED.format(n=number))
            events.append(MessageDeleted(number))

    def _cmd_noop(self, argument: str, events: list[Event]) -> None:
        self._ok()

    def _cmd_rset(self, argument: str, events: list[Event]) -> None:
        self._deleted.clear()
        self._retrieved.clear()
        count, size = self._totals()
        self._ok(Texts.LOGIN_OK.format(count=count, size=size))

    def _cmd_quit(self, argument: str, events: list[Event]) -> None:
        signing_off = Texts.SIGNING_OFF.format(hostname=self.config.hostname)
        if self.state is POP3State.AUTHORIZATION:
            self._machine.fire(Trigger.QUIT)
            self._ok(signing_off)
        else:
            self._machine.fire(Trigger.QUIT)  # UPDATE: now the marks take effect
            assert self._mailbox is not None
            self._mark_seen()
            doomed = [self._messages[i - 1] for i in sorted(self._deleted)]
            try:
                removed = self._mailbox.remove(doomed)
            except StoreError:
                # RFC 1939 §6: "-ERR some deleted messages not removed"
                self._machine.fire(Trigger.UPDATED)
                self._err(Texts.NOT_REMOVED)
                self._close(events)
                return
            left = len(self._mailbox.messages)
            self._machine.fire(Trigger.UPDATED)
            self._ok(signing_off + (Texts.LEFT.format(n=left) if left else Texts.EMPTY))
            events.append(MaildropUpdated(removed, left))
        self._close(events)

    def _gone(self, message: StoredMessage) -> bool:
        """Expunged meanwhile (by an IMAP session)?"""
        return self._mailbox is not None and self._mailbox.get(message.uid) is not message

    def _mark_seen(self) -> None:
        r"""Set \Seen on what was retrieved and not deleted (Dovecot's pop3_no_flag_updates=no)."""
        if self._mailbox is None or not self._retrieved:
            return
        seen = [self._messages[i - 1] for i in sorted(self._retrieved - self._deleted)]
        self._retrieved.clear()
        try:
            self._mailbox.store_flags(seen, FlagOp.ADD, ["\\Seen"])
        except StoreError:
            pass  # a flag that could not be written is not worth failing the session for

    def _close(self, events: list[Event]) -> None:
        self.closed = True
        self._buffer.clear()
        events.append(ConnectionClosed())
