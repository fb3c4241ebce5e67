"""An IMAP4rev1 server (RFC 3501 subset) as a sans-I/O state machine.

Bytes go in through :meth:`IMAPServer.receive_data`, events come out, and
the reply bytes wait in :meth:`IMAPServer.data_to_send`. The driver (the
simulation engine or an asyncio transport) owns the socket and the TLS.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from ..common import ShutdownReason
from ..errors import LocalProtocolError
from ..mailstore import Mailbox, MailStore, StoredMessage
from ._events import (
    CommandReceived,
    ConnectionClosed,
    Event,
    InvalidCommand,
    LoginFailed,
    LoginSucceeded,
    MailboxSelected,
    MessageFetched,
    StartTLSRequested,
)
from ._framing import (
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
from ._state import COMMAND_STATES, IMAPServerState, IMAPServerStateMachine, TLSState, Trigger
from .responses import (
    FETCH_ITEMS,
    Atom,
    CannotSearch,
    IMAPSyntaxError,
    Literal,
    Texts,
    Token,
    body_section,
    format_flags,
    parse_fetch_items,
    parse_search,
    parse_sequence_set,
    parse_tokens,
)

__all__ = ["MAX_LINE", "MAX_LITERAL", "IMAPServer", "IMAPServerConfig"]

_SYSTEM_FLAGS = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)"
_PERMANENT_FLAGS = "(\\Seen)"  # no STORE here: only FETCH BODY[] changes a flag
_GOODBYES = {
    ShutdownReason.IDLE_TIMEOUT: Texts.BYE_IDLE,
    ShutdownReason.SERVER_STOPPING: Texts.BYE_STOPPING,
    ShutdownReason.TOO_MANY_CONNECTIONS: Texts.BYE_TOO_MANY,
    ShutdownReason.SERVICE_UNAVAILABLE: Texts.BYE_UNAVAILABLE,
}


@dataclass(frozen=True)
class IMAPServerConfig:
    hostname: str
    implicit_tls: bool = False  # port 993: the driver did TLS before start()
    starttls_available: bool = True
    login_requires_tls: bool = True


class IMAPServer:
    """One IMAP connection, server side."""

    def __init__(self, config: IMAPServerConfig, store: MailStore) -> None:
        self.config = config
        self.store = store
        self.closed = False
        self._machine = IMAPServerStateMachine(config.implicit_tls)
        self._started = False
        self._out = bytearray()
        self._framer = CommandFramer()  # lines and literals -> commands
        self._auth_tag: str | None = None  # AUTHENTICATE waiting for its response
        self._user: str | None = None
        self._mailbox: Mailbox | None = None
        self._view: list[StoredMessage] = []  # the session's sequence numbers
        self._recent: set[int] = set()
        self._read_only = False

    # --- public API ----------------------------------------------------------

    @property
    def state(self) -> IMAPServerState:
        return self._machine.state

    @property
    def tls_active(self) -> bool:
        return self._machine.tls is TLSState.ACTIVE

    def start(self, refusal: ShutdownReason | None = None) -> list[Event]:
        """Queue the greeting, with capabilities so a client can skip asking.

        ``refusal``: greet with ``* BYE`` instead and close (RFC 3501 section 7.1.5).
        """
        if self._started:
            raise LocalProtocolError("start() called twice")
        self._started = True
        events: list[Event] = []
        if refusal is not None:
            self._untagged("BYE " + _GOODBYES[refusal])
            self._close(events)
            return events
        text = Texts.GREETING.format(hostname=self.config.hostname)
        self._untagged(f"OK [CAPABILITY {self._capabilities()}] {text}")
        return events

    def connection_lost(self) -> list[Event]:
        """The client went away (as ``receive_data(b"")``)."""
        if not self._started:
            events: list[Event] = []
            if not self.closed:
                self._close(events)
            return events
        return self.receive_data(b"")

    def shutdown(self, reason: ShutdownReason) -> list[Event]:
        """End the connection now with an untagged ``BYE`` (RFC 3501 section 7.1.5)."""
        events: list[Event] = []
        if self.closed:
            return events
        if self._started:
            self._untagged("BYE " + _GOODBYES[reason])
        self._close(events)
        return events

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the peer; ``b""`` means the peer closed."""
        if not self._started:
            raise LocalProtocolError("call start() before receive_data()")
        events: list[Event] = []
        if self.closed:
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

    def _reading(self) -> bool:
        """Whether input is processed now: not after the end, and not while
        a TLS handshake is pending (plaintext then could be injected)."""
        return not self.closed and self._machine.tls is not TLSState.NEGOTIATING

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def tls_established(self) -> None:
        """The driver finished the TLS handshake that STARTTLS announced."""
        self._machine.fire(Trigger.TLS_ESTABLISHED)

    # --- framing -------------------------------------------------------------

    def _process(self, events: list[Event]) -> None:
        while self._reading():
            item = self._framer.next_item(raw=self._auth_tag is not None)
            if item is None:
                return
            if isinstance(item, Command):
                self._command(item.parts, events)
            elif isinstance(item, RawLine):
                self._auth_response(item.data, events)
            elif isinstance(item, LiteralAnnounced):
                self._literal_announced(item, events)
            else:
                self._too_long(item, events)

    def _literal_announced(self, item: LiteralAnnounced, events: list[Event]) -> None:
        tag = tag_of(item.first)
        if item.opening:
            # Refuse an unusable command before the client sends the literal
            # (RFC 3501 section 7.5, the "A044 BLURDYBLOOP {102856}" example).
            refusal = self._precheck(item.first or item.line)
            if refusal is not None:
                self._framer.drop_command()
                self._reject(tag, refusal, item.line, events)
                return
        if not self._framer.accept_literal(item):
            self._reject(tag, Texts.LITERAL_TOO_BIG, item.line, events)
            return
        self._cont(Texts.CONTINUE_LITERAL)

    def _too_long(self, item: TooLong, events: list[Event]) -> None:
        # A command already under way (after a literal, or an AUTHENTICATE
        # exchange) has a known tag: end it with a tagged BAD. A first line
        # is dropped unread, so its command is not determined: untagged BAD,
        # as in RFC 9051's section 7.1.3 example.
        known = self._auth_tag or item.tag
        self._auth_tag = None
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
        if name not in COMMAND_STATES:
            return Texts.UNKNOWN_COMMAND.format(command=name)
        if not self._machine.allows(name):
            return Texts.WRONG_STATE.format(command=name, state=self.state.value)
        return None

    # --- output ----------------------------------------------------------------

    def _untagged(self, text: str) -> None:
        self._out += b"* " + text.encode("utf-8", "surrogateescape") + b"\r\n"

    def _tagged(self, tag: str, status: str, text: str) -> None:
        self._out += f"{tag} {status} {text}\r\n".encode("utf-8", "surrogateescape")

    def _cont(self, text: str) -> None:
        self._out += f"+ {text}\r\n".encode()

    def _reject(self, tag: str | None, reason: str, line: bytes, events: list[Event]) -> None:
        if tag is None:  # section 7.1.3: untagged when the command is unknown
            self._untagged(f"BAD {reason}")
        else:
            self._tagged(tag, "BAD", reason)
        events.append(InvalidCommand(tag or "", line.decode("utf-8", "replace"), reason))

    def _capabilities(self) -> str:
        caps = ["IMAP4rev1"]
        if self.state is IMAPServerState.NOT_AUTHENTICATED:
            if not self.tls_active:
                if self.config.starttls_available:
                    caps.append("STARTTLS")
                if self.config.login_requires_tls:
                    caps.append("LOGINDISABLED")
                    return " ".join(caps)
            caps.append("AUTH=PLAIN")  # RFC 3501 section 6.1.1: MUST implement
        return " ".join(caps)

    def _login_disabled(self) -> bool:
        return self.config.login_requires_tls and not self.tls_active

    # --- commands --------------------------------------------------------------

    def _command(self, parts: list[bytes | Literal], events: list[Event]) -> None:
        first = parts[0]
        assert isinstance(first, bytes)
        line = b"".join(
            p if isinstance(p, bytes) else b"{%d}\r\n%s" % (len(p.data), p.data) for p in parts
        )
        if b"\x00" in line:  # RFC 3501 section 9 note 3: NUL MUST NOT be used
            self._reject(tag_of(first), Texts.SYNTAX.format(reason="NUL octet"), line, events)
            return
        refusal = self._precheck(first)
        if refusal is not None:
            self._reject(tag_of(first), refusal, line, events)
            return
        tag, name = tag_of(first), command_of(first)
        assert tag is not None and name is not None
        events.append(CommandReceived(tag, name, line.decode("utf-8", "replace")))
        rest = first[len(tag) + 1 + len(name) :]
        if rest and not rest.startswith(b" "):
            self._reject(tag, Texts.SYNTAX.format(reason="expected a space"), line, events)
            return
        if not rest and len(parts) > 1:
            self._reject(tag, Texts.SYNTAX.format(reason="expected a space"), line, events)
            return
        try:
            args = parse_tokens([rest[1:], *parts[1:]]) if rest else []
            getattr(self, f"_cmd_{name.lower()}")(tag, args, events)
        except IMAPSyntaxError as exc:
            self._tagged(tag, "BAD", Texts.SYNTAX.format(reason=exc))
        except CannotSearch as exc:
            self._tagged(tag, "NO", Texts.CANNOT_SEARCH.format(key=exc))

    def _cmd_capability(self, tag: str, args: list[Token], events: list[Event]) -> None:
        _no_args(args)
        self._untagged(f"CAPABILITY {self._capabilities()}")
        self._tagged(tag, "OK", Texts.CAPABILITY_DONE)

    def _cmd_noop(self, tag: str, args: list[Token], events: list[Event]) -> None:
        _no_args(args)
        if self.state is IMAPServerState.SELECTED:
            self._sync()  # NOOP is the polling command (section 6.1.2)
        self._tagged(tag, "OK", Texts.NOOP_DONE)

    def _cmd_logout(self, tag: str, args: list[Token], events: list[Event]) -> None:
        _no_args(args)
        self._untagged("BYE " + Texts.BYE.format(hostname=self.config.hostname))
        self._tagged(tag, "OK", Texts.LOGOUT_DONE)
        self._close(events)

    def _cmd_starttls(self, tag: str, args: list[Token], events: list[Event]) -> None:
        _no_args(args)
        if self.tls_active:
            self._tagged(tag, "BAD", Texts.STARTTLS_ACTIVE)
        elif not self.config.starttls_available:
            self._tagged(tag, "BAD", Texts.STARTTLS_UNAVAILABLE)
        else:
            self._tagged(tag, "OK", Texts.STARTTLS_GO)
            self._machine.fire(Trigger.STARTTLS_OK)
            self._framer.discard_pending()  # pipelined plaintext must not survive the upgrade
            events.append(StartTLSRequested())

    def _cmd_login(self, tag: str, args: list[Token], events: list[Event]) -> None:
        if len(args) != 2:
            raise IMAPSyntaxError("LOGIN takes a user name and a password")
        user, password = _astring(args[0]), _astring(args[1])
        if self._login_disabled():
            # RFC 3501 section 6.2.3: LOGIN is refused, not malformed, so NO.
            self._tagged(tag, "NO", Texts.PRIVACY_REQUIRED)
            events.append(LoginFailed(user, Texts.PRIVACY_REQUIRED))
            return
        self._finish_login(tag, user, password, Texts.LOGIN_DONE, events)

    def _cmd_authenticate(self, tag: str, args: list[Token], events: list[Event]) -> None:
        if len(args) != 1 or not isinstance(args[0], Atom):
            raise IMAPSyntaxError("AUTHENTICATE takes one mechanism name")
        if args[0].upper() != "PLAIN":
            self._tagged(tag, "NO", Texts.AUTH_MECHANISM)
        elif self._login_disabled():
            self._tagged(tag, "NO", Texts.PRIVACY_REQUIRED)
            events.append(LoginFailed("", Texts.PRIVACY_REQUIRED))
        else:
            self._auth_tag = tag
            self._cont("")  # PLAIN has no challenge: an empty one (RFC 4616)

    def _auth_response(self, line: bytes, events: list[Event]) -> None:
        tag, self._auth_tag = self._auth_tag, None
        assert tag is not None
        if line == b"*":  # section 6.2.2: the client cancels with "*"
            self._tagged(tag, "BAD", Texts.AUTH_CANCELLED)
            return
        try:
            fields = base64.b64decode(line, validate=True).split(b"\x00")
        except (binascii.Error, ValueError):
            fields = []
        if len(fields) != 3:
            self._tagged(tag, "BAD", Texts.AUTH_BAD_BASE64)
            return
        authzid, user, password = (f.decode("utf-8", "surrogateescape") for f in fields)
        if authzid and authzid != user:
            self._tagged(tag, "NO", Texts.AUTHZ_FAILED)
            events.append(LoginFailed(user, Texts.AUTHZ_FAILED))
            return
        self._finish_login(tag, user, password, Texts.AUTH_DONE, events)

    def _finish_login(
        self, tag: str, user: str, password: str, done: str, events: list[Event]
    ) -> None:
        if self.store.authenticate(user, password):
            self._user = user
            self._machine.fire(Trigger.LOGIN_OK)
            # Section 6.2.3: a CAPABILITY code saves the client a round trip.
            self._tagged(tag, "OK", f"[CAPABILITY {self._capabilities()}] {done}")
            events.append(LoginSucceeded(user))
        else:
            self._tagged(tag, "NO", Texts.AUTH_FAILED)
            events.append(LoginFailed(user, Texts.AUTH_FAILED))

    def _cmd_select(
        self, tag: str, args: list[Token], events: list[Event], examine: bool = False
    ) -> None:
        if len(args) != 1:
            raise IMAPSyntaxError("expected one mailbox name")
        name = _astring(args[0])
        assert self._user is not None
        mailbox = self.store.mailbox(self._user, name)
        self._mailbox, self._view, self._recent = None, [], set()
        if mailbox is None:
            self._machine.fire(Trigger.SELECT_FAILED)
            self._tagged(tag, "NO", Texts.NO_MAILBOX)
            return
        self._mailbox, self._view, self._read_only = mailbox, list(mailbox.messages), examine
        # EXAMINE MUST NOT take \Recent away from others (section 6.3.2).
        self._recent = mailbox.recent_uids() if examine else mailbox.claim_recent()
        self._machine.fire(Trigger.SELECT_OK)
        self._untagged(f"FLAGS {_SYSTEM_FLAGS}")
        self._untagged(f"{len(self._view)} EXISTS")
        self._untagged(f"{len(self._recent)} RECENT")
        unseen = [i for i, m in enumerate(self._view, 1) if "\\Seen" not in m.flags]
        if unseen:
            self._untagged(f"OK [UNSEEN {unseen[0]}] Message {unseen[0]} is first unseen")
        self._untagged(f"OK [UIDVALIDITY {mailbox.uidvalidity}] UIDs valid")
        self._untagged(f"OK [UIDNEXT {mailbox.uidnext}] Predicted next UID")
        if examine:
            self._untagged("OK [PERMANENTFLAGS ()] No permanent flags permitted")
        else:
            self._untagged(f"OK [PERMANENTFLAGS {_PERMANENT_FLAGS}] Limited")
        self._tagged(tag, "OK", Texts.EXAMINE_DONE if examine else Texts.SELECT_DONE)
        events.append(MailboxSelected(mailbox.name, len(self._view)))

    def _cmd_examine(self, tag: str, args: list[Token], events: list[Event]) -> None:
        self._cmd_select(tag, args, events, examine=True)

    def _cmd_check(self, tag: str, args: list[Token], events: list[Event]) -> None:
        _no_args(args)
        self._tagged(tag, "OK", Texts.CHECK_DONE)

    def _cmd_close(self, tag: str, args: list[Token], events: list[Event]) -> None:
        _no_args(args)
        if self._mailbox is not None and not self._read_only:
            # CLOSE expunges \Deleted messages silently (section 6.4.2).
            self._mailbox.remove(m for m in self._view if "\\Deleted" in m.flags)
        self._mailbox, self._view, self._recent = None, [], set()
        self._machine.fire(Trigger.CLOSE)
        self._tagged(tag, "OK", Texts.CLOSE_DONE)

    def _cmd_uid(self, tag: str, args: list[Token], events: list[Event]) -> None:
        sub = args[0].upper() if args and isinstance(args[0], Atom) else ""
        if sub == "FETCH":
            self._fetch(tag, args[1:], events, by_uid=True)
        elif sub == "SEARCH":
            self._search(tag, args[1:], by_uid=True)
        else:
            self._tagged(tag, "BAD", Texts.UNKNOWN_COMMAND.format(command=f"UID {sub}".strip()))

    def _cmd_fetch(self, tag: str, args: list[Token], events: list[Event]) -> None:
        self._fetch(tag, args, events, by_uid=False)

    def _cmd_search(self, tag: str, args: list[Token], events: list[Event]) -> None:
        self._search(tag, args, by_uid=False)

    # --- FETCH and SEARCH --------------------------------------------------------

    def _targets(self, spec: object, by_uid: bool) -> list[int]:
        """Sequence numbers named by a sequence set (of UIDs if ``by_uid``)."""
        if not isinstance(spec, Atom):
            raise IMAPSyntaxError("expected a sequence set")
        if by_uid:
            last = self._view[-1].uid if self._view else self._mailbox_uidnext()
            uids = parse_sequence_set(spec, last)
            return [i for i, m in enumerate(self._view, 1) if m.uid in uids]
        # Section 9, seq-number: a number beyond EXISTS (or "*" in an empty
        # mailbox) gets a tagged BAD.
        seqs = parse_sequence_set(spec, len(self._view))
        if seqs.highest() > len(self._view) or seqs.highest() == 0:
            raise IMAPSyntaxError(Texts.NO_SUCH_MESSAGE)
        return [i for i in range(1, len(self._view) + 1) if i in seqs]

    def _mailbox_uidnext(self) -> int:
        return self._mailbox.uidnext if self._mailbox is not None else 1

    def _fetch(self, tag: str, args: list[Token], events: list[Event], by_uid: bool) -> None:
        done = Texts.UID_FETCH_DONE if by_uid else Texts.FETCH_DONE
        if len(args) != 2:
            raise IMAPSyntaxError("FETCH takes a sequence set and data items")
        items = parse_fetch_items(args[1])
        unsupported = [i for i in items if i not in FETCH_ITEMS]
        if unsupported:
            self._tagged(tag, "NO", Texts.CANNOT_FETCH.format(item=unsupported[0]))
            return
        if by_uid and "UID" not in items:
            items.insert(0, "UID")  # section 6.4.8: UID FETCH always returns UID
        for seq in self._targets(args[0], by_uid):
            self._fetch_one(seq, items, events)
        self._tagged(tag, "OK", done)

    def _fetch_one(self, seq: int, items: list[str], events: list[Event]) -> None:
        message = self._view[seq - 1]
        before = set(message.flags)
        if not self._read_only and any(FETCH_ITEMS[i][1] for i in items):
            message.flags.add("\\Seen")  # section 6.4.5: BODY[] sets \Seen
        out: list[bytes] = []
        if "UID" in items:
            out.append(b"UID %d" % message.uid)
        if "FLAGS" in items or message.flags != before:
            # A flag change SHOULD be reported in the same FETCH response.
            out.append(b"FLAGS " + self._flags_of(message).encode())
        for item in items:
            if item in ("UID", "FLAGS"):
                continue
            name, _sets_seen = FETCH_ITEMS[item]
            if item == "INTERNALDATE":
                out.append(b'INTERNALDATE "%s"' % message.internal_date.encode())
            elif item == "RFC822.SIZE":
                out.append(b"RFC822.SIZE %d" % message.size)
            else:
                data = body_section(message.content, name)
                out.append(b"%s {%d}\r\n%s" % (name.encode(), len(data), data))
                events.append(MessageFetched(seq, message.uid, data))
        self._out += b"* %d FETCH (%s)\r\n" % (seq, b" ".join(out))

    def _flags_of(self, message: StoredMessage) -> str:
        flags = set(message.flags)
        if message.uid in self._recent:
            flags.add("\\Recent")
        return format_flags(flags)

    def _search(self, tag: str, args: list[Token], by_uid: bool) -> None:
        if len(args) >= 2 and isinstance(args[0], Atom) and args[0].upper() == "CHARSET":
            charset = _astring(args[1])
            if charset.upper() not in ("US-ASCII", "UTF-8"):
                self._tagged(tag, "NO", Texts.BAD_CHARSET)  # section 6.4.4: NO, not BAD
                return
            args = args[2:]
        last_uid = self._view[-1].uid if self._view else self._mailbox_uidnext()
        predicate = parse_search(args, len(self._view), last_uid)
        hits = [
            (m.uid if by_uid else i)
            for i, m in enumerate(self._view, 1)
            if predicate(i, m, m.uid in self._recent)
        ]
        self._untagged(" ".join(["SEARCH", *map(str, hits)]))
        self._tagged(tag, "OK", Texts.UID_SEARCH_DONE if by_uid else Texts.SEARCH_DONE)

    def _sync(self) -> None:
        """Report messages removed or added since the last report."""
        assert self._mailbox is not None
        alive = {id(m) for m in self._mailbox.messages}
        # Descending order: each EXPUNGE renumbers only the messages after it.
        for index in range(len(self._view) - 1, -1, -1):
            if id(self._view[index]) not in alive:
                del self._view[index]
                self._untagged(f"{index + 1} EXPUNGE")
        known = {id(m) for m in self._view}
        new = [m for m in self._mailbox.messages if id(m) not in known]
        if new:
            self._view.extend(new)
            if not self._read_only:
                self._recent |= self._mailbox.claim_recent()
            self._untagged(f"{len(self._view)} EXISTS")
            self._untagged(f"{len(self._recent & {m.uid for m in self._view})} RECENT")

    def _close(self, events: list[Event]) -> None:
        self.closed = True
        self._framer.discard_pending()
        self._machine.fire(Trigger.LOGOUT)
        events.append(ConnectionClosed())


def _no_args(args: list[Token]) -> None:
    if args:
        raise IMAPSyntaxError("this command takes no arguments")


def _astring(token: object) -> str:
    if isinstance(token, Atom):
        return str(token)
    if isinstance(token, bytes):
        return token.decode("utf-8", "surrogateescape")
    raise IMAPSyntaxError("expected a string")
