"""IMAP4rev1 (RFC 3501, with RFC 9051's extensions clients expect): a server and a scripted client, sans-I/O.

Both are driven the same way: ``receive_data(bytes) -> list[Event]`` and
``data_to_send() -> bytes``; the driver runs TLS and calls
``tls_established()`` when a STARTTLS handshake completes.
"""

from typing import TYPE_CHECKING, Any

from ._events import (
    CommandReceived,
    ConnectionClosed,
    Event,
    LoginSucceeded,
    MailboxSelected,
    MessageFetched,
    SessionClosed,
    StartTLSReady,
    StartTLSRequested,
)
from ._state import IMAPClientStep, IMAPServerState, TLSState
from .client import IMAPTLS, FetchedMessage, IMAPClient, IMAPClientConfig
from .server import IMAPServer, IMAPServerConfig

if TYPE_CHECKING:
    # The lazy events, under the one list ``_events`` keeps of them (its TYPE_CHECKING block and __all__).
    from ._events import *  # noqa: F403

__all__ = [
    "IMAPTLS",
    "ClientIdentified",
    "CommandFailed",
    "CommandReceived",
    "ConnectionClosed",
    "Event",
    "FetchedMessage",
    "FlagsStored",
    "IMAPClient",
    "IMAPClientConfig",
    "IMAPClientStep",
    "IMAPServer",
    "IMAPServerConfig",
    "IMAPServerState",
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
    "TLSState",
]


def __getattr__(name: str) -> Any:
    """PEP 562: the events a plain session does not report (``_events_more``), imported on first access."""
    from . import _events

    if name in _events.__all__:
        return getattr(_events, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
