"""SMTP as sans-I/O state machines: `SMTPServer` and the scripted `SMTPClient`.

Both take bytes in (`receive_data`) and give events and bytes out
(`data_to_send`). Every reply code the server can send lives in `replies`.
The client-side authentication failure event is `ClientAuthFailed` here (it is
`AuthFailed` inside `client`); the top-level `AuthFailed` is the server's.
"""

from simulator.protocols.smtp import replies
from simulator.protocols.smtp._events import (
    AuthFailed,
    AuthSucceeded,
    ClientAuthFailed,
    CommandReceived,
    CommandSent,
    ConnectionClosed,
    DataSent,
    Event,
    Hello,
    LoginSucceeded,
    MailAccepted,
    MessageReceived,
    MessageRejected,
    MessageResult,
    RecipientAccepted,
    RecipientRejected,
    RecipientResult,
    ReplyReceived,
    ReplySent,
    SessionClosed,
    SessionFailed,
    StartTLSReady,
    StartTLSRequested,
    TLSUnavailable,
)
from simulator.protocols.smtp._state import ClientState, ServerState
from simulator.protocols.smtp.client import (
    OutgoingMessage,
    RecipientOutcome,
    SMTPClient,
    SMTPClientConfig,
    TLSPolicy,
)
from simulator.protocols.smtp.replies import (
    BASIC_MEANING,
    ENHANCED_MEANING,
    Reply,
    describe,
    parse_reply_line,
)
from simulator.protocols.smtp.server import (
    Envelope,
    Role,
    ServerPolicy,
    SMTPServer,
    SMTPServerConfig,
)

__all__ = [
    "BASIC_MEANING",
    "ENHANCED_MEANING",
    "AuthFailed",
    "AuthSucceeded",
    "ClientAuthFailed",
    "ClientState",
    "CommandReceived",
    "CommandSent",
    "ConnectionClosed",
    "DataSent",
    "Envelope",
    "Event",
    "Hello",
    "LoginSucceeded",
    "MailAccepted",
    "MessageReceived",
    "MessageRejected",
    "MessageResult",
    "OutgoingMessage",
    "RecipientAccepted",
    "RecipientOutcome",
    "RecipientRejected",
    "RecipientResult",
    "Reply",
    "ReplyReceived",
    "ReplySent",
    "Role",
    "SMTPClient",
    "SMTPClientConfig",
    "SMTPServer",
    "SMTPServerConfig",
    "ServerPolicy",
    "ServerState",
    "SessionClosed",
    "SessionFailed",
    "StartTLSReady",
    "StartTLSRequested",
    "TLSPolicy",
    "TLSUnavailable",
    "describe",
    "parse_reply_line",
    "replies",
]
