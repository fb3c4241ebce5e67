"""The planner's actions a delivery that succeeds at once does not take: waiting, reporting.

``Wait`` (retry later) and ``Report`` (a DSN is due) live apart from
``planner`` so that a run whose messages are all delivered on the first
attempt does not create their classes when it starts (each ``@dataclass``
compiles its methods as its module is imported). ``planner`` re-exports them
on first access (PEP 562) and imports each where it yields it.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.delivery._action import Action
from simulator.delivery.outcomes import QueueEntry
from simulator.mail.dsn import DSNAction, RecipientStatus

__all__ = ["Report", "Wait"]


@dataclass(frozen=True)
class Wait(Action):
    """Sleep this long on the driver's clock, then ask again."""

    seconds: float


@dataclass(frozen=True)
class Report(Action):
    """A DSN is due: queue it (durably) before answering; or, for a bounce, note the drop."""

    entry: QueueEntry
    action: DSNAction
    recipients: tuple[RecipientStatus, ...]
    reporting_mta: str
    id_domain: str  # the domain of the DSN's Message-ID
    dropped: bool = False  # a bounce failed: no DSN about a DSN (RFC 5321 §4.5.5)
