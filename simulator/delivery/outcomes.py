"""What became of each recipient: queue entries, their outcomes, and the ledger both drivers keep.

A queue entry is kept per recipient. A recipient ends ``delivered`` (a 2xx
after the final dot), ``failed`` (a 5xx, or a DNS answer that rules delivery
out, or the queue lifetime ran out) or stays ``deferred`` (4xx, no answer)
for a later attempt.

The ledger is the final word per message and recipient, whichever server
had it last: stored in a mailbox, reported back in a failure DSN, or (for a
bounce that itself failed) dropped. ``outcome_lines`` turns it into what
``smtpsim run --outcomes`` and ``smtpsim live --replay`` print, so the two
can be compared line by line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from simulator.protocols.smtp.client import SMTPClient
from simulator.protocols.smtp.replies import parse_queued


class RecipientState(StrEnum):
    """Where one recipient of a queue entry stands."""

    PENDING = "pending"  # not tried yet
    DELIVERED = "delivered"  # the next hop said 2xx after the final dot
    FAILED = "failed"  # for good: reported to the sender
    DEFERRED = "deferred"  # a temporary failure: tried again later


OPEN = (RecipientState.PENDING, RecipientState.DEFERRED)


@dataclass(frozen=True)
class Outcome:
    """Where one recipient of a queued message stands, and why."""

    state: RecipientState
    status: str = ""  # enhanced status code (RFC 3463)
    diagnostic: str | None = None  # the reply, "550 5.1.1 ...", or what went wrong here
    remote_mta: str | None = None  # the host whose reply the diagnostic is; None: decided here
    last_attempt: float | None = None  # on the driver's clock


@dataclass
class QueueEntry:
    """One message in one host's queue, with per-recipient progress."""

    id: str
    sender: str  # "" for a bounce
    recipients: tuple[str, ...]
    arrival: float  # when this host accepted it, on the driver's clock
    origin: str  # the host whose queue it is (the MSA, or an MX writing a bounce)
    message_id: str = ""
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)  # recipients already in a failure DSN
    attempts: int = 0
    warned: bool = False  # a delay warning went out
    next_attempt: float = 0.0

    def __post_init__(self) -> None:
        for rcpt in self.recipients:
            self.outcomes.setdefault(rcpt, Outcome(RecipientState.PENDING))


class Result(StrEnum):
    """The end of one recipient's journey, as ``--outcomes`` prints it."""

    DELIVERED = "delivered"  # in the recipient's mailbox
    BOUNCED = "bounced"  # failed, and the sender was told in a DSN
    DEFERRED = "deferred"  # still being retried when the run ended
    DROPPED = "dropped"  # a bounce that could not be delivered: never bounced again
    REFUSED = "refused"  # the submission server did not take it (the sender's client was told)


@dataclass(frozen=True)
class Settlement:
    """The final word on one recipient of one message."""

    result: Result
    message_id: str
    rcpt: str
    status: str
    dsn_to: str | None = None  # who got the failure DSN


class Ledger:
    """Every final outcome, in the order it happened."""

    def __init__(self) -> None:
        self.settlements: list[Settlement] = []
        self._by_key: dict[tuple[str, str], Settlement] = {}
        self._forwarded: dict[tuple[str, str], str] = {}  # (message id, rcpt) -> where an MX forwarded it

    def __iter__(self) -> Any:
        return iter(self.settlements)

    def __len__(self) -> int:
        return len(self.settlements)

    def settle(self, result: Result, message_id: str, rcpt: str, status: str, dsn_to: str | None = None) -> None:
        settlement = Settlement(result, message_id, rcpt.lower(), status, dsn_to)
        self.settlements.append(settlement)
        self._by_key.setdefault((message_id, rcpt.lower()), settlement)

    def forward(self, message_id: str, rcpt: str, target: str) -> None:
        """An MX took ``rcpt``'s copy and forwards it to ``target``: its outcome is the target's."""
        self._forwarded[(message_id, rcpt.lower())] = target.lower()

    def of(self, message_id: str, rcpt: str) -> Settlement | None:
        key, seen = (message_id, rcpt.lower()), set()
        while key not in self._by_key and key in self._forwarded and key not in seen:
            seen.add(key)
            key = (message_id, self._forwarded[key])
        return self._by_key.get(key)


@dataclass(frozen=True)
class Submission:
    """One of the scenario's messages as the sender's client saw its submission."""

    recipients: tuple[str, ...]
    queue_id: str | None  # the MSA's "queued as" id, when it took the message
    refusals: Mapping[str, str | None] = field(default_factory=dict)  # rcpt -> the status it was refused with


def submission_of(recipients: Sequence[str], client: SMTPClient) -> Submission:
    """Read what the MSA answered from the client that submitted one message."""
    result = client.message_results[0] if client.message_results else None
    queue_id = parse_queued(result.text) if result is not None and result.accepted else None
    refusals: dict[str, str | None] = {}
    if queue_id is None:
        failure = client.session_failure
        for rcpt in recipients:
            got = client.results[0].get(rcpt) if client.results else None
            if got is not None and not 200 <= got.code < 300:
                refusals[rcpt] = got.enhanced or f"{got.code // 100}.0.0"
            elif failure is not None and failure.code:
                refusals[rcpt] = failure.enhanced or f"{failure.code // 100}.0.0"
            else:
                refusals[rcpt] = None  # nothing was said (the client gave up, e.g. over a certificate)
    return Submission(tuple(recipients), queue_id, refusals)


def outcome_lines(submissions: Sequence[Submission | None], accepted: Mapping[str, QueueEntry],
                  ledger: Ledger) -> list[dict[str, str | None]]:
    """One line per recipient of each submission, in the scenario's order.

    ``accepted`` maps the MSA's queue ids to its entries; ``None`` stands for
    a message whose submission never happened.
    """
    lines: list[dict[str, str | None]] = []
    for submission in submissions:
        if submission is None:
            continue
        entry = accepted.get(submission.queue_id) if submission.queue_id else None
        for rcpt in submission.recipients:
            if entry is None:
                status = submission.refusals.get(rcpt)
                lines.append({"rcpt": rcpt, "result": Result.REFUSED.value, "status": status, "dsn_to": None})
                continue
            settled = ledger.of(entry.message_id, rcpt)
            if settled is None:
                outcome = entry.outcomes.get(rcpt)
                lines.append({"rcpt": rcpt, "result": Result.DEFERRED.value,
                              "status": outcome.status if outcome else None, "dsn_to": None})
            else:
                lines.append({"rcpt": rcpt, "result": settled.result.value, "status": settled.status,
                              "dsn_to": settled.dsn_to})
    return lines
