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
from simulator.mail.headers import header_value
from simulator.scenario.model import Host
from simulator.trace.events import Kind

if TYPE_CHECKING:
    from simulator.actors.world import World


PICKUP_DELAY = 1.0  # seconds from "queued" to the first delivery attempt


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
    reported: set[str] = field(default_factory=set)  # recipients already in a failure DSN
    message_id: str = ""


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
                           {r: Outcome("pending") for r in recipients}, message_id=header_value(content, "Message-ID"))
        self.entries[queue_id] = entry
        who = "a bounce (null sender)" if sender == "" else f"from <{sender}>"
        self.world.note(
            self.host.id, self.host.id,
            f"queued {queue_id}: {who} to {', '.join(recipients)}",
            "The server keeps the message in its queue, one entry per recipient, until each is delivered "
            "or reported back as failed.",
            "RFC 5321 §4.5.4", kind=Kind.QUEUE,
        )
        # The queue manager picks new mail up shortly after it is written.
        self.world.env.process(self._deliver(entry), delay=PICKUP_DELAY)

    def bounce_later(self, sender: str, rcpt: str, content: bytes, status: str, diagnostic: str,
                     *, delay: float) -> None:
        """A message this host accepted but then could not deliver (a remote bounce)."""

        def fail() -> Generator[Any, Any, None]:
            yield delay
            entry = QueueEntry(self.world.queue_id(), sender, (rcpt,), content, self.world.env.now,
                               {rcpt: Outcome("failed", status, diagnostic, self.host.hostname, self.world.env.now)},
                               message_id=header_value(content, "Message-ID"))
            self.world.note(
                self.host.id, self.host.id, f"final delivery to {rcpt} failed after 250: {diagnostic}",
                "This server already said 250, so it owns the message: it cannot refuse any more and must "
                "send the bounce itself, to the envelope sender.", "RFC 5321 §6.1", kind=Kind.BOUNCE,
            )
            self._report(entry, "failed")

        self.world.env.process(fail())

    def _deliver(self, entry: QueueEntry) -> Generator[Any, Any, None]:
        """Attempt, wait, retry: until every recipient is delivered or reported.

        RFC 5321 §4.5.4.1: retries at least 30 minutes apart, give up after
        4-5 days; a warning (Action: delayed) after a few hours.
        """
        policy = self.world.scenario.queue
        attempt = 0
        warned = False
        while True:
            attempt += 1
            open_rcpts = [r for r, o in entry.outcomes.items() if o.state in ("pending", "deferred")]
            by_domain: dict[str, list[str]] = {}
            for rcpt in open_rcpts:
                by_domain.setdefault(rcpt.rsplit("@", 1)[1], []).append(rcpt)
            for domain, rcpts in by_domain.items():
                yield from self._attempt_domain(entry, domain, rcpts)
            self._report(entry, "failed")
            deferred = [r for r, o in entry.outcomes.items() if o.state == "deferred"]
            if not deferred:
                return
            now = self.world.env.now
            age = now - entry.arrival
            if age + policy.retry > policy.give_up_after:
                for rcpt in deferred:
                    last = entry.outcomes[rcpt]
                    entry.outcomes[rcpt] = Outcome(
                        "failed", "4.4.7",
                        f"delivery time expired after {_duration(age)}; last error: {last.diagnostic}",
                        last.remote_mta, last.last_attempt,
                    )
                self.world.note(
                    self.host.id, self.host.id, f"{entry.id}: giving up after {_duration(age)} ({attempt} attempts)",
                    "The queue lifetime has run out: the temporary failures are now final, and the sender gets a DSN "
                    "with Status 4.4.7 (delivery time expired).",
                    "RFC 5321 §4.5.4.1", kind=Kind.QUEUE,
                )
                self._report(entry, "failed")
                return
            if not warned and age >= policy.warn_after and entry.sender:
                warned = True
                self._report(entry, "delayed", until=entry.arrival + policy.give_up_after)
            self.world.note(
                self.host.id, self.host.id,
                f"{entry.id}: deferred ({', '.join(deferred)}): next attempt in {_duration(policy.retry)}",
                "A temporary failure (4xx, a timeout, no answer): the message stays queued and is retried later. "
                "Retries are spaced at least 30 minutes apart.",
                "RFC 5321 §4.5.4.1", kind=Kind.QUEUE,
            )
            yield policy.retry
            self.world.note(self.host.id, self.host.id, f"{entry.id}: retry #{attempt} for {', '.join(deferred)}",
                            "The queue runner tries the deferred recipients again.", "RFC 5321 §4.5.4.1", kind=Kind.QUEUE)

    def _attempt_domain(self, entry: QueueEntry, domain: str, rcpts: list[str]) -> Generator[Any, Any, None]:
        targets = yield from self._resolve(entry, domain, rcpts)
        if not targets:
            return
        from simulator.actors.relay import relay_to

        for target in targets:
            done = yield from relay_to(self.world, self.host, target.address, target.mx, entry, rcpts)
            if done:
                return
        pending = [r for r in rcpts if entry.outcomes[r].state == "pending"]
        self._settle(entry, pending, "deferred", "4.4.1", "no MX host answered")

    def _resolve(self, entry: QueueEntry, domain: str, rcpts: list[str]) -> Generator[Any, Any, list[_Target]]:
        """RFC 5321 §5.1: MX records by preference, else the domain's own address."""
        answer = yield from lookup(self.world, self.host.id, domain, "MX")
        if answer is None:
            self._settle(entry, rcpts, "deferred", "4.4.3", f"Host or domain name lookup timed out for name={domain} type=MX")
            return []
        if answer.rcode == "NXDOMAIN":
            self._settle(entry, rcpts, "failed", "5.1.2", f"Host or domain name not found. Name service error for name={domain} type=MX: Host not found")
            return []
        if answer.rcode != "NOERROR":
            self._settle(entry, rcpts, "deferred", "4.4.3", f"Name service error for name={domain}: {answer.rcode}")
            return []
        mx = answer.mx
        if not mx:
            # Implicit MX: with no MX records the domain itself is the mail host.
            self.world.note(
                self.host.id, self.host.id, f"no MX for {domain}: using its address record (implicit MX)",
                "A domain without MX records still takes mail: the sender treats the domain's own A/AAAA "
                "record as an MX with preference 0.",
                "RFC 5321 §5.1", kind=Kind.QUEUE,
            )
            addresses = yield from lookup(self.world, self.host.id, domain, "A")
            if addresses is None or not addresses.addresses:
                self._settle(entry, rcpts, "failed", "5.1.2", f"Host or domain name not found: {domain} has no MX and no address")
                return []
            return [_Target(domain, None, a) for a in addresses.addresses]
        if any(host in ("", ".") for _, host in mx):
            # RFC 7505 §4.1: a null MX means "no mail here": fail at once, no connection.
            self._settle(entry, rcpts, "failed", "5.1.10", f"556 5.1.10 Domain {domain} does not accept mail (null MX)")
            self.world.note(
                self.host.id, self.host.id, f"{domain} publishes a null MX (MX 0 .): no delivery is attempted",
                "A null MX says the domain accepts no mail at all, so the sender fails at once with 556 5.1.10 "
                "instead of retrying for days.",
                "RFC 7505 §3", kind=Kind.QUEUE,
            )
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
                addresses = reply.addresses if reply is not None else []
            targets.extend(_Target(host, pref, a) for a in addresses)
        return targets

    def _settle(self, entry: QueueEntry, rcpts: list[str], state: str, status: str, diagnostic: str) -> None:
        """Record an outcome decided here (no remote MTA answered)."""
        for rcpt in rcpts:
            entry.outcomes[rcpt] = Outcome(state, status, diagnostic, None, self.world.env.now)

    def _report(self, entry: QueueEntry, action: str, until: float | None = None) -> None:
        """One DSN for the recipients now failed (or, for "delayed", still waiting)."""
        if action == "failed":
            rcpts = [r for r, o in entry.outcomes.items() if o.state == "failed" and r not in entry.reported]
            entry.reported.update(rcpts)
        else:
            rcpts = [r for r, o in entry.outcomes.items() if o.state == "deferred"]
        if not rcpts:
            return
        if entry.sender == "":
            # Never bounce a bounce: that is what the null sender is for.
            for rcpt in rcpts:
                self.world.ledger.append(("dropped", entry.message_id, rcpt))
            self.world.note(
                self.host.id, self.host.id,
                f"{entry.id}: a bounce could not be delivered; dropped, no DSN about a DSN",
                "A message with the null reverse-path never causes another bounce: that is how loops are avoided.",
                "RFC 5321 §4.5.5", kind=Kind.BOUNCE,
            )
            return
        statuses = [
            RecipientStatus(r, action, entry.outcomes[r].status, entry.outcomes[r].remote_mta,
                            entry.outcomes[r].diagnostic, entry.outcomes[r].last_attempt,
                            until if action == "delayed" else None)
            for r in rcpts
        ]
        now = self.world.env.now
        domain = self.host.domains[0] if self.host.domains else self.host.hostname
        dsn = build_dsn(
            reporting_mta=self.host.hostname, original_sender=entry.sender, original_content=entry.content,
            arrival=entry.arrival, recipients=statuses, t=now, message_id=self.world.message_id(domain),
            boundary=self.world.boundary(),
        )
        if action == "failed":
            for rcpt in rcpts:
                self.world.ledger.append(("failed", entry.message_id, rcpt))
            self.world.note(
                self.host.id, self.host.id,
                f"DSN for {entry.id}: {', '.join(f'{s.recipient} {s.status}' for s in statuses)} → <{entry.sender}>",
                "Delivery failed for good, so this server writes a Non-Delivery Report (a DSN: multipart/report "
                "with a message/delivery-status part) and mails it to the envelope sender with MAIL FROM:<>.",
                "RFC 3464 §2", kind=Kind.BOUNCE,
            )
        else:
            self.world.note(
                self.host.id, self.host.id,
                f"delay warning for {entry.id}: {', '.join(s.recipient for s in statuses)} → <{entry.sender}>",
                "The message has waited for hours: the sender gets a warning DSN (Action: delayed) saying the "
                "server keeps trying until Will-Retry-Until. No need to send it again.",
                "RFC 3464 §2.3.3", kind=Kind.BOUNCE,
            )
        self.enqueue(self.world.queue_id(), "", (entry.sender,), dsn)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
