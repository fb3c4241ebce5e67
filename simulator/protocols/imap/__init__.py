"""IMAP4rev1 (RFC 3501, with RFC 9051's extensions clients expect): a server and a scripted client, sans-I/O.

Both are driven the same way: ``receive_data(bytes) -> list[Event]`` and
``data_to_send() -> bytes``; the driver runs TLS and calls
``tls_established()`` when a STARTTLS handshake completes.
"""

from ._events import (
    ClientIdentified,
    CommandFailed,
    CommandReceived,
    ConnectionClosed,
    Event,
    FlagsStored,
    IdleEnded,
    IdleStarted,
    InvalidCommand,
    LoginFailed,
    LoginSucceeded,
    MailboxCreated,
    MailboxDeleted,
    MailboxRenamed,
    MailboxSelected,
    MessageAppended,
    MessageFetched,
    MessagesCopied,
    MessagesExpunged,
    SessionClosed,
    StartTLSReady,
    StartTLSRequested,
)
from ._state import IMAPClientStep, IMAPServerState, TLSState
from .client import IMAPTLS, FetchedMessage, IMAPClient, IMAPClientConfig
from .server import IMAPServer, IMAPServerConfig

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
