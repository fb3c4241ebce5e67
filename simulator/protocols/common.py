"""What every protocol machine shares: the events a driver must act on, and one interface.

In h11's manner a driver (the simulation's ``drive_session``, live mode's
asyncio ``Session``, ``smtpsim talk``) moves bytes and runs TLS; it never
asks which protocol it drives and never writes protocol bytes itself.
Everything it has to react to comes out of the machine as one of the events
below, whichever of SMTP, IMAP or POP3 it is; everything the protocol says
(a greeting, a refusal, a goodbye) the machine queues itself.

Server machines satisfy :class:`ServerConnection`, client machines
:class:`ClientConnection`. Their configurations use the same names:
``hostname``, ``implicit_tls``, ``starttls_available``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = [
    "ClientConnection",
    "ConnectionClosed",
    "Event",
    "LoginGate",
    "LoginSucceeded",
    "ServerConnection",
    "SessionClosed",
    "ShutdownReason",
    "StartTLSReady",
    "StartTLSRequested",
    "Unprompted",
]


class Event:
    """Base class of every protocol event (SMTP, IMAP and POP3)."""

    __slots__ = ()


# --- server side ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartTLSRequested(Event):
    """The server queued its "go ahead" to STARTTLS/STLS: flush it, run the TLS handshake,
    then call ``tls_established()``. Nothing the client sent after the command is kept."""


@dataclass(frozen=True)
class LoginSucceeded(Event):
    """A client logged in (SMTP AUTH, IMAP LOGIN/AUTHENTICATE, POP3 PASS) as ``user``."""

    user: str


@dataclass(frozen=True)
class ConnectionClosed(Event):
    """The server is done: close the connection once ``data_to_send()`` is flushed."""


# --- client side ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartTLSReady(Event):
    """The server agreed to STARTTLS/STLS: run the TLS handshake, then call ``tls_established()``."""


@dataclass(frozen=True)
class SessionClosed(Event):
    """The client is done (its goodbye answered, or the server went away)."""


class ShutdownReason(Enum):
    """Why a server ends a connection itself; each machine words it in its own protocol.

    SMTP answers 421 (RFC 5321 §3.8), IMAP an untagged ``BYE`` (RFC 3501
    §7.1.5), POP3 ``-ERR`` (with the ``[SYS/TEMP]`` response code where the
    cause is temporary).
    """

    IDLE_TIMEOUT = "idle timeout"  # no complete command within the timeout
    SERVER_STOPPING = "server stopping"  # the server is shutting down
    TOO_MANY_CONNECTIONS = "too many connections"  # instead of the greeting, over a connection cap
    TOO_MANY_FROM_ADDRESS = "too many from address"  # instead of the greeting, over the per-address cap
    SERVICE_UNAVAILABLE = "service unavailable"  # instead of the greeting: the service refuses (a fault)


@runtime_checkable
class ServerConnection(Protocol):
    """One server side of one connection, sans-I/O.

    ``start()`` queues the greeting (or, with a ``refusal``, the protocol's
    refusal, and closes); ``receive_data()`` takes the client's bytes;
    ``data_to_send()`` hands out what to write; ``tls_established()`` after
    the handshake a :class:`StartTLSRequested` asked for;
    ``connection_lost()`` when the client went away; ``shutdown()`` to end the
    connection with the protocol's goodbye. ``closed`` says the machine is
    done (flush, then close).
    """

    @property
    def closed(self) -> bool: ...

    def start(self, refusal: ShutdownReason | None = None) -> list[Event]: ...

    def receive_data(self, data: bytes) -> list[Event]: ...

    def data_to_send(self) -> bytes: ...

    def tls_established(self) -> None: ...

    def connection_lost(self) -> list[Event]: ...

    def shutdown(self, reason: ShutdownReason) -> list[Event]: ...


class LoginGate(Protocol):
    """The application's say on password attempts, asked by every server machine (SMTP AUTH, IMAP
    LOGIN/AUTHENTICATE, POP3 PASS): a guard against guessing, kept outside the protocols.

    ``allowed()`` before the credentials are checked: False refuses the attempt, right password or not,
    in the protocol's words for "temporarily unavailable". ``failed()`` after a wrong password.
    """

    def allowed(self) -> bool: ...

    def failed(self) -> None: ...


@runtime_checkable
class Paced(Protocol):
    """A server machine whose replies a driver may hold back (SMTP past Postfix's soft error limit).

    ``slowed``: wait before handling the next line (Postfix waits smtpd_error_sleep_time, 1 s).
    ``reading_commands``: the next line is a command, not message text; a driver that may hold
    replies back feeds commands one line at a time so that it can.
    """

    @property
    def slowed(self) -> bool: ...

    @property
    def reading_commands(self) -> bool: ...


@runtime_checkable
class Unprompted(Protocol):
    """A server machine that may have output no input asked for (IMAP's IDLE, RFC 2177).

    A driver that can send at any time hands it a ``wakeup`` callback; the
    machine calls it when ``data_to_send()`` (or ``closed``) changed outside
    ``receive_data()``. When the connection has been quiet for the driver's
    idle timeout, ``still_there()`` says whether that is expected (it then
    queues a keepalive to send) instead of a reason to hang up.
    """

    def set_wakeup(self, wakeup: Callable[[], None] | None) -> None: ...

    def still_there(self) -> bool: ...


@runtime_checkable
class ClientConnection(Protocol):
    """One scripted client side of one connection, sans-I/O.

    The client speaks when it has read the greeting, so it has no ``start()``;
    otherwise the same calls as a server. It reports :class:`StartTLSReady`
    when the driver must run a handshake, and :class:`SessionClosed` at the end.
    """

    @property
    def closed(self) -> bool: ...

    def receive_data(self, data: bytes) -> list[Event]: ...

    def data_to_send(self) -> bytes: ...

    def tls_established(self) -> object: ...

    def connection_lost(self) -> list[Event]: ...
