"""The IMAP events a plain session (log in, select, fetch, log out) does not report.

Failures, IDLE, ID and what a session does to the mailboxes and flags. They
live apart from ``_events`` so that a run which only reads its mail does not
create their classes when it starts (each ``@dataclass`` compiles its methods
as its module is imported); ``_events`` re-exports them on first access, and
the machines import each where they report it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..common import Event

__all__ = [
    "ClientIdentified",
    "CommandFailed",
    "FlagsStored",
    "IdleEnded",
    "IdleStarted",
    "InvalidCommand",
    "LoginFailed",
    "MailboxCreated",
    "MailboxDeleted",
    "MailboxRenamed",
    "MessageAppended",
    "MessagesCopied",
    "MessagesExpunged",
]


@dataclass(frozen=True)
class InvalidCommand(Event):
    """The server rejected input it could not treat as a command (no tag,
    unterminated quote, over-long line...). ``tag`` is empty when unknown."""

    tag: str
    line: str
    reason: str


@dataclass(frozen=True)
class LoginFailed(Event):
    """Authentication was refused. ``text`` is the server's response text,
    or the client's reason for not trying (e.g. LOGINDISABLED)."""

    user: str
    text: str


@dataclass(frozen=True)
class CommandFailed(Event):
    """A scripted command got NO or BAD, or the client refused to go on
    (``tag`` is then empty). The client logs out after this."""

    tag: str
    command: str
    text: str


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
