"""POP3 (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595): a server and a
scripted client, sans-I/O.

Both are driven the same way: ``receive_data(bytes) -> list[Event]`` and
``data_to_send() -> bytes``; the driver runs TLS and calls
``tls_established()`` when an STLS handshake completes.
"""

from ._events import (
    CommandFailed,
    CommandReceived,
    ConnectionClosed,
    Event,
    InvalidCommand,
    LoginFailed,
    LoginSucceeded,
    MaildropStatus,
    MaildropUpdated,
    MessageDeleted,
    MessageRetrieved,
    SessionClosed,
    StartTLSReady,
    StartTLSRequested,
)
from ._state import POP3ClientStep, POP3State, TLSState
from .client import POP3TLS, POP3Client, POP3ClientConfig, RetrievedMessage
from .server import POP3Server, POP3ServerConfig

__all__ = [
    "POP3TLS",
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
    "POP3Client",
    "POP3ClientConfig",
    "POP3ClientStep",
    "POP3Server",
    "POP3ServerConfig",
    "POP3State",
    "RetrievedMessage",
    "SessionClosed",
    "StartTLSReady",
    "StartTLSRequested",
    "TLSState",
]
