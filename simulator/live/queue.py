"""The live relay queue: MX lookup, delivery over loopback, retries, and DSNs.

The simulation's ``OutboundQueue`` runs on simulated time; this one runs the
same steps on asyncio, with the scenario's ``[queue]`` schedule divided by
``--time-scale``. Each entry is on disk (``spool``) from before the 250 until
every recipient is delivered or reported; a restart picks the entries up
again. MX answers come from the scenario's zones (in wire format, as in the
simulation); an MX host of the scenario is reached at the live MX listener on
loopback, and nothing else is ever connected to: mail for a domain outside the
scenario bounces (no such domain), it does not leave this computer.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.actors.faults import dns_faults
from simulator.actors.queue import Outcome
from simulator.dns import DNSAnswer, dig_lines, make_query
from simulator.live.relay import relay_session
from simulator.live.spool import LiveEntry, Spool
from simulator.mail.dsn import RecipientStatus, build_dsn
from simulator.mail.headers import header_value
from simulator.scenario.model import Host, Role
from simulator.trace.events import Direction, Kind

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld

SYN_TIMEOUT = 30.0  # scenario seconds a connection to a dead host waits (as in the simulation)
MAX_FAULT_WAIT = 30.0  # real seconds, whatever the time scale
CONCURRENCY = 20  # deliveries at once (Postfix's default destination concurrency is 20)

Register = Callable[[tuple[str, int], Host, Host], Callable[[], None]]


class LiveQueue:
    def __init__(self, world: LiveWorld, spool: Spool, *, mx_address: Callable[[], tuple[str, int]],
                 tls: Callable[[bool], ssl.SSLContext], register: Register, hold: bool = False) -> None:
        self.world = world
        self.spool = spool
        self.mx_address = mx_address
        self.tls = tls  # verify? -> client context
        self.register = register
        self.hold = hold
        self.entries: dict[str, LiveEntry] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._rng = random.Random()
        self._started = False
        self._stopped = False

    # --- entries in ------------------------------------------------------------------------------

    def start(self) -> int:
        """Pick up what a previous run left in the spool; returns how many entries."""
        self._started = True
        entries = self.spool.load()
        for entry in entries:
            self.entries[entry.id] = entry
            self._schedule(entry, 0.0)  # a start flushes the queue: everything is tried at once
        if entries:
            self._note(self.world.msa.id, f"{len(entries)} message(s) still queued from the last run",
                       "The queue is on disk: what was accepted with 250 before the restart is tried again now.")
        return len(entries)

    def submit(self, queue_id: str, sender: str, recipients: tuple[str, ...], content: bytes, *,
               origin: Host) -> LiveEntry:
        """Make a message durable and schedule its delivery (raises OSError if the disk fails)."""
        entry = LiveEntry(queue_id, sender, tuple(recipients), time.time(), origin.id,
                          outcomes={r: Outcome("pending") for r in recipients},
                          message_id=header_value(content, "Message-ID"))
        self.spool.add(entry, content)
        self.entries[entry.id] = entry
        who = "a bounce (null sender)" if sender == "" else f"from <{sender}>"
        self._note(origin.id, f"queued {queue_id}: {who} to {', '.join(recipients)}",
                   "The message is on disk in the queue before the 250 goes out; it stays there, per recipient, "
                   "until each is delivered or reported back as failed.", "RFC 5321 §4.5.4", kind=Kind.QUEUE)
        if self._started:
            self._schedule(entry, 0.0)
        return entry

    def bounce_later(self, sender: str, rcpt: str, content: bytes, status: str, diagnostic: str, *,
                     origin: Host) -> None:
        """A message an MX accepted but then could not store: it owes the sender a DSN."""
        entry = LiveEntry(self.world.queue_id(), sender, (rcpt,), time.time(), origin.id,
                          outcomes={rcpt: Outcome("failed", status, diagnostic, origin.hostname, time.time())},
                          message_id=header_value(content, "Message-ID"))
        self._note(origin.id, f"final delivery to {rcpt} failed after 250: {diagnostic}",
                   "This server already said 250, so it owns the message: it cannot refuse any more and must "
                   "send the bounce itself, to the envelope sender.", "RFC 5321 §6.1", kind=Kind.BOUNCE)
        self._report(entry, "failed", content)

    def _schedule(self, entry: LiveEntry, delay: float) -> None:
        if self.hold or self._stopped or entry.id in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(self._run(entry, delay), name=f"queue-{entry.id}")
        self._tasks[entry.id] = task
        task.add_done_callback(lambda _t, i=entry.id: self._tasks.pop(i, None))

    async def stop(self) -> None:
        """Stop delivering; everything not finished stays in the spool for the next start."""
        self._stopped = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)

    # --- delivery ----------------------------------------------------------------------------------

    async def _run(self, entry: LiveEntry, delay: float) -> None:
        try:
            await self._deliver(entry, delay)
        except FileNotFoundError:
            self.entries.pop(entry.id, None)
            self._note(entry.origin, f"{entry.id}: its queue file is gone; dropped",
                       "Someone removed the message from the queue directory.")
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug must not lose mail: the entry stays on disk for the next start
            self._note(entry.origin, f"{entry.id}: delivery stopped by an internal error ({exc!r}); kept queued",
                       "The message stays in the queue directory and is tried again at the next start.")

    async def _deliver(self, entry: LiveEntry, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        policy = self.world.scenario.queue
        clock = self.world.clock
        origin = self._host(entry.origin)
        while True:
            async with self._slots:
                content = self.spool.content(entry)
                entry.attempts += 1
                by_domain: dict[str, list[str]] = {}
                for rcpt, outcome in entry.outcomes.items():
                    if outcome.state in ("pending", "deferred"):
                        by_domain.setdefault(rcpt.rsplit("@", 1)[-1].lower(), []).append(rcpt)
                for domain, rcpts in by_domain.items():
                    await self._attempt_domain(entry, origin, content, domain, rcpts)
            self._report(entry, "failed", content)
            deferred = [r for r, o in entry.outcomes.items() if o.state == "deferred"]
            if not deferred:
                self._finish(entry)
                return
            age = (time.time() - entry.arrival) * clock.time_scale
            if age + policy.retry > policy.give_up_after:
                for rcpt in deferred:
                    last = entry.outcomes[rcpt]
                    entry.outcomes[rcpt] = Outcome("failed", "4.4.7", f"delivery time expired; last error: "
                                                   f"{last.diagnostic}", last.remote_mta, last.last_attempt)
                self._note(origin.id, f"{entry.id}: giving up after {entry.attempts} attempts",
                           "The queue lifetime has run out: the temporary failures are now final, and the sender "
                           "gets a DSN with Status 4.4.7 (delivery time expired).", "RFC 5321 §4.5.4.1")
                self._report(entry, "failed", content)
                self._finish(entry)
                return
            if not entry.warned and age >= policy.warn_after and entry.sender:
                entry.warned = True
                self._report(entry, "delayed", content, until=entry.arrival + policy.give_up_after / clock.time_scale)
            wait = clock.real_seconds(policy.retry)
            entry.next_attempt = time.time() + wait
            self.spool.save(entry)
            self._note(origin.id, f"{entry.id}: deferred ({', '.join(deferred)}): next attempt in {_span(wait)} "
                       f"({_span(policy.retry)} of scenario time)",
                       "A temporary failure (4xx, a timeout, no answer): the message stays queued and is retried "
                       "later. Retries are spaced at least 30 minutes apart (here scaled by --time-scale).",
                       "RFC 5321 §4.5.4.1")
            await asyncio.sleep(wait)
            self._note(origin.id, f"{entry.id}: retry #{entry.attempts} for {', '.join(deferred)}",
                       "The queue runner tries the deferred recipients again.", "RFC 5321 §4.5.4.1")

    def _finish(self, entry: LiveEntry) -> None:
        self.spool.remove(entry)
        self.entries.pop(entry.id, None)
        delivered = [r for r, o in entry.outcomes.items() if o.state == "delivered"]
        if delivered:
            self._note(entry.origin, f"{entry.id}: delivered to {', '.join(delivered)}; removed from the queue",
                       "Every recipient is settled: the queue forgets the message.", "RFC 5321 §4.5.4")

    async def _attempt_domain(self, entry: LiveEntry, origin: Host, content: bytes, domain: str,
                              rcpts: list[str]) -> None:
        faults = self.world.faults
        for mx_name, address in self._resolve(entry, origin, domain, rcpts):
            host = self.world.by_ip.get(address)
            if host is None or host.role is not Role.MTA:
                self._note(origin.id, f"no host answers at {address} ({mx_name})",
                           "Nothing of this scenario listens at that address; the sender tries the next MX.",
                           "RFC 5321 §5.1")
                continue
            if faults and faults.hit("connection-refused", host.id):
                self._note(origin.id, f"{mx_name}: connection refused (scenario fault)",
                           "The host answered the SYN with a reset: nothing listens. Temporary: next MX, or later.",
                           "RFC 5321 §4.5.4.1")
                continue
            if faults and (faults.hit("host-down", host.id) or faults.hit("no-answer", host.id)):
                await asyncio.sleep(min(MAX_FAULT_WAIT, self.world.clock.real_seconds(SYN_TIMEOUT)))
                self._note(origin.id, f"{mx_name}: no answer, connection timed out (scenario fault)",
                           "Nothing answered: the host is down or unreachable. A timeout is a temporary failure, so "
                           "the sender tries the next MX or retries later.", "RFC 5321 §4.5.4.1")
                continue
            listen = self.mx_address()
            self._note(origin.id, f"{entry.id}: connecting to {mx_name} ({address} in the scenario) at "
                       f"{listen[0]}:{listen[1]}", "The queue opens an SMTP connection to the MX on port 25 "
                       "(here the live MX listener on this computer).", "RFC 5321 §5.1")
            result = await relay_session(
                listen, helo=origin.hostname, server_name=mx_name, sender=entry.sender,
                recipients=tuple(rcpts), content=content,
                tls_context=self.tls(origin.relay_tls == "verify"),
                register=lambda local, h=host: self.register(local, h, origin),
            )
            if not result.results:
                self._note(origin.id, f"{mx_name}: no transaction ({result.problem or 'closed'})",
                           "The MX did not take part in a mail transaction; the sender tries the next MX.",
                           "RFC 5321 §5.1")
                continue
            now = time.time()
            for rcpt in rcpts:
                if rcpt not in result.results:
                    continue
                code, enhanced, text = result.results[rcpt]
                diagnostic = f"{code} {enhanced + ' ' if enhanced else ''}{text}"
                state = "delivered" if 200 <= code < 300 else "failed" if code >= 500 else "deferred"
                entry.outcomes[rcpt] = Outcome(state, enhanced or f"{code // 100}.0.0", diagnostic, host.hostname, now)
            return
        for rcpt in rcpts:
            if entry.outcomes[rcpt].state == "pending":
                entry.outcomes[rcpt] = Outcome("deferred", "4.4.1", "no MX host answered", None, time.time())

    def _resolve(self, entry: LiveEntry, origin: Host, domain: str, rcpts: list[str]) -> list[tuple[str, str]]:
        """(MX name, address) in the order to try them (RFC 5321 §5.1), or [] with outcomes set."""
        answer = self._lookup(origin, domain, "MX")
        if answer is None:
            return self._set(entry, rcpts, "deferred", "4.4.3",
                             f"Host or domain name lookup timed out for name={domain} type=MX")
        if answer.rcode == "NXDOMAIN":
            return self._set(entry, rcpts, "failed", "5.1.2", f"Host or domain name not found. Name service error "
                             f"for name={domain} type=MX: Host not found")
        if answer.rcode != "NOERROR":
            return self._set(entry, rcpts, "deferred", "4.4.3", f"Name service error for name={domain}: {answer.rcode}")
        if not answer.mx:
            addresses = self._lookup(origin, domain, "A")
            if addresses is None or not addresses.addresses:
                return self._set(entry, rcpts, "failed", "5.1.2", f"{domain} has no MX and no address")
            self._note(origin.id, f"no MX for {domain}: using its address record (implicit MX)",
                       "A domain without MX records still takes mail: its own A record counts as an MX with "
                       "preference 0.", "RFC 5321 §5.1")
            return [(domain, a) for a in addresses.addresses]
        if any(host in ("", ".") for _, host in answer.mx):
            return self._set(entry, rcpts, "failed", "5.1.10", f"556 5.1.10 Domain {domain} does not accept mail "
                             "(null MX)")
        shuffled = list(answer.mx)
        self._rng.shuffle(shuffled)  # equal preferences in random order
        targets = []
        for _pref, host in sorted(shuffled, key=lambda pair: pair[0]):
            addresses = answer.glue(host)
            if not addresses:
                reply = self._lookup(origin, host, "A")
                addresses = reply.addresses if reply is not None else []
            targets.extend((host, a) for a in addresses)
        return targets

    def _lookup(self, origin: Host, qname: str, rdtype: str) -> DNSAnswer | None:
        """Ask the scenario's zones through wire format; trace the question and the answer like dig."""
        world = self.world
        name = qname.rstrip(".").lower()
        applied = dns_faults(world.faults, name, rdtype)
        if applied.timeout:
            self._note(origin.id, f"DNS: no answer for {name} MX (scenario fault)",
                       "The resolver did not answer: a temporary failure; the message stays queued.",
                       "RFC 1035 §4.2.1", kind=Kind.DNS)
            return None
        rcode = applied.rcode
        resolver = world.fault_resolvers[(applied.zone_fault, name)] if applied.zone_fault else world.resolver
        query = make_query(qname, rdtype, self._rng.randrange(1, 65536))
        world.trace.emit(Kind.DNS, origin.id, world.dns_id, dig_lines(query)[2],
                         f"The sending server asks DNS for the {rdtype} records of {name}.",
                         port=53, dir=Direction.CLIENT, rfc="RFC 5321 §5.1" if rdtype == "MX" else "RFC 1035 §4.1")
        response = resolver.respond(query, rcode=rcode)
        answer = world.resolver.parse(response)
        lines = dig_lines(response)
        for text in lines[:1] + [ln for ln in lines[3:] if not ln.startswith(";; ")]:
            world.trace.emit(Kind.DNS, world.dns_id, origin.id, text, _dns_explain(text, answer),
                             port=53, dir=Direction.SERVER, rfc="RFC 5321 §5.1" if "\tMX\t" in text else "RFC 1035 §4.1")
        return answer

    # --- reports --------------------------------------------------------------------------------------

    def _report(self, entry: LiveEntry, action: str, content: bytes, until: float | None = None) -> None:
        """One DSN for the recipients now failed (or, for "delayed", still waiting)."""
        if action == "failed":
            rcpts = [r for r, o in entry.outcomes.items() if o.state == "failed" and r not in entry.reported]
        else:
            rcpts = [r for r, o in entry.outcomes.items() if o.state == "deferred"]
        if not rcpts:
            return
        origin = self._host(entry.origin)
        if entry.sender == "":
            entry.reported.update(rcpts)
            self._note(origin.id, f"{entry.id}: a bounce could not be delivered; dropped, no DSN about a DSN",
                       "A message with the null reverse-path never causes another bounce: that is how loops are "
                       "avoided.", "RFC 5321 §4.5.5", kind=Kind.BOUNCE)
            return
        header_t = self.world.clock.header_t
        statuses = [
            RecipientStatus(r, action, entry.outcomes[r].status, entry.outcomes[r].remote_mta,
                            entry.outcomes[r].diagnostic,
                            header_t(entry.outcomes[r].last_attempt) if entry.outcomes[r].last_attempt else None,
                            header_t(until) if until is not None else None)
            for r in rcpts
        ]
        domain = origin.domains[0] if origin.domains else origin.hostname
        dsn = build_dsn(reporting_mta=origin.hostname, original_sender=entry.sender, original_content=content,
                        arrival=header_t(entry.arrival), recipients=statuses, t=header_t(),
                        message_id=self.world.message_id(domain), boundary=self.world.boundary())
        self._note(origin.id, f"DSN for {entry.id}: {', '.join(f'{s.recipient} {s.status}' for s in statuses)} "
                   f"→ <{entry.sender}>" if action == "failed" else f"delay warning for {entry.id} → <{entry.sender}>",
                   "Delivery failed for good, so this server writes a Non-Delivery Report (multipart/report with a "
                   "message/delivery-status part) and mails it to the envelope sender with MAIL FROM:<>."
                   if action == "failed" else "The message has waited for hours: the sender gets a warning DSN "
                   "(Action: delayed).", "RFC 3464 §2", kind=Kind.BOUNCE)
        self.submit(self.world.queue_id(), "", (entry.sender,), dsn, origin=origin)  # durable first
        if action == "failed":
            entry.reported.update(rcpts)

    # --- helpers ------------------------------------------------------------------------------------

    def _host(self, host_id: str) -> Host:
        try:
            return self.world.scenario.host(host_id)
        except KeyError:
            return self.world.msa

    @staticmethod
    def _set(entry: LiveEntry, rcpts: list[str], state: str, status: str, diagnostic: str) -> list:
        for rcpt in rcpts:
            entry.outcomes[rcpt] = Outcome(state, status, diagnostic, None, time.time())
        return []

    def _note(self, src: str, text: str, explain: str, rfc: str | None = None, *, kind: Kind = Kind.QUEUE) -> None:
        self.world.trace.emit(kind, src, src, text, explain, rfc=rfc)


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


def _dns_explain(text: str, answer: DNSAnswer) -> str:
    if text.startswith(";; ->>HEADER"):
        if answer.rcode != "NOERROR":
            return f"The resolver answers {answer.rcode}."
        return "The resolver answers: status NOERROR." if answer.records else \
            "NOERROR but no records of this type (NODATA)."
    fields = text.split("\t")
    if len(fields) >= 5 and fields[3] == "MX":
        pref, _, host = fields[4].partition(" ")
        return f"An MX record: mail for this domain may go to {host.rstrip('.')}, preference {pref} (lower first)."
    if len(fields) >= 5 and fields[3] in ("A", "AAAA"):
        return f"{fields[0].rstrip('.')} has the address {fields[4]} (in the scenario; live, it is this computer)."
    return "A DNS record."
