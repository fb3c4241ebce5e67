"""SMTP as sans-I/O state machines: `SMTPServer` and the scripted `SMTPClient`.

Both take bytes in (`receive_data`) and give events and bytes out
(`data_to_send`). Every reply code the server can send lives in `replies`.
The client-side authentication failure event is `ClientAuthFailed` here (it is
`AuthFailed` inside `client`); the top-level `AuthFailed` is the server's.

The names below are imported on first use (PEP 562): importing one module of
the package, say ``meanings`` for ``describe``, does not load the client and
server with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.protocols.smtp import meanings, replies
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
    from simulator.protocols.smtp.meanings import BASIC_MEANING, ENHANCED_MEANING, describe
    from simulator.protocols.smtp.replies import Reply, parse_reply_line
    from simulator.protocols.smtp.server import (
        Envelope,
        Role,
        ServerPolicy,
        SMTPServer,
        SMTPServerConfig,
    )

_HOME = {
    "AuthFailed": "_events_more",
    "AuthSucceeded": "_events",
    "BASIC_MEANING": "meanings",
    "ClientAuthFailed": "_events",
    "ClientState": "_state",
    "CommandReceived": "_events",
    "CommandSent": "_events",
    "ConnectionClosed": "_events",
    "DataSent": "_events",
    "ENHANCED_MEANING": "meanings",
    "Envelope": "server",
    "Event": "_events",
    "Hello": "_events",
    "LoginSucceeded": "_events",
    "MailAccepted": "_events",
    "MessageReceived": "_events",
    "MessageRejected": "_events_more",
    "MessageResult": "_events",
    "OutgoingMessage": "client",
    "RecipientAccepted": "_events",
    "RecipientOutcome": "client",
    "RecipientRejected": "_events_more",
    "RecipientResult": "_events",
    "Reply": "replies",
    "ReplyReceived": "_events",
    "ReplySent": "_events",
    "Role": "server",
    "SMTPClient": "client",
    "SMTPClientConfig": "client",
    "SMTPServer": "server",
    "SMTPServerConfig": "server",
    "ServerPolicy": "server",
    "ServerState": "_state",
    "SessionClosed": "_events",
    "SessionFailed": "_events_more",
    "StartTLSReady": "_events",
    "StartTLSRequested": "_events",
    "TLSPolicy": "client",
    "TLSUnavailable": "_events_more",
    "describe": "meanings",
    "parse_reply_line": "replies",
    "meanings": "",
    "replies": "",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'simulator.protocols.smtp' has no attribute {name!r}")
    module = import_module(f"simulator.protocols.smtp.{home or name}")
    value = module if not home else getattr(module, name)
    globals()[name] = value
    return value
