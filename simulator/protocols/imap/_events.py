"""Events the IMAP state machines report, as frozen dataclasses (as in h11).

Server and client share one set: where both sides observe the same fact
(a failed login, a fetched message) they report the same event type, each
filling in what it knows. The events of every session are defined here; the
others (failures, IDLE, ID, mailbox and flag changes) in ``_events_more``,
imported on first access, so that a run which only reads its mail does not
create their classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# The events every driver acts on are the ones all protocols share; re-exported here.
from ..common import ConnectionClosed, Event, LoginSucceeded, SessionClosed, StartTLSReady, StartTLSRequested

if TYPE_CHECKING:
    from ._events_more import (
        ClientIdentified,
        CommandFailed,
        FlagsStored,
        IdleEnded,
        IdleStarted,
        InvalidCommand,
        LoginFailed,
        MailboxCreated,
        MailboxDeleted,
        MailboxRenamed,
        MessageAppended,
        MessagesCopied,
        MessagesExpunged,
    )

__all__ = [
    "ClientIdentified",
    "CommandFailed",
    "CommandReceived",
    "ConnectionClosed",
    "Event",
    "FlagsStored",
    "IdleEnded",
    "IdleStarted",
    "InvalidCommand",
    "LoginFailed",
    "LoginSucceeded",
    "MailboxCreated",
    "MailboxDeleted",
    "MailboxRenamed",
    "MailboxSelected",
    "MessageAppended",
    "MessageFetched",
    "MessagesCopied",
    "MessagesExpunged",
    "SessionClosed",
    "StartTLSReady",
    "StartTLSRequested",
]


def __getattr__(name: str) -> Any:
    """PEP 562: the events defined in ``_events_more``, imported on first access.

    Those are the names of ``__all__`` not defined here (a module's ``__getattr__`` is asked only for those).
    """
    if name in __all__:
        from . import _events_more

        return getattr(_events_more, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- server side ------------------------------------------------------------


@dataclass(frozen=True)
class CommandReceived(Event):
    """The server parsed a tagged command. ``line`` is the command as sent,
    literals inline, without the final CRLF."""

    tag: str
    command: str
    line: str


# --- both sides -------------------------------------------------------------


@dataclass(frozen=True)
class MailboxSelected(Event):
    """SELECT or EXAMINE completed with ``exists`` messages."""

    name: str
    exists: int


@dataclass(frozen=True)
class MessageFetched(Event):
    """A message body went over the wire (server) or arrived (client).

    ``content`` is the body section as sent; ``uid`` is None when the
    client did not learn it.
    """

    seq: int
    uid: int | None
    content: bytes
