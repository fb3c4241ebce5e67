"""A scripted POP3 client as a sans-I/O state machine.

It plays one fixed session: CAPA, STLS (and CAPA again) if configured,
USER, PASS, STAT, RETR of every message (each followed by DELE when
deleting), QUIT.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..errors import LocalProtocolError, RemoteProtocolError
from ._events import (
    CommandFailed,
    Event,
    LoginFailed,
    MaildropStatus,
    MessageRetrieved,
    SessionClosed,
    StartTLSReady,
)
from ._state import CLIENT_FLOW, POP3ClientStep

__all__ = ["POP3TLS", "POP3Client", "POP3ClientConfig", "RetrievedMessage"]

MAX_RESPONSE_LINE = 1024 * 1024
MAX_MULTILINE = 64 * 1024 * 1024

_Step = POP3ClientStep
_TLS_STEPS = (_Step.STLS, _Step.TLS_NEGOTIATING, _Step.CAPA_TLS)


class POP3TLS(Enum):
    NONE = "none"  # port 110, cleartext throughout
    STLS = "stls"  # port 110, upgrade with STLS before USER
    IMPLICIT = "implicit"  # port 995: the driver did TLS before any byte


@dataclass(frozen=True)
class POP3ClientConfig:
    username: str
    password: str
    tls: POP3TLS
    delete: bool = False  # DELE each message after retrieving it


@dataclass(frozen=True)
class RetrievedMessage:
    number: int
    content: bytes


class POP3Client:
    """One scripted POP3 session, client side."""

    def __init__(self, config: POP3ClientConfig) -> None:
        self.config = config
        self.closed = False
        self.retrieved: list[RetrievedMessage] = []
        self.capabilities: frozenset[str] = frozenset()
        self.step = _Step.GREETING
        self._out = bytearray()
        self._buffer = bytearray()
        self._status: bytes | None = None  # first line of a multi-line response
        self._lines: list[bytes] = []
        self._size = 0
        self._count = 0
        self._next = 1  # next message number to retrieve
        self._command = ""

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
            newline = self._buffer.find(b"\n")
            if newline < 0:
                if len(self._buffer) > MAX_RESPONSE_LINE:
                    raise RemoteProtocolError("server response line too long")
                break
            line = bytes(self._buffer[:newline]).removesuffix(b"\r")
            del self._buffer[: newline + 1]
            self._line(line, events)
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

    def tls_established(self) -> None:
        """The TLS handshake that followed STLS is done."""
        if self.step is not _Step.TLS_NEGOTIATING:
            raise LocalProtocolError("tls_established() without an STLS in progress")
        self.step = _Step.CAPA_TLS
        self._send("CAPA")

    # --- responses ---------------------------------------------------------------

    def _line(self, line: bytes, events: list[Event]) -> None:
        if self._status is not None:  # inside a multi-line response
            if line == b".":
                status, lines = self._status, self._lines
                self._status, self._lines, self._size = None, [], 0
                self._response(True, status, lines, events)
                return
            self._size += len(line) + 2
            if self._size > MAX_MULTILINE:
                raise RemoteProtocolError("multi-line response too big")
            self._lines.append(line[1:] if line.startswith(b".") else line)  # un-stuff
            return
        if line.startswith(b"+OK") and line[3:4] in (b"", b" "):
            if self._multiline():
                self._status = line
            else:
                self._response(True, line, [], events)
        elif line.startswith(b"-ERR") and line[4:5] in (b"", b" "):
            self._response(False, line, [], events)
        else:
            raise RemoteProtocolError(f"not a POP3 status line: {line[:80]!r}")

    def _multiline(self) -> bool:
        return self.step in (_Step.CAPA, _Step.CAPA_TLS, _Step.RETR)

    def _response(self, ok: bool, status: bytes, lines: list[bytes], events: list[Event]) -> None:
        text = status.partition(b" ")[2].decode("utf-8", "replace")
        step = self.step
        if (step is _Step.GREETING and not ok) or step is _Step.QUIT:
            self._finish(events)
        elif step in (_Step.CAPA, _Step.CAPA_TLS):
            # -ERR means the server lacks CAPA (RFC 2449): carry on without.
            self.capabilities = frozenset(
                line.decode("ascii", "replace").split(" ")[0].upper() for line in lines if ok
            )
            self._advance(events)
        elif not ok:
            if step in (_Step.USER, _Step.PASS):
                events.append(LoginFailed(self.config.username, text))
            else:
                events.append(CommandFailed(self._command, text))
            self._quit()
        elif step is _Step.STLS:
            self.step = _Step.TLS_NEGOTIATING
            self.capabilities = frozenset()  # RFC 2595: MUST discard them
            self._buffer.clear()
            events.append(StartTLSReady())
        elif step is _Step.STAT:
            fields = text.split(" ")
            if len(fields) < 2 or not all(f.isdigit() for f in fields[:2]):
                raise RemoteProtocolError(f"bad STAT drop listing {status[:80]!r}")
            self._count = int(fields[0])
            events.append(MaildropStatus(self._count, int(fields[1])))
            self._advance(events)
        elif step is _Step.RETR:
            content = b"".join(line + b"\r\n" for line in lines)
            number = self._next - 1
            self.retrieved.append(RetrievedMessage(number, content))
            events.append(MessageRetrieved(number, content))
            self._advance(events)
        else:
            self._advance(events)

    # --- the script --------------------------------------------------------------

    def _send(self, command: str, argument: str = "") -> None:
        self._command = command
        line = f"{command} {argument}" if argument else command
        self._out += line.encode("utf-8", "surrogateescape") + b"\r\n"

    def _advance(self, events: list[Event]) -> None:
        step = self.step
        while True:
            step = CLIENT_FLOW.get(step, _Step.QUIT)
            if step in _TLS_STEPS and self.config.tls is not POP3TLS.STLS:
                continue
            if step is _Step.DELE and not self.config.delete:
                continue
            if step is _Step.RETR and self._next > self._count:
                step = _Step.QUIT
            break
        self.step = step
        if step is _Step.CAPA:
            self._send("CAPA")
        elif step is _Step.STLS:
            if "STLS" not in self.capabilities:
                reason = "server does not offer STLS; not continuing in cleartext"
                events.append(CommandFailed("STLS", reason))
                self._quit()
                return
            self._send("STLS")
        elif step is _Step.USER:
            self._send("USER", self.config.username)
        elif step is _Step.PASS:
            self._send("PASS", self.config.password)
        elif step is _Step.STAT:
            self._send("STAT")
        elif step is _Step.RETR:
            self._send("RETR", str(self._next))
            self._next += 1
        elif step is _Step.DELE:
            self._send("DELE", str(self._next - 1))
        elif step is _Step.QUIT:
            self._send("QUIT")

    def _quit(self) -> None:
        self.step = _Step.QUIT
        self._send("QUIT")

    def _finish(self, events: list[Event]) -> None:
        if not self.closed:
            self.closed = True
            self.step = _Step.CLOSED
            events.append(SessionClosed())
