"""A scripted IMAP4rev1 client as a sans-I/O state machine.

It plays one fixed session: CAPABILITY, STARTTLS if configured, LOGIN,
SELECT, SEARCH UNSEEN (or all messages), one FETCH per message, then
optionally moves what it read to another mailbox (MOVE, RFC 6851, or COPY,
STORE \\Deleted and EXPUNGE where MOVE is not offered), and LOGOUT. With
``idle`` it stays connected instead, as a phone does: IDLE (RFC 2177), and
when told of new mail, DONE, a FETCH of the new headers, IDLE again, until
the driver says its IDLE timer ran out (``idle_expired()``).
Bytes from the server go into :meth:`IMAPClient.receive_data`; the commands
wait in :meth:`IMAPClient.data_to_send`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ..errors import LocalProtocolError, RemoteProtocolError
# Failures, IDLE, ID and mailbox changes: their events are imported where reported (see _events_more).
from ._events import Event, MailboxSelected, MessageFetched, SessionClosed, StartTLSReady
from ._state import CLIENT_FLOW, IDLE_FLOW, IDLE_REFRESH, IMAPClientStep
from ._syntax import compress_uids
from .responses import Atom, Literal, encode_astring, parse_tokens

__all__ = ["IMAPTLS", "FetchedMessage", "IMAPClient", "IMAPClientConfig"]

MAX_RESPONSE_LINE = 65536
MAX_RESPONSE_LITERAL = 64 * 1024 * 1024

_LITERAL_AT_END = re.compile(rb"\{([0-9]{1,10})\}\Z")
_CODE = re.compile(r"\[([^\]]*)\]")
_Step = IMAPClientStep
_TLS_STEPS = (_Step.STARTTLS, _Step.TLS_NEGOTIATING, _Step.CAPABILITY_TLS)


class IMAPTLS(Enum):
    NONE = "none"  # port 143, cleartext throughout
    STARTTLS = "starttls"  # port 143, upgrade with STARTTLS before LOGIN
    IMPLICIT = "implicit"  # port 993: the driver did TLS before any byte


@dataclass(frozen=True)
class IMAPClientConfig:
    """How the IMAP client logs in and which mailbox it reads."""

    username: str
    password: str
    tls: IMAPTLS
    mailbox: str = "INBOX"
    fetch: str = "unseen"  # "unseen": messages without \Seen; "all": every message
    peek: bool = False  # BODY.PEEK[] leaves \Seen alone
    trash: bool = False  # move what was read to the folder the server marks \\Trash (RFC 6154)
    idle: bool = False  # stay connected and IDLE (a phone), instead of logging out

    def __post_init__(self) -> None:
        if self.fetch not in ("unseen", "all"):
            raise ValueError(f"fetch must be 'unseen' or 'all', not {self.fetch!r}")


@dataclass(frozen=True)
class FetchedMessage:
    """A message the client fetched: its number, UID and bytes."""

    seq: int
    uid: int | None
    content: bytes


class IMAPClient:
    """One scripted IMAP session, client side."""

    def __init__(self, config: IMAPClientConfig) -> None:
        self.config = config
        self.closed = False
        self.fetched: list[FetchedMessage] = []
        self.capabilities: frozenset[str] = frozenset()
        self.step = _Step.GREETING
        self._out = bytearray()
        self._buffer = bytearray()
        self._parts: list[bytes | Literal] = []
        self._literal = bytearray()
        self._literal_left = 0
        self._tag_number = 0
        self._tag = ""
        self._command = ""
        self._pending: list[bytes | Literal] = []  # rest of a command after a literal
        self._exists = 0
        self._to_fetch: list[int] = []
        self._read: list[int] = []  # sequence numbers fetched (for TIDY)
        self._tidy: list[tuple[str, tuple[bytes, ...]]] = []  # the commands TIDY still has to send
        self.trash_folder = "Trash"  # what LIST said is \\Trash (this name if it said nothing)
        self._preauth = False  # greeting said PREAUTH: no STARTTLS/LOGIN possible
        self.waiting = False  # in IDLE, told to go ahead: nothing to send until news or the timer
        self._expired = False
        self.notified = 0  # how many new messages IDLE announced
        self.idle_round = 0  # how many IDLE commands were sent (a driver's timer belongs to one)

    # --- public API ----------------------------------------------------------

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the server; ``b""`` means the server closed."""
        events: list[Event] = []
        if self.closed:
            return events
        if not data:
            self._finish(events)
            return events
        if not self._reading():
            return events  # plaintext before the handshake could be injected
        self._buffer += data
        while self._reading():
            response = self._next_response()
            if response is None:
                break
            self._handle(response, events)
        return events

    def _reading(self) -> bool:
        """Whether input is processed now: not after the end, and not while
        a TLS handshake is pending (plaintext then could be injected)."""
        return not self.closed and self.step is not _Step.TLS_NEGOTIATING

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def connection_lost(self) -> list[Event]:
        """The server went away (as ``receive_data(b"")``)."""
        return self.receive_data(b"")

    @property
    def idle_timeout(self) -> float | None:
        """While waiting in IDLE: when to give up waiting (RFC 2177's 29 minutes)."""
        return IDLE_REFRESH if self.waiting else None

    def idle_expired(self) -> None:
        """The driver's IDLE timer ran out: end IDLE (DONE), then log out."""
        if self.waiting:
            self.waiting, self._expired = False, True
            self.step = IMAPClientStep.DONE
            self._out += b"DONE\r\n"

    def tls_established(self) -> None:
        """The TLS handshake that followed STARTTLS is done."""
        if self.step is not _Step.TLS_NEGOTIATING:
            raise LocalProtocolError("tls_established() without a STARTTLS in progress")
        self.step = CLIENT_FLOW[self.step]
        self._send("CAPABILITY")

    # --- framing -------------------------------------------------------------

    def _next_response(self) -> list[bytes | Literal] | None:
        """One whole response (line text and literals), or None if incomplete."""
        while True:
            if self._literal_left:
                chunk = self._buffer[: self._literal_left]
                del self._buffer[: len(chunk)]
                self._literal += chunk
                self._literal_left -= len(chunk)
                if self._literal_left:
                    return None
                self._parts.append(Literal(bytes(self._literal)))
                self._literal.clear()
            newline = self._buffer.find(b"\n")
            if newline < 0:
                if len(self._buffer) > MAX_RESPONSE_LINE:
                    raise RemoteProtocolError("server response line too long")
                return None
            line = bytes(self._buffer[:newline]).removesuffix(b"\r")
            del self._buffer[: newline + 1]
            match = _LITERAL_AT_END.search(line)
            if match is None:
                parts, self._parts = [*self._parts, line], []
                return parts
            size = int(match.group(1))
            if size > MAX_RESPONSE_LITERAL:
                raise RemoteProtocolError("server literal too big")
            self._parts.append(line[: match.start()])
            self._literal_left = size
            if size == 0:
                self._parts.append(Literal(b""))

    # --- output ----------------------------------------------------------------

    def _send(self, command: str, *args: bytes | Literal) -> None:
        """Queue ``tag command args``; text after a literal waits for "+"."""
        self._tag_number += 1
        self._tag, self._command = f"a{self._tag_number:03d}", command
        pieces: list[bytes | Literal] = [f"{self._tag} {command}".encode()]
        for arg in args:
            pieces.append(b" ")
            pieces.append(arg)
        pieces.append(b"\r\n")
        self._pending = pieces
        self._flush_pending()

    def _flush_pending(self) -> None:
        while self._pending:
            piece = self._pending.pop(0)
            if isinstance(piece, Literal):
                # A synchronizing literal: announce it, send it after "+".
                self._out += b"{%d}\r\n" % len(piece.data)
                self._pending.insert(0, piece.data)
                return
            self._out += piece

    # --- responses ---------------------------------------------------------------

    def _handle(self, parts: list[bytes | Literal], events: list[Event]) -> None:
        first = parts[0]
        assert isinstance(first, bytes)
        if first == b"+" or first.startswith(b"+ "):
            if self.step is _Step.IDLE and not self.waiting:
                self.waiting = True  # "+ idling": the server will tell of changes
                return
            if not self._pending:
                raise RemoteProtocolError("unexpected continuation request")
            self._flush_pending()
            return
        if first.startswith(b"* "):
            self._untagged(parts, events)
            return
        tag, _, rest = first.partition(b" ")
        status, _, text_bytes = rest.partition(b" ")
        if tag.decode("ascii", "replace") != self._tag or status not in (b"OK", b"NO", b"BAD"):
            raise RemoteProtocolError(f"unexpected response {first[:80]!r}")
        text = text_bytes.decode("utf-8", "replace")
        self._note_codes(text)
        self._pending = []
        if status == b"OK":
            self._succeeded(text, events)
        else:
            self._failed(text, events)

    def _untagged(self, parts: list[bytes | Literal], events: list[Event]) -> None:
        first = parts[0]
        assert isinstance(first, bytes)
        words = first[2:].split(b" ", 2)
        kind = words[0].upper()
        text = first[2:].decode("utf-8", "replace")
        if self.step is _Step.GREETING:
            if kind == b"BYE":
                self._finish(events)
            elif kind not in (b"OK", b"PREAUTH"):
                raise RemoteProtocolError(f"bad greeting {first[:80]!r}")
            else:
                self._preauth = kind == b"PREAUTH"
                self._note_codes(text)
                self._advance(events)
            return
        if kind == b"BYE":
            if self.step is not _Step.LOGOUT:  # not part of a LOGOUT: the server quits
                self._finish(events)
        elif kind == b"CAPABILITY":
            self.capabilities = frozenset(text.upper().split()[1:])
        elif kind in (b"OK", b"NO", b"BAD"):
            self._note_codes(text)
        elif kind == b"LIST" and self.step is _Step.FOLDERS:
            self._note_folder(parts)
        elif kind == b"SEARCH" and self.step is _Step.SEARCH:
            self._to_fetch = [int(n) for n in text.split()[1:] if n.isdigit()]
        elif len(words) > 1 and words[0].isdigit() and words[1].upper() == b"EXISTS":
            self._told_exists(int(words[0]))
        elif len(words) > 1 and words[0].isdigit() and words[1].upper() == b"EXPUNGE":
            self._exists -= 1
            self._to_fetch = [n - 1 if n > int(words[0]) else n for n in self._to_fetch if n != int(words[0])]
        elif len(words) > 2 and words[0].isdigit() and words[1].upper() == b"FETCH":
            # msg-att starts after "* <n> FETCH "
            self._fetch_data(int(words[0]), [words[2], *parts[1:]], events)

    def _told_exists(self, count: int) -> None:
        new = list(range(self._exists + 1, count + 1))
        self._exists = count
        if self.step in (_Step.IDLE, _Step.DONE, _Step.FETCH_NEW) and new:
            self._to_fetch += new
            self.notified += len(new)
            if self.waiting:  # news while IDLE: end it to go and read (RFC 2177 §3)
                self.waiting = False
                self.step = _Step.DONE
                self._out += b"DONE\r\n"

    def _note_folder(self, parts: list[bytes | Literal]) -> None:
        """``* LIST (attributes) delimiter name``: remember the one marked \\Trash."""
        tokens = parse_tokens([parts[0][len(b"* LIST "):] if isinstance(parts[0], bytes) else b"", *parts[1:]])
        if len(tokens) == 3 and isinstance(tokens[0], list):
            if any(isinstance(a, Atom) and a.upper() == "\\TRASH" for a in tokens[0]):
                name = tokens[2]
                self.trash_folder = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)

    def _note_codes(self, text: str) -> None:
        match = _CODE.match(text)
        if match and match.group(1).upper().startswith("CAPABILITY "):
            self.capabilities = frozenset(match.group(1).upper().split()[1:])

    def _fetch_data(self, seq: int, parts: list[bytes | Literal], events: list[Event]) -> None:
        tokens = parse_tokens(parts)
        if len(tokens) != 1 or not isinstance(tokens[0], list) or len(tokens[0]) % 2:
            raise RemoteProtocolError("malformed FETCH response")
        if not all(isinstance(key, Atom) for key in tokens[0][::2]):
            raise RemoteProtocolError("malformed FETCH response")
        items = dict(zip(tokens[0][::2], tokens[0][1::2], strict=True))
        uid_token = next((v for k, v in items.items() if str(k).upper() == "UID"), None)
        uid = int(uid_token) if isinstance(uid_token, Atom) and uid_token.isdigit() else None
        for key, value in items.items():
            if isinstance(key, Atom) and key.upper() in ("BODY[]", "RFC822"):
                content = value if isinstance(value, bytes) else b""
                self.fetched.append(FetchedMessage(seq, uid, content))
                events.append(MessageFetched(seq, uid, content))

    # --- the script --------------------------------------------------------------

    def _succeeded(self, text: str, events: list[Event]) -> None:
        if self.step is _Step.STARTTLS:
            self.step = CLIENT_FLOW[self.step]
            self.capabilities = frozenset()  # RFC 3501 6.2.1: MUST discard them
            self._buffer.clear()
            events.append(StartTLSReady())
            return
        if self.step is _Step.SELECT:
            events.append(MailboxSelected(self.config.mailbox, self._exists))
            self._to_fetch = list(range(1, self._exists + 1))
        if self.step is _Step.LOGOUT:
            self._finish(events)
            return
        if self.step is _Step.DONE and self._expired:
            self._logout()
            return
        self._advance(events)

    def _failed(self, text: str, events: list[Event]) -> None:
        if self.step is _Step.LOGIN:
            from ._events_more import LoginFailed
            events.append(LoginFailed(self.config.username, text))
        elif self.step is _Step.LOGOUT:
            self._finish(events)
            return
        else:
            from ._events_more import CommandFailed
            events.append(CommandFailed(self._tag, self._command, text))
        self._logout()

    def _advance(self, events: list[Event]) -> None:
        """Move to the next step of the script that applies, and send it."""
        step = self.step
        flow = {**CLIENT_FLOW, **IDLE_FLOW} if self.config.idle else CLIENT_FLOW
        while True:
            if step in (_Step.FETCH, _Step.FETCH_NEW) and self._to_fetch:
                break  # more messages to fetch: stay
            if step is _Step.TIDY and self._tidy:
                break  # more commands to move what was read
            if step is _Step.FETCH and self.config.trash and self._read:
                self._tidy = self._tidy_plan()
            step = flow[step]
            if step in _TLS_STEPS and (self._preauth or self.config.tls is not IMAPTLS.STARTTLS):
                continue
            if step is _Step.LOGIN and self._preauth:
                continue
            if step is _Step.SEARCH and self.config.fetch == "all":
                continue
            if step in (_Step.FETCH, _Step.FETCH_NEW) and not self._to_fetch:
                continue
            if step is _Step.TIDY and not self._tidy:
                continue
            if step is _Step.FOLDERS and not self.config.trash:
                continue
            break
        self.step = step
        if step is _Step.CAPABILITY:
            self._send("CAPABILITY")
        elif step is _Step.STARTTLS:
            if "STARTTLS" not in self.capabilities:
                reason = "server does not offer STARTTLS; not continuing in cleartext"
                from ._events_more import CommandFailed
                events.append(CommandFailed("", "STARTTLS", reason))
                self._logout()
                return
            self._send("STARTTLS")
        elif step is _Step.LOGIN:
            if "LOGINDISABLED" in self.capabilities:
                # RFC 3501 6.2.3: a client MUST NOT send LOGIN then.
                from ._events_more import LoginFailed
                events.append(LoginFailed(self.config.username, "server advertises LOGINDISABLED"))
                self._logout()
                return
            user = encode_astring(self.config.username)
            password = encode_astring(self.config.password, quote=True)
            self._send("LOGIN", user, password)
        elif step is _Step.FOLDERS:
            self._send("LIST", b"(SPECIAL-USE)", b'""', b'"*"')
        elif step is _Step.SELECT:
            self._send("SELECT", encode_astring(self.config.mailbox))
        elif step is _Step.SEARCH:
            self._send("SEARCH", b"UNSEEN")
        elif step is _Step.FETCH:
            item = b"BODY.PEEK[]" if self.config.peek else b"BODY[]"
            seq = self._to_fetch.pop(0)
            self._read.append(seq)
            self._send("FETCH", str(seq).encode(), item)
        elif step is _Step.FETCH_NEW:
            # What a phone shows in its notification: who, what, when; the body stays unread.
            self._send("FETCH", str(self._to_fetch.pop(0)).encode(),
                       b"(UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])")
        elif step is _Step.TIDY:
            command, args = self._tidy.pop(0)
            self._send(command, *args)
        elif step is _Step.IDLE:
            self.idle_round += 1
            self._send("IDLE")
        elif step is _Step.LOGOUT:
            self._send("LOGOUT")

    def _tidy_plan(self) -> list[tuple[str, tuple[bytes, ...]]]:
        """MOVE what was read (RFC 6851); without MOVE, the old way: COPY, mark \\Deleted, EXPUNGE."""
        seqs = compress_uids(sorted(self._read)).encode()  # the same set syntax serves for numbers
        target = encode_astring(self.trash_folder)
        assert isinstance(target, bytes)  # a folder name the server listed is 7-bit
        if "MOVE" in self.capabilities:
            return [("MOVE", (seqs, target))]
        return [("COPY", (seqs, target)), ("STORE", (seqs, b"+FLAGS.SILENT", b"(\\Deleted)")), ("EXPUNGE", ())]

    def _logout(self) -> None:
        self.step = _Step.LOGOUT
        self._send("LOGOUT")

    def _finish(self, events: list[Event]) -> None:
        if not self.closed:
            self.closed = True
            self.step = _Step.CLOSED
            events.append(SessionClosed())
