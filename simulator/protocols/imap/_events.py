"""Events the IMAP state machines report, as frozen dataclasses (as in h11).

Server and client share one set: where both sides observe the same fact
(a failed login, a fetched message) they report the same event type, each
filling in what it knows.
"""

from __future__ import annotations

from dataclasses import dataclass

# The events every driver acts on are the ones all protocols share; re-exported here.
from ..common import ConnectionClosed, Event, LoginSucceeded, SessionClosed, StartTLSReady, StartTLSRequested

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


# --- server side ------------------------------------------------------------


@dataclass(frozen=True)
class CommandReceived(Event):
    """The server parsed a tagged command. ``line`` is the command as sent,
    literals inline, without the final CRLF."""

    tag: str
    command: str
    line: str


@dataclass(frozen=True)
class InvalidCommand(Event):
    """The server rejected input it could not treat as a command (no tag,
    unterminated quote, over-long line...). ``tag`` is empty when unknown."""

    tag: str
    line: str
    reason: str


# --- both sides -------------------------------------------------------------


@dataclass(frozen=True)
class LoginFailed(Event):
    """Authentication was refused. ``text`` is the server's response text,
    or the client's reason for not trying (e.g. LOGINDISABLED)."""

    user: str
    text: str


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


# --- client side ------------------------------------------------------------


@dataclass(frozen=True)
class CommandFailed(Event):
    """A scripted command got NO or BAD, or the client refused to go on
    (``tag`` is then empty). The client logs out after this."""

    tag: str
    command: str
    text: str


# --- server side: what a session did to the mail -----------------------------


@dataclass(frozen=True)
class ClientIdentified(Event):
    """The client said who it is with ID (RFC 2971): ``fields`` as (name, value) pairs."""

    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class IdleStarted(Event):
    """IDLE began: the server may now tell of changes at any time (RFC 2177)."""


@dataclass(frozen=True)
class IdleEnded(Event):
    """The client ended IDLE with DONE."""


@dataclass(frozen=True)
class MessageAppended(Event):
    """APPEND stored a message in ``mailbox`` with ``uid``."""

    mailbox: str
    uid: int


@dataclass(frozen=True)
class MessagesCopied(Event):
    """COPY (or MOVE, with ``moved``) put ``count`` messages from ``source`` into ``target``."""

    source: str
    target: str
    count: int
    moved: bool


@dataclass(frozen=True)
class FlagsStored(Event):
    """STORE (or a FETCH of a body) changed the flags of ``count`` messages in ``mailbox``."""

    mailbox: str
    count: int


@dataclass(frozen=True)
class MessagesExpunged(Event):
    """EXPUNGE, CLOSE or MOVE removed ``count`` messages from ``mailbox``."""

    mailbox: str
    count: int


@dataclass(frozen=True)
class MailboxCreated(Event):
    """A mailbox was created."""

    name: str


@dataclass(frozen=True)
class MailboxDeleted(Event):
    """A mailbox was deleted."""

    name: str


@dataclass(frozen=True)
class MailboxRenamed(Event):
    """A mailbox was renamed."""

    old: str
    new: str
