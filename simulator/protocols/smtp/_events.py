"""Events the SMTP state machines emit, as frozen dataclasses (h11 style).

The server's events come first, then the client's. Both sides have an
"authentication failed" event; the client's is `ClientAuthFailed`, which
`client.py` also exports under the name `AuthFailed`.

The events every driver acts on (TLS upgrade, login, close) are the ones all
protocols share, from `simulator.protocols.common`; they are re-exported here.
The refusals and failures a delivered session does not report are defined in
``_events_more`` and re-exported on first access, so that a run whose sessions
all succeed does not create their classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.protocols.common import (
    ConnectionClosed,
    Event,
    LoginSucceeded,
    SessionClosed,
    StartTLSReady,
    StartTLSRequested,
)
from simulator.protocols.smtp.replies import Reply, split_enhanced

if TYPE_CHECKING:
    from simulator.protocols.smtp._events_more import (
        AuthFailed,
        MessageRejected,
        RecipientRejected,
        SessionFailed,
        TLSUnavailable,
    )
    from simulator.protocols.smtp.policy import Envelope


__all__ = [
    "AuthFailed",
    "AuthSucceeded",
    "ClientAuthFailed",
    "CommandReceived",
    "CommandSent",
    "ConnectionClosed",
    "DataSent",
    "Event",
    "Hello",
    "MailAccepted",
    "MessageReceived",
    "MessageRejected",
    "MessageResult",
    "RecipientAccepted",
    "RecipientRejected",
    "RecipientResult",
    "ReplyReceived",
    "ReplySent",
    "SessionClosed",
    "SessionFailed",
    "StartTLSReady",
    "StartTLSRequested",
    "TLSUnavailable",
]


def __getattr__(name: str) -> Any:
    """PEP 562: the events defined in ``_events_more``, imported on first access.

    Those are the names of ``__all__`` not defined here (a module's ``__getattr__`` is asked only for those).
    """
    if name in __all__:
        from simulator.protocols.smtp import _events_more

        return getattr(_events_more, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- server ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandReceived(Event):
    """A command line arrived (informational; sent before the reply to it)."""

    verb: str  # upper-cased first word, "" if there is none or it is not ASCII
    line: bytes  # without CRLF; only the first 512 octets of an over-long line


@dataclass(frozen=True)
class ReplySent(Event):
    """A reply was queued; `reply.to_bytes()` is exactly what goes on the wire."""

    reply: Reply
    command: str  # the verb answered; "" for the greeting, "DATA-END" after the final dot


@dataclass(frozen=True)
class Hello(Event):
    """The client greeted the server with EHLO or HELO."""

    verb: str  # "EHLO" or "HELO"
    name: str


@dataclass(frozen=True)
class AuthSucceeded(LoginSucceeded):
    """AUTH succeeded (235): the shared login event, with the SASL mechanism used."""

    mechanism: str

    @property
    def username(self) -> str:
        return self.user


@dataclass(frozen=True)
class MailAccepted(Event):
    """MAIL FROM was accepted: a transaction began."""

    address: str  # "" for the null reverse-path <>


@dataclass(frozen=True)
class RecipientAccepted(Event):
    """RCPT TO was accepted for this address."""

    address: str


@dataclass(frozen=True)
class MessageReceived(Event):
    """The final dot arrived and the policy was asked; `reply` is its answer."""

    envelope: Envelope
    content: bytes  # un-dot-stuffed, CRLF line ends, without the final "."
    reply: Reply


# --- client ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyReceived(Event):
    """The client read a complete (possibly multi-line) reply."""

    reply_code: int
    enhanced: str | None
    lines: tuple[str, ...]  # each line's text after "NNN-"/"NNN ", enhanced code included
    command: str  # what it answers: "GREETING", "EHLO", "MAIL", "RCPT", "DATA-END", ...

    @property
    def text(self) -> str:
        """The text without the enhanced code, lines joined by a space."""
        return " ".join(split_enhanced(self.reply_code, line)[1] for line in self.lines)


@dataclass(frozen=True)
class CommandSent(Event):
    """The client queued a command line to send."""

    line: str  # without CRLF; AUTH continuation lines (base64) included


@dataclass(frozen=True)
class DataSent(Event):
    """The message content and the final dot were queued."""

    message_index: int
    size: int  # RFC 1870 size: CRLF-normalized, without stuffing dots or the final dot


@dataclass(frozen=True)
class ClientAuthFailed(Event):
    """The server refused the client's login."""

    reply: Reply


@dataclass(frozen=True)
class RecipientResult(Event):
    """The final outcome for one recipient of one message (emitted once each)."""

    message_index: int
    address: str
    code: int
    enhanced: str | None
    text: str


@dataclass(frozen=True)
class MessageResult(Event):
    """What the server finally said about one message of the session."""

    message_index: int
    code: int
    enhanced: str | None
    text: str
    accepted: bool  # the server took responsibility (2xx after the final dot)
