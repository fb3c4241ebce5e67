"""IMAP4rev1 (RFC 3501 subset): a server and a scripted client, sans-I/O.

Both are driven the same way: ``receive_data(bytes) -> list[Event]`` and
``data_to_send() -> bytes``; the driver runs TLS and calls
``tls_established()`` when a STARTTLS handshake completes.
"""

from ._events import (
    CommandFailed,
    CommandReceived,
    ConnectionClosed,
    Event,
    InvalidCommand,
    LoginFailed,
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

__all__ = [
    "IMAPTLS",
    "CommandFailed",
    "CommandReceived",
    "ConnectionClosed",
    "Event",
    "FetchedMessage",
    "IMAPClient",
    "IMAPClientConfig",
    "IMAPClientStep",
    "IMAPServer",
    "IMAPServerConfig",
    "IMAPServerState",
    "InvalidCommand",
    "LoginFailed",
    "LoginSucceeded",
    "MailboxSelected",
    "MessageFetched",
    "SessionClosed",
    "StartTLSReady",
    "StartTLSRequested",
    "TLSState",
]
