"""What a trace event's fields are made of: its kind, the protection and direction, and the connection.

Apart from ``simulator.trace.events`` (which re-exports them) so that a streamed run
(``smtpsim run --json``), which writes each event's line without making a ``TraceEvent``,
does not create the classes of a kept trace (``TraceEvent``, ``Trace``, ``ActorInfo``,
``KeyMoment``) when it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["ConnectionInfo", "Direction", "Kind", "TLSMode"]


class Kind(str, Enum):
    TCP = "tcp"
    TLS = "tls"
    SMTP = "smtp"
    DNS = "dns"
    IMAP = "imap"
    POP3 = "pop3"
    QUEUE = "queue"
    DELIVER = "deliver"
    BOUNCE = "bounce"
    NOTE = "note"


class TLSMode(str, Enum):
    """The protection of a connection at one moment."""

    NONE = "none"
    STARTTLS = "starttls"
    IMPLICIT = "implicit"


class Direction(str, Enum):
    CLIENT = "C"
    SERVER = "S"


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """One TCP connection: who talked to whom, on which port, and how protected."""

    id: int
    client: str
    server: str
    port: int
    protocol: Kind
    tls: TLSMode  # the protection it ended with
