"""The SMTP events a session that delivers its mail does not report.

Refusals (a recipient, a message, a login), a client that finds no STARTTLS
or whose session fails. They live apart from ``_events`` so that a run whose
sessions all succeed does not create their classes when it starts (each
``@dataclass`` compiles its methods as its module is imported); ``_events``
re-exports them on first access (PEP 562), and the machines import each
where they report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.protocols.common import Event
from simulator.protocols.smtp.replies import Reply

if TYPE_CHECKING:
    from simulator.protocols.smtp.policy import Envelope

__all__ = [
    "AuthFailed",
    "MessageRejected",
    "RecipientRejected",
    "SessionFailed",
    "TLSUnavailable",
]


# --- server ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthFailed(Event):
    """A login attempt was refused."""

    username: str
    mechanism: str


@dataclass(frozen=True)
class RecipientRejected(Event):
    """RCPT TO was refused for this address, with the reply sent."""

    address: str
    reply: Reply


@dataclass(frozen=True)
class MessageRejected(Event):
    """The final dot arrived but the server refused the data itself (too big, bare LF...)."""

    envelope: Envelope
    reply: Reply


# --- client ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TLSUnavailable(Event):
    """STARTTLS was wanted but not advertised, or refused (e.g. 454)."""


@dataclass(frozen=True)
class SessionFailed(Event):
    """The session cannot carry (more) mail: at which stage, and the reply."""

    stage: str  # "greeting", "ehlo", "starttls", "auth", "connection", ...
    code: int
    text: str
    enhanced: str | None = None  # the reply's enhanced status code, when it had one
