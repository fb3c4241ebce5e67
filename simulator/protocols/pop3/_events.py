"""Events the POP3 state machines report, as frozen dataclasses (as in h11).

Server and client share one set: where both sides observe the same fact
(a failed login, a retrieved message) they report the same event type.
"""

from __future__ import annotations

from dataclasses import dataclass

# The events every driver acts on are the ones all protocols share; re-exported here.
from ..common import ConnectionClosed, Event, LoginSucceeded, SessionClosed, StartTLSReady, StartTLSRequested

__all__ = [
    "CommandFailed",
    "CommandReceived",
    "ConnectionClosed",
    "Event",
    "InvalidCommand",
    "LoginFailed",
    "LoginSucceeded",
    "MaildropStatus",
    "MaildropUpdated",
    "MessageDeleted",
    "MessageRetrieved",
    "SessionClosed",
    "StartTLSReady",
    "StartTLSRequested",
]


# --- server side ------------------------------------------------------------


@dataclass(frozen=True)
class CommandReceived(Event):
    """The server read a command line (``line`` without its CRLF)."""

    command: str
    argument: str
    line: str


@dataclass(frozen=True)
class InvalidCommand(Event):
    """The server answered -ERR to input it could not take as a command."""

    line: str
    reason: str


@dataclass(frozen=True)
class MessageDeleted(Event):
    """DELE marked message ``number``; it goes only if the session reaches UPDATE."""

    number: int


@dataclass(frozen=True)
class MaildropUpdated(Event):
    """QUIT in TRANSACTION: the UPDATE state removed ``deleted`` messages."""

    deleted: int
    remaining: int


# --- both sides -------------------------------------------------------------


@dataclass(frozen=True)
class LoginFailed(Event):
    """USER or PASS got -ERR (``text`` is the server's text)."""

    user: str
    text: str


@dataclass(frozen=True)
class MessageRetrieved(Event):
    """RETR sent (server) or received (client) message ``number``;
    ``content`` is the message without byte-stuffing."""

    number: int
    content: bytes


# --- client side ------------------------------------------------------------


@dataclass(frozen=True)
class MaildropStatus(Event):
    """STAT answered: ``count`` messages, ``size`` octets."""

    count: int
    size: int


@dataclass(frozen=True)
class CommandFailed(Event):
    """A scripted command got -ERR, or the client refused to go on. The
    client sends QUIT after this."""

    command: str
    text: str
