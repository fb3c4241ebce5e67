"""An IMAP4rev1 server (RFC 3501, with the IMAP4rev2 behaviours of RFC 9051 that clients expect)
as a sans-I/O state machine.

Bytes go in through :meth:`IMAPServer.receive_data`, events come out, and
the reply bytes wait in :meth:`IMAPServer.data_to_send`. The driver (the
simulation engine or an asyncio transport) owns the socket and the TLS.

Mail can change while a client waits: another session stores flags, the MX
delivers. The store tells the session (see ``mailstore.Watcher``); the
session reports it at its next command, or at once while it IDLEs, and then
calls the driver's *wakeup* (``set_wakeup``) so the driver flushes
``data_to_send()`` without being asked. Nothing here polls.

This module holds the connection: framing, the any-state and not-authenticated
commands (CAPABILITY, NOOP, LOGOUT, ID, STARTTLS, LOGIN, AUTHENTICATE) and
IDLE; the authenticated-state commands are in ``_cmd_mailboxes``, the
selected-state ones in ``_cmd_selected``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from ..common import LoginGate, ShutdownReason
from ..errors import LocalProtocolError
from ..mailstore import MailStore, StoreError
from . import _cmd_mailboxes, _cmd_selected
# Failures, IDLE, ID and mailbox changes: their events are imported where reported (see _events_more).
from ._events import CommandReceived, ConnectionClosed, Event, LoginSucceeded, StartTLSRequested
from ._framing import (
    MAX_APPEND,
    MAX_LINE,
    MAX_LITERAL,
    Command,
    CommandFramer,
    LiteralAnnounced,
    RawLine,
    TooLong,
    command_of,
    tag_of,
)
from ._search import CannotSearch
from ._session import IMAPServerConfig, Session, no_args, store_error_text
from ._state import COMMANDS, IMAPServerState, InputMode, TLSState, Trigger
from ._syntax import Atom, IMAPSyntaxError, Literal, Token, parse_tokens, quoted, text_of
from .responses import Texts

__all__ = ["MAX_APPEND", "MAX_LINE", "MAX_LITERAL", "IMAPServer", "IMAPServerConfig"]

MAX_BAD_IN_A_ROW = 20  # Dovecot's CLIENT_MAX_BAD_COMMANDS

_GOODBYES = {
    ShutdownReason.IDLE_TIMEOUT: Texts.BYE_IDLE,
    ShutdownReason.SERVER_STOPPING: Texts.BYE_STOPPING,
    ShutdownReason.TOO_MANY_CONNECTIONS: Texts.BYE_TOO_MANY,
    ShutdownReason.TOO_MANY_FROM_ADDRESS: Texts.BYE_TOO_MANY_FROM_ADDRESS,
    ShutdownReason.SERVICE_UNAVAILABLE: Texts.BYE_UNAVAILABLE,
}
Handler = Callable[[Session, str, list[Token], list[Event]], None]


class IMAPServer:
    """One IMAP connection, server side."""

    def __init__(self, config: IMAPServerConfig, store: MailStore, *, login_gate: LoginGate | None = None) -> None:
        self.config = config
        self.store = store
        self.login_gate = login_gate  # asked before each password check (a guard against guessing)
        self._s = Session(config, store)
        self._s.on_change = self._mailbox_changed
        self._started = False
        self._ended = False  # ConnectionClosed reported
        self._framer = CommandFramer()  # lines and literals -> commands
        self._handlers: dict[str, Handler] = {
            "CAPABILITY": self._cmd_capability, "NOOP": self._cmd_noop, "LOGOUT": self._cmd_logout,
            "ID": self._cmd_id, "STARTTLS": self._cmd_starttls, "LOGIN": self._cmd_login,
            "AUTHENTICATE": self._cmd_authenticate, "IDLE": self._cmd_idle,
            **_cmd_mailboxes.HANDLERS, **_cmd_selected.HANDLERS,
        }

    # --- public API ----------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._s.closed

    @property
    def state(self) -> IMAPServerState:
        return self._s.state

    @property
    def tls_active(self) -> bool:
        return self._s.tls_active

    @property
    def idling(self) -> bool:
        return self._s.mode is InputMode.IDLE_DONE

    def set_wakeup(self, wakeup: Callable[[], None] | None) -> None:
        """The driver's callback for output that no input asked for (IDLE updates, a BYE)."""
        self._s.wakeup = wakeup

    def start(self, refusal: ShutdownReason | None = None) -> list[Event]:
        """Queue the greeting, with capabilities so a client can skip asking.

        ``refusal``: greet with ``* BYE`` instead and close (RFC 3501 section 7.1.5).
        """
        if self._started:
            raise LocalProtocolError("start() called twice")
        self._started = True
        events: list[Event] = []
        if refusal is not None:
            self._s.untagged("BYE " + _GOODBYES[refusal])
            self._close(events)
            return events
        text = Texts.GREETING.format(hostname=self.config.hostname)
        self._s.untagged(f"OK [CAPABILITY {self._s.capabilities()}] {text}")
        return events

    def connection_lost(self) -> list[Event]:
        """The client went away (as ``receive_data(b"")``)."""
        if not self._started:
            events: list[Event] = []
            if not self._ended:
                self._close(events)
            return events
        return self.receive_data(b"")

    def shutdown(self, reason: ShutdownReason) -> list[Event]:
        """End the connection now with an untagged ``BYE`` (RFC 3501 section 7.1.5)."""
        events: list[Event] = []
        if self._ended:
            return events
        if self._started:
            self._s.untagged("BYE " + _GOODBYES[reason])
        self._close(events)
        return events

    def still_there(self) -> bool:
        """The driver found the connection quiet for its idle timeout. During IDLE that is
        normal: queue Dovecot's ``* OK Still here`` and keep it (True); else False."""
        if not self.idling or self.closed:
            return False
        self._s.untagged(f"OK {Texts.STILL_HERE}")
        return True

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the peer; ``b""`` means the peer closed."""
        if not self._started:
            raise LocalProtocolError("call start() before receive_data()")
        events: list[Event] = []
        if self._ended:
            return events  # the connection is going away; nothing more is read
        if not data:
            self._close(events)
            return events
        if not self._reading():
            # Plaintext sent after STARTTLS and before the handshake is an
            # injection attempt (cf. CVE-2011-0411): never execute it.
            return events
        self._framer.feed(data)
        self._process(events)
        return events

    def data_to_send(self) -> bytes:
        out = bytes(self._s.out)
        self._s.out.clear()
        return out

    def tls_established(self) -> None:
        """The driver finished the TLS handshake that STARTTLS announced."""
        self._s.machine.fire(Trigger.TLS_ESTABLISHED)

    def _reading(self) -> bool:
        """Whether input is processed now: not after the end, and not while
        a TLS handshake is pending (plaintext then could be injected)."""
        return not self._s.closed and self._s.machine.tls is not TLSState.NEGOTIATING

    # --- framing -------------------------------------------------------------

    def _process(self, events: list[Event]) -> None:
        while self._reading():
            item = self._framer.next_item(raw=self._s.mode is not InputMode.COMMAND)
            if item is None:
                break
            if isinstance(item, Command):
                self._command(item.parts, events)
            elif isinstance(item, RawLine):
                self._raw_line(item.data, events)
            elif isinstance(item, LiteralAnnounced):
                self._literal_announced(item, events)
            else:
                self._too_long(item, events)
            if self._s.bad_in_a_row >= MAX_BAD_IN_A_ROW and not self._s.closed:
                self._s.untagged("BYE " + Texts.BYE_TOO_MANY_BAD)  # as Dovecot does: one client, one limit
                self._s.closed = True
        if self._s.closed and not self._ended:
            self._close(events)

    def _literal_announced(self, item: LiteralAnnounced, events: list[Event]) -> None:
        tag = tag_of(item.first)
        refusal = self._precheck(item.first or item.line) if item.opening else None
        name = command_of(item.first)
        limit = MAX_APPEND if name == "APPEND" else MAX_LITERAL
        if refusal is not None or item.size > limit:
            if not item.synchronizing and item.size > limit:
                # LITERAL+: the octets are on their way and too many to read; Dovecot's answer.
                self._s.untagged("BYE " + Texts.TOO_BIG_BYE)
                self._s.closed = True
                return
            if refusal is None:
                refusal = Texts.TOO_BIG.format(limit=MAX_APPEND) if name == "APPEND" else Texts.LITERAL_TOO_BIG
            if item.synchronizing:
                # Refuse before the client sends the literal (RFC 3501 section 7.5, the
                # "A044 BLURDYBLOOP {102856}" example; RFC 7889 for APPEND).
                self._framer.drop_command()
            else:
                self._framer.skip_literal(item.size)  # it comes anyway: read past it, run none of it
            status = "NO" if name == "APPEND" and refusal.startswith("[TOOBIG]") else "BAD"
            self._reject(tag, refusal, item.line, events, status)
            return
        self._framer.accept_literal(item, limit)
        if item.synchronizing:
            self._s.cont(Texts.CONTINUE_LITERAL)

    def _too_long(self, item: TooLong, events: list[Event]) -> None:
        # A command already under way (after a literal, or an AUTHENTICATE
        # exchange) has a known tag: end it with a tagged BAD. A first line
        # is dropped unread, so its command is not determined: untagged BAD,
        # as in RFC 9051's section 7.1.3 example.
        known = self._s.pending_tag or item.tag
        if self._s.mode is InputMode.IDLE_DONE:
            self._s.mode = InputMode.COMMAND
        elif self._s.mode is InputMode.AUTH_RESPONSE:
            self._s.mode, self._s.pending_tag = InputMode.COMMAND, None
        self._reject(known, Texts.LINE_TOO_LONG, item.start[:80], events)

    def _precheck(self, first: bytes) -> str | None:
        """Why the command starting with ``first`` cannot run, or None."""
        if not first:
            return Texts.EMPTY_LINE
        if tag_of(first) is None:
            return Texts.NO_TAG
        name = command_of(first)
        if name is None:
            return Texts.NO_COMMAND
        if name not in COMMANDS:
            return Texts.UNKNOWN_COMMAND.format(command=name)
        if not self._s.machine.allows(name):
            return Texts.WRONG_STATE.format(command=name, state=self.state.value)
        return None

    def _reject(self, tag: str | None, reason: str, line: bytes, events: list[Event], status: str = "BAD") -> None:
        if tag is None:  # section 7.1.3: untagged when the command is unknown
            self._s.untagged(f"BAD {reason}")
        else:
            self._s.tagged(tag, status, reason)
        from ._events_more import InvalidCommand
        events.append(InvalidCommand(tag or "", line.decode("utf-8", "replace"), reason))

    # --- commands --------------------------------------------------------------

    def _command(self, parts: list[bytes | Literal], events: list[Event]) -> None:
        first = parts[0]
        assert isinstance(first, bytes)
        line = b"".join(
            p if isinstance(p, bytes) else b"{%d}\r\n%s" % (len(p.data), p.data) for p in parts
        )
        refusal = self._precheck(first)
        if refusal is None and any(b"\x00" in p for p in parts if isinstance(p, bytes)):
            refusal = Texts.SYNTAX.format(reason="NUL octet")  # RFC 3501 section 9 note 3
        if refusal is not None:
            self._reject(tag_of(first), refusal, line[:MAX_LINE], events)
            return
        tag, name = tag_of(first), command_of(first)
        assert tag is not None and name is not None
        shown = line if name != "APPEND" else line[: line.find(b"\r\n") + 1 or None]
        events.append(CommandReceived(tag, name, shown.decode("utf-8", "replace")))
        rest = first[len(tag) + 1 + len(name) :]
        s = self._s
        try:
            if (rest and not rest.startswith(b" ")) or (not rest and len(parts) > 1):
                raise IMAPSyntaxError("expected a space")
            args = parse_tokens([rest[1:], *parts[1:]]) if rest else []
            self._handlers[name](s, tag, args, events)
        except IMAPSyntaxError as exc:
            s.tagged(tag, "BAD", Texts.SYNTAX.format(reason=exc))
        except CannotSearch as exc:
            s.tagged(tag, "NO", Texts.CANNOT_SEARCH.format(key=exc))
        except StoreError as exc:
            s.complete(tag, "NO", store_error_text(exc))

    def _cmd_capability(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        no_args(args)
        s.untagged(f"CAPABILITY {s.capabilities()}")
        s.complete(tag, "OK", Texts.CAPABILITY_DONE)

    def _cmd_noop(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        no_args(args)
        s.complete(tag, "OK", Texts.NOOP_DONE)  # NOOP is the polling command (section 6.1.2)

    def _cmd_logout(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        no_args(args)
        s.untagged("BYE " + Texts.BYE.format(hostname=self.config.hostname))
        s.tagged(tag, "OK", Texts.LOGOUT_DONE)
        self._close(events)

    def _cmd_id(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        # RFC 2971: ID ("name" "value" ...) or ID NIL
        if len(args) != 1 or not (isinstance(args[0], list) or (isinstance(args[0], Atom) and args[0].upper() == "NIL")):
            raise IMAPSyntaxError("ID takes a list of field-value pairs or NIL")
        pairs = args[0] if isinstance(args[0], list) else []
        if len(pairs) % 2 or len(pairs) > 60:
            raise IMAPSyntaxError("ID takes field-value pairs")
        fields = tuple((text_of(k), "" if v == "NIL" else text_of(v)) for k, v in zip(pairs[::2], pairs[1::2]))
        s.untagged(b"ID (" + quoted("name") + b" " + quoted("smtpsim") + b")")
        s.complete(tag, "OK", Texts.ID_DONE)
        from ._events_more import ClientIdentified
        events.append(ClientIdentified(fields))

    def _cmd_starttls(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        no_args(args)
        if s.tls_active:
            s.tagged(tag, "BAD", Texts.STARTTLS_ACTIVE)
        elif not self.config.starttls_available:
            s.tagged(tag, "BAD", Texts.STARTTLS_UNAVAILABLE)
        else:
            s.tagged(tag, "OK", Texts.STARTTLS_GO)
            s.machine.fire(Trigger.STARTTLS_OK)
            self._framer.discard_pending()  # pipelined plaintext must not survive the upgrade
            events.append(StartTLSRequested())

    def _cmd_login(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        if len(args) != 2 or isinstance(args[0], list) or isinstance(args[1], list):
            raise IMAPSyntaxError("LOGIN takes a user name and a password")
        user, password = text_of(args[0]), text_of(args[1])
        if s.login_disabled():
            # RFC 3501 section 6.2.3: LOGIN is refused, not malformed, so NO.
            s.tagged(tag, "NO", Texts.PRIVACY_REQUIRED)
            from ._events_more import LoginFailed
            events.append(LoginFailed(user, Texts.PRIVACY_REQUIRED))
            return
        self._finish_login(tag, user, password, Texts.LOGIN_DONE, events)

    def _cmd_authenticate(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        if not 1 <= len(args) <= 2 or not all(isinstance(a, Atom) for a in args):
            raise IMAPSyntaxError("AUTHENTICATE takes a mechanism name and an optional initial response")
        mechanism = str(args[0]).upper()
        if mechanism != "PLAIN":
            s.tagged(tag, "NO", Texts.AUTH_MECHANISM)
        elif s.login_disabled():
            s.tagged(tag, "NO", Texts.PRIVACY_REQUIRED)
            from ._events_more import LoginFailed
            events.append(LoginFailed("", Texts.PRIVACY_REQUIRED))
        elif len(args) == 2:  # SASL-IR (RFC 4959): the response came with the command; "=" is empty
            self._plain_response(tag, b"" if args[1] == "=" else str(args[1]).encode("ascii"), events)
        else:
            s.mode, s.pending_tag = InputMode.AUTH_RESPONSE, tag
            s.cont("")  # PLAIN has no challenge: an empty one (RFC 4616)

    def _raw_line(self, line: bytes, events: list[Event]) -> None:
        s = self._s
        tag, mode = s.pending_tag, s.mode
        s.mode, s.pending_tag = InputMode.COMMAND, None
        assert tag is not None
        if mode is InputMode.IDLE_DONE:
            from ._events_more import IdleEnded
            events.append(IdleEnded())
            if line.strip().upper() == b"DONE":
                s.complete(tag, "OK", Texts.IDLE_DONE)
            else:
                s.tagged(tag, "BAD", Texts.IDLE_EXPECTED_DONE)
            return
        if line == b"*":  # section 6.2.2: the client cancels with "*"
            s.tagged(tag, "BAD", Texts.AUTH_CANCELLED)
            return
        self._plain_response(tag, line, events)

    def _plain_response(self, tag: str, line: bytes, events: list[Event]) -> None:
        try:
            fields = base64.b64decode(line, validate=True).split(b"\x00")
        except (binascii.Error, ValueError):
            fields = []
        if len(fields) != 3:
            self._s.tagged(tag, "BAD", Texts.AUTH_BAD_BASE64)
            return
        authzid, user, password = (f.decode("utf-8", "surrogateescape") for f in fields)
        if authzid and authzid != user:
            self._s.tagged(tag, "NO", Texts.AUTHZ_FAILED)
            from ._events_more import LoginFailed
            events.append(LoginFailed(user, Texts.AUTHZ_FAILED))
            return
        self._finish_login(tag, user, password, Texts.AUTH_DONE, events)

    def _finish_login(self, tag: str, user: str, password: str, done: str, events: list[Event]) -> None:
        s = self._s
        gate = self.login_gate
        if gate is not None and not gate.allowed():
            # [UNAVAILABLE] (RFC 5530): a temporary failure, try later; the password was not even checked.
            s.tagged(tag, "NO", Texts.TOO_MANY_FAILURES)
            from ._events_more import LoginFailed
            events.append(LoginFailed(user, Texts.TOO_MANY_FAILURES))
            return
        if self.store.authenticate(user, password):
            s.user = user
            s.machine.fire(Trigger.LOGIN_OK)
            # Section 6.2.3: a CAPABILITY code saves the client a round trip.
            s.tagged(tag, "OK", f"[CAPABILITY {s.capabilities()}] {done}")
            events.append(LoginSucceeded(user))
        else:
            if gate is not None:
                gate.failed()
            s.tagged(tag, "NO", Texts.AUTH_FAILED)
            from ._events_more import LoginFailed
            events.append(LoginFailed(user, Texts.AUTH_FAILED))

    # --- IDLE (RFC 2177) ---------------------------------------------------------

    def _cmd_idle(self, s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
        no_args(args)
        s.report_changes()  # what is already known goes out first (the RFC 2177 example)
        if s.closed:
            return
        s.cont(Texts.IDLE_GO)
        s.mode, s.pending_tag = InputMode.IDLE_DONE, tag
        from ._events_more import IdleStarted
        events.append(IdleStarted())

    def _mailbox_changed(self) -> None:
        """The store queued a change for this session's mailbox (it calls this at once)."""
        s = self._s
        if s.mode is not InputMode.IDLE_DONE or s.closed:
            return  # reported at the end of the next command
        s.report_changes()
        if s.closed:
            self._close([])
        if s.out and s.wakeup is not None:
            s.wakeup()

    def _close(self, events: list[Event]) -> None:
        s = self._s
        s.closed = True
        s.mode = InputMode.COMMAND
        s.deselect()
        self._framer.discard_pending()
        if not self._ended:
            self._ended = True
            s.machine.fire(Trigger.LOGOUT)
            events.append(ConnectionClosed())
