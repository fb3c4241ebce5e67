"""The live relay queue: asyncio drives the shared delivery planner on real sockets.

What to do next (MX order, retries, warnings, DSNs) is decided by
``simulator.delivery.planner``, exactly as in the simulation; this task
performs it: DNS from the scenario's zones in wire format, relay sessions
over loopback to the live MX listener, waits with the scenario's ``[queue]``
schedule divided by ``--time-scale``, and DSNs queued on disk. Each entry is
on disk (``spool``) from before the 250 until every recipient is delivered
or reported; a restart picks the entries up again. An MX host of the
scenario is reached at the live MX listener on loopback, and nothing else
is ever connected to: mail for a domain outside the scenario bounces (no
such domain), it does not leave this computer.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from simulator.delivery.dns import DNSExchange
from simulator.delivery.outcomes import QueueEntry, RecipientState
from simulator.delivery.site import Durable
from simulator.delivery.planner import (
    Action,
    DeliveryPlanner,
    Finished,
    LookUp,
    Note,
    Relay,
    RelayResult,
    Report,
    Wait,
    duration,
    failed_after_acceptance,
    failed_after_acceptance_note,
    queued_note,
    record,
    render_dsn,
    reports,
)
from simulator.delivery.servers import SYN_TIMEOUT
from simulator.dns import DNSAnswer
from simulator.live import crashpoints
from simulator.live.relay import relay_session
from simulator.live.spool import Spool
from simulator.mail.dsn import DSNAction
from simulator.mail.headers import header_value
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Host
from simulator.trace.events import Direction, Kind
from simulator.trace.narrate.dns import answer_explain, answer_rfc

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld

MAX_FAULT_WAIT = 30.0  # real seconds, whatever the time scale
CONCURRENCY = 20  # deliveries at once (Postfix's default destination concurrency is 20)
# Flow control, as Postfix's in_flow_delay: when more deliveries are due than this, a new
# submission waits (before its write and its 250) for the queue to catch up, at most
# MAX_FLOW_DELAY seconds, far below the 10 minutes a client waits for that reply
# (RFC 5321 §4.5.3.2.6). Acceptance then runs at the speed of delivery.
IN_FLOW_LIMIT = 4 * CONCURRENCY
MAX_FLOW_DELAY = 30.0

Register = Callable[[tuple[str, int], Host, Host, str], Callable[[], None]]


class LiveQueue:
    def __init__(self, world: LiveWorld, spool: Spool, *, mx_address: Callable[[], tuple[str, int]],
                 tls: Callable[[bool], ssl.SSLContext], register: Register, hold: bool = False) -> None:
        self.world = world
        self.spool = spool
        self.mx_address = mx_address
        self.tls = tls  # verify? -> client context
        self.register = register
        self.hold = hold
        self.schedule = world.clock.schedule(world.scenario.queue)  # in real seconds
        self.entries: dict[str, QueueEntry] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._rng = random.Random()
        self._started = False
        self._stopped = False
        self._due = 0  # entries whose delivery is due now (running or waiting for a slot), not sleeping
        self._waiting: deque[asyncio.Future[None]] = deque()  # submissions held by in_flow, oldest first
        self._throttled = False

    # --- entries in ------------------------------------------------------------------------------

    def start(self) -> int:
        """Pick up what a previous run left in the spool; returns how many entries."""
        self._started = True
        entries = self.spool.load()
        for name, reason in self.spool.damaged:
            self._note(self.world.msa.id, f"queue file {name}: {reason}; moved to queue-damaged/, not delivered",
                       "A queue file that cannot be read whole is set aside for a person to look at (as Postfix "
                       "moves a damaged queue file to its 'corrupt' directory); the rest of the queue goes on.")
        for entry in entries:
            self.entries[entry.id] = entry
            self._schedule(entry, 0.0)  # a start flushes the queue: everything is tried at once
        if entries:
            self._note(self.world.msa.id, f"{len(entries)} message(s) still queued from the last run",
                       "The queue is on disk: what was accepted with 250 before the restart is tried again now.")
        return len(entries)

    def submit(self, queue_id: str, sender: str, recipients: tuple[str, ...], content: bytes, *,
               origin: Host) -> QueueEntry:
        """Make a message durable and schedule its delivery, here and now (raises OSError if the disk fails)."""
        entry, job = self.submit_later(queue_id, sender, recipients, content, origin=origin)
        job.write()
        job.commit()
        return entry

    def submit_later(self, queue_id: str, sender: str, recipients: tuple[str, ...], content: bytes, *,
                     origin: Host) -> tuple[QueueEntry, Durable]:
        """``submit`` in two halves: the queue file's write (for the writer thread), then its commit."""
        entry = QueueEntry(queue_id, sender, tuple(recipients), time.time(), origin.id,
                           message_id=header_value(content, "Message-ID"))

        def write() -> None:
            self.spool.write(entry, content)
            crashpoints.reached(crashpoints.CrashPoint.SPOOLED)  # on disk, the client not yet told 250

        def commit() -> None:
            self.spool.added(entry)
            self.entries[entry.id] = entry
            self.world.accepted[entry.id] = entry
            self._perform(origin, content, queued_note(queue_id, sender, tuple(recipients), on_disk=True))
            if self._started:
                self._schedule(entry, 0.0)

        return entry, Durable(write, commit)

    def bounce_later(self, sender: str, rcpt: str, content: bytes, status: str, diagnostic: str, *,
                     origin: Host) -> None:
        """A message an MX accepted but then could not store: it owes the sender a DSN (queued before its 250)."""
        now = time.time()
        entry = failed_after_acceptance(self.world.queue_id(), sender, rcpt, now, origin.id,
                                        header_value(content, "Message-ID"), status, diagnostic, now)
        self._perform(origin, content, failed_after_acceptance_note(rcpt, diagnostic))
        for action in reports(entry, DSNAction.FAILED, origin):
            self._perform(origin, content, action)

    def _schedule(self, entry: QueueEntry, delay: float) -> None:
        if self.hold or self._stopped or entry.id in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(self._run(entry, delay), name=f"queue-{entry.id}")
        self._tasks[entry.id] = task
        queue_id = entry.id

        def forget(_task: asyncio.Task[None]) -> None:
            self._tasks.pop(queue_id, None)

        task.add_done_callback(forget)

    async def stop(self) -> None:
        """Stop delivering; everything not finished stays in the spool for the next start."""
        self._stopped = True
        for turn in self._waiting:
            if not turn.done():
                turn.set_result(None)  # held submissions are written and answered, then the goodbye
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=0.5)  # cancelled relays abort their sockets at once

    # --- delivery ----------------------------------------------------------------------------------

    async def _run(self, entry: QueueEntry, delay: float) -> None:
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

    def in_flow(self) -> Awaitable[None] | None:
        """What a new submission waits for while the queue is behind (see IN_FLOW_LIMIT); None: nothing."""
        if self._due <= IN_FLOW_LIMIT and not self._waiting:
            self._throttled = False
            return None
        return self._held()

    async def _held(self) -> None:
        if not self._throttled:
            self._throttled = True  # one note per episode: a flood must not fill the trace
            self._note(self.world.msa.id, f"the queue is behind ({self._due} deliveries due): new submissions wait",
                       "Mail arrives faster than the queue delivers it, so the submission server holds its "
                       "answer to each new message until the queue catches up (Postfix's in_flow_delay). "
                       "The client simply waits for the 250.", "RFC 5321 §4.5.3.2.6")
        if self._stopped:
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await asyncio.wait_for(turn, MAX_FLOW_DELAY)
        except TimeoutError:
            pass
        finally:
            if turn in self._waiting:
                self._waiting.remove(turn)

    def _one_less_due(self) -> None:
        """A delivery finished (or went to sleep until its retry): the longest-waiting submission goes on."""
        self._due -= 1
        while self._waiting and self._due < IN_FLOW_LIMIT + 1:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                break

    async def _deliver(self, entry: QueueEntry, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        self._due += 1
        try:
            await self._attempts(entry)
        finally:
            self._one_less_due()

    async def _attempts(self, entry: QueueEntry) -> None:
        origin = self._host(entry.origin)
        writer = self.world.writer
        content = await writer.run(lambda: self.spool.content(entry))
        planner = DeliveryPlanner(entry, self.schedule, origin, self.world.by_ip, self._rng.shuffle,
                                  span=self._span)
        answer: Any = None
        while True:
            action = planner.next(answer, now=time.time())
            answer = None
            if isinstance(action, LookUp):
                answer = await self._lookup(origin, action.name, action.rdtype)
            elif isinstance(action, Relay):
                async with self._slots:
                    answer = await self._relay(entry, origin, content, action)
            elif isinstance(action, Wait):
                await writer.run(lambda: self.spool.save(entry))
                self._one_less_due()  # sleeping until the next attempt: not behind
                try:
                    await asyncio.sleep(action.seconds)
                finally:
                    self._due += 1
            elif isinstance(action, Finished):
                await writer.run(lambda: self.spool.remove(entry))
                crashpoints.reached(crashpoints.CrashPoint.REMOVED)  # the queue file is gone: the entry is finished
                self._finish(entry)
                return
            elif isinstance(action, Report) and not action.dropped:
                job = self._report(origin, content, action)
                await writer.run(job.write)  # the DSN's queue file, before the planner goes on
                job.commit()
            else:
                self._perform(origin, content, action)

    def _finish(self, entry: QueueEntry) -> None:
        self.entries.pop(entry.id, None)
        delivered = [r for r, o in entry.outcomes.items() if o.state is RecipientState.DELIVERED]
        if delivered:
            self._note(entry.origin, f"{entry.id}: delivered to {', '.join(delivered)}; removed from the queue",
                       "Every recipient is settled: the queue forgets the message.", "RFC 5321 §4.5.4")

    async def _relay(self, entry: QueueEntry, origin: Host, content: bytes, relay: Relay) -> RelayResult:
        """One attempt at one MX: the scenario's network faults, then a real session over loopback."""
        faults, host = self.world.faults, relay.host
        if faults and faults.hit(FaultKind.CONNECTION_REFUSED, host.id):
            self._note(origin.id, f"{relay.mx}: connection refused (scenario fault)",
                       "The host answered the SYN with a reset: nothing listens. Temporary: next MX, or later.",
                       "RFC 5321 §4.5.4.1")
            return RelayResult({})
        if faults and (faults.hit(FaultKind.HOST_DOWN, host.id) or faults.hit(FaultKind.NO_ANSWER, host.id)):
            await asyncio.sleep(min(MAX_FAULT_WAIT, self.world.clock.real_seconds(SYN_TIMEOUT)))
            self._note(origin.id, f"{relay.mx}: no answer, connection timed out (scenario fault)",
                       "Nothing answered: the host is down or unreachable. A timeout is a temporary failure, so "
                       "the sender tries the next MX or retries later.", "RFC 5321 §4.5.4.1")
            return RelayResult({})
        listen = self.mx_address()
        crashpoints.reached(crashpoints.CrashPoint.RELAYING)
        self._note(origin.id, f"{entry.id}: connecting to {relay.mx} ({relay.address} in the scenario) at "
                   f"{listen[0]}:{listen[1]}", "The queue opens an SMTP connection to the MX on port 25 "
                   "(here the live MX listener on this computer).", "RFC 5321 §5.1")
        result = await relay_session(
            listen, helo=origin.hostname, server_name=relay.mx, sender=entry.sender,
            recipients=relay.recipients, content=content, tls_context=self.tls(origin.relay_tls == "verify"),
            register=lambda local: self.register(local, host, origin, entry.id),
        )
        if any(200 <= r.code < 300 for r in result.results.values()):
            crashpoints.reached(crashpoints.CrashPoint.RELAYED)  # the MX said 250; the queue has not noted it yet
        if not result.results:
            self._note(origin.id, f"{relay.mx}: no transaction ({result.problem or 'closed'})",
                       "The MX did not take part in a mail transaction; the sender tries the next MX.",
                       "RFC 5321 §5.1")
        return RelayResult({rcpt: (r.code, r.enhanced, r.text) for rcpt, r in result.results.items()})

    async def _lookup(self, origin: Host, qname: str, rdtype: str) -> DNSAnswer | None:
        """Ask the scenario's zones through wire format; trace the question and the answer like dig."""
        world = self.world
        exchange = DNSExchange(world.resolvers, world.faults, qname, rdtype, lambda: self._rng.randrange(1, 65536))
        for attempt in range(1, exchange.tries + 1):
            world.trace.emit(Kind.DNS, origin.id, world.dns_id, exchange.query_line, exchange.query_explain(attempt),
                             port=53, dir=Direction.CLIENT, rfc=exchange.query_rfc)
            if not exchange.timeout:
                break
            wait = world.scenario.queue.dns_timeout
            await asyncio.sleep(min(MAX_FAULT_WAIT, world.clock.real_seconds(wait)))
            text, explain, rfc = exchange.no_answer(attempt, wait)
            world.trace.emit(Kind.DNS, origin.id, world.dns_id, text, explain, port=53, rfc=rfc)
        if exchange.timeout:
            return None
        answer, lines = exchange.answer()
        for text in lines:
            world.trace.emit(Kind.DNS, world.dns_id, origin.id, text, answer_explain(text, answer, qname),
                             port=53, dir=Direction.SERVER, rfc=answer_rfc(text, answer))
        return answer

    def _perform(self, origin: Host, content: bytes, action: Action) -> None:
        """A note for the trace, or a DSN to write and queue (durably, before the planner goes on)."""
        if isinstance(action, Note):
            self._note(origin.id, action.text, action.explain, action.rfc, kind=action.kind)
            return
        assert isinstance(action, Report)
        if action.dropped:
            record(self.world.ledger, action)
            return
        job = self._report(origin, content, action)
        job.write()
        job.commit()

    def _report(self, origin: Host, content: bytes, action: Report) -> Durable:
        """A DSN as a queue entry of its own: written durably, then recorded."""
        world = self.world
        header_t = world.clock.header_t
        dsn = render_dsn(action, content, to_header=header_t, t=header_t(),
                         message_id=world.message_id(action.id_domain), boundary=world.boundary())
        _, job = self.submit_later(world.queue_id(), "", (action.entry.sender,), dsn, origin=origin)

        def commit() -> None:
            job.commit()
            record(world.ledger, action)

        return Durable(job.write, commit)

    # --- helpers ------------------------------------------------------------------------------------

    def _span(self, seconds: float) -> str:
        """A real duration, with what it stands for in scenario time."""
        scenario = seconds * self.world.clock.time_scale
        if abs(scenario - seconds) < 0.5:
            return duration(seconds)
        return f"{_real(seconds)} ({duration(scenario)} of scenario time)"

    def _host(self, host_id: str) -> Host:
        try:
            return self.world.scenario.host(host_id)
        except KeyError:
            return self.world.msa

    def _note(self, src: str, text: str, explain: str, rfc: str | None = None, *, kind: Kind = Kind.QUEUE) -> None:
        self.world.trace.emit(kind, src, src, text, explain, rfc=rfc)


def _real(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"
