"""The sending MTA's queue: MX lookup, relay on port 25, and bounces.

Each message is kept per recipient. A recipient ends ``delivered`` (a 2xx
after the final dot), ``failed`` (a 5xx, or a DNS answer that rules delivery
out) or stays ``deferred`` (4xx, no answer) for a later attempt. Failed
recipients are reported to the sender in one DSN per message.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.actors.dnsclient import lookup
from simulator.mail.dsn import RecipientStatus, build_dsn
from simulator.scenario.model import Host
from simulator.trace.events import Kind

if TYPE_CHECKING:
    from simulator.actors.world import World


@dataclass
class Outcome:
    state: str  # pending, delivered, failed, deferred
    status: str = ""  # enhanced status code
    diagnostic: str | None = None  # the remote reply, "550 5.1.1 ..."
    remote_mta: str | None = None
    last_attempt: float | None = None


@dataclass
class QueueEntry:
    id: str
    sender: str  # "" for a bounce
    recipients: tuple[str, ...]
    content: bytes
    arrival: float
    outcomes: dict[str, Outcome] = field(default_factory=dict)


@dataclass(frozen=True)
class _Target:
    mx: str  # the exchange host name
    preference: int | None  # None: implicit MX (the domain's own address)
    address: str


class OutboundQueue:
    """The MSA's queue; one process per message."""

    def __init__(self, world: World, host: Host) -> None:
        self.world = world
        self.host = host
        self.entries: dict[str, QueueEntry] = {}

    def enqueue(self, queue_id: str, sender: str, recipients: tuple[str, ...], content: bytes) -> None:
        entry = QueueEntry(queue_id, sender, tuple(recipients), content, self.world.env.now,
                           {r: Outcome("pending") for r in recipients})
        self.entries[queue_id] = entry
        who = "a bounce (null sender)" if sender == "" else f"from <{sender}>"
        self.world.note(
            self.host.id, self.host.id,
            f"queued {queue_id}: {who} to {', '.join(recipients)}",
            "The server keeps the message in its queue, one entry per recipient, until each is delivered "
            "or reported back as failed.",
            "RFC 5321 §4.5.4", kind=Kind.QUEUE,
        )
        self.world.env.process(self._deliver(entry))

    def _deliver(self, entry: QueueEntry) -> Generator[Any, Any, None]:
        by_domain: dict[str, list[str]] = {}
        for rcpt in entry.recipients:
            by_domain.setdefault(rcpt.rsplit("@", 1)[1], []).append(rcpt)
        for domain, rcpts in by_domain.items():
            yield from self._attempt_domain(entry, domain, rcpts)
        self._report(entry)

    def _attempt_domain(self, entry: QueueEntry, domain: str, rcpts: list[str]) -> Generator[Any, Any, None]:
        targets = yield from self._resolve(entry, domain, rcpts)
        if not targets:
            return
        from simulator.actors.relay import relay_to

        for target in targets:
            done = yield from relay_to(self.world, self.host, target.address, target.mx, entry, rcpts)
            if done:
                return
        for rcpt in rcpts:
            if entry.outcomes[rcpt].state == "pending":
                entry.outcomes[rcpt] = Outcome("deferred", "4.4.1", "no MX host answered", None, self.world.env.now)

    def _resolve(self, entry: QueueEntry, domain: str, rcpts: list[str]) -> Generator[Any, Any, list[_Target]]:
        """RFC 5321 §5.1: MX records by preference, else the domain's own address."""
        answer = yield from lookup(self.world, self.host.id, domain, "MX")
        if answer.rcode == "NXDOMAIN":
            self._fail(entry, rcpts, "5.1.2", f"Host or domain name not found. Name service error for name={domain} type=MX: Host not found")
            return []
        if answer.rcode != "NOERROR":
            for rcpt in rcpts:
                entry.outcomes[rcpt] = Outcome("deferred", "4.4.3", f"Name service error for name={domain}: {answer.rcode}", None, self.world.env.now)
            return []
        mx = answer.mx
        if not mx:
            # Implicit MX: with no MX records the domain itself is the mail host.
            addresses = yield from lookup(self.world, self.host.id, domain, "A")
            return [_Target(domain, None, a) for a in addresses.addresses]
        if any(host in ("", ".") for _, host in mx):
            self._fail(entry, rcpts, "5.1.10", f"Domain {domain} does not accept mail (null MX)")
            return []
        # Lowest preference first; equal preferences in random (seeded) order.
        shuffled = list(mx)
        self.world.rng.shuffle(shuffled)
        ordered = sorted(shuffled, key=lambda pair: pair[0])
        self.world.note(
            self.host.id, self.host.id,
            "MX order: " + ", ".join(f"{host} ({pref})" for pref, host in ordered),
            "The sender tries the MX with the lowest preference value first; hosts with equal preference "
            "are tried in random order to spread the load.",
            "RFC 5321 §5.1", kind=Kind.QUEUE,
        )
        targets = []
        for pref, host in ordered:
            addresses = answer.glue(host)
            if not addresses:
                reply = yield from lookup(self.world, self.host.id, host, "A")
                addresses = reply.addresses
            targets.extend(_Target(host, pref, a) for a in addresses)
        return targets

    def _fail(self, entry: QueueEntry, rcpts: list[str], status: str, diagnostic: str) -> None:
        for rcpt in rcpts:
            entry.outcomes[rcpt] = Outcome("failed", status, diagnostic, None, self.world.env.now)

    def _report(self, entry: QueueEntry) -> None:
        failed = [r for r, o in entry.outcomes.items() if o.state == "failed"]
        if not failed:
            return
        if entry.sender == "":
            # Never bounce a bounce: that is what the null sender is for.
            self.world.note(
                self.host.id, self.host.id,
                f"{entry.id}: delivery of a bounce failed; dropped, no DSN about a DSN",
                "A message with the null reverse-path never causes another bounce (no loops).",
                "RFC 5321 §4.5.5", kind=Kind.BOUNCE,
            )
            return
        statuses = [
            RecipientStatus(r, "failed", entry.outcomes[r].status, entry.outcomes[r].remote_mta,
                            entry.outcomes[r].diagnostic, entry.outcomes[r].last_attempt)
            for r in failed
        ]
        now = self.world.env.now
        domain = self.host.domains[0] if self.host.domains else self.host.hostname
        dsn = build_dsn(
            reporting_mta=self.host.hostname, original_sender=entry.sender, original_content=entry.content,
            arrival=entry.arrival, recipients=statuses, t=now, message_id=self.world.message_id(domain),
            boundary=self.world.boundary(),
        )
        self.world.note(
            self.host.id, self.host.id,
            f"DSN for {entry.id}: {', '.join(f'{s.recipient} {s.status}' for s in statuses)} → <{entry.sender}>",
            "Delivery failed for good, so this server writes a Non-Delivery Report (a DSN: multipart/report "
            "with a message/delivery-status part) and mails it to the envelope sender with MAIL FROM:<>.",
            "RFC 3464 §2", kind=Kind.BOUNCE,
        )
        self.enqueue(self.world.queue_id(), "", (entry.sender,), dsn)

