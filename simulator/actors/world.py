"""The world of one run: clock, seeded randomness, hosts, DNS and the trace.

``World`` is the simulation's ``Site``: the hooks (clock, identifiers,
enqueue, store) through which the shared policies and servers of
``simulator.delivery`` act on simulated hosts.
"""

from __future__ import annotations

import random
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING

from simulator.delivery.dns import Resolvers
from simulator.delivery.faults import FaultBook
from simulator.delivery.outcomes import Ledger, QueueEntry, Submission
from simulator.actors.dnsclient import run_now
from simulator.delivery.site import Checks, actor_infos, store_behind
from simulator.engine import Environment
from simulator.mail.headers import header_value
from simulator.protocols.mailstore import MailStore
from simulator.scenario.model import Host, Role, Scenario
from simulator.trace.fields import Kind
from simulator.trace.recorder import EventSink, LineSink, TraceRecorder

if TYPE_CHECKING:
    from simulator.delivery.authentication import DKIMKey
    from simulator.trace.events import Trace
    from simulator.actors.mua import MUA
    from simulator.actors.queue import OutboundQueue
    from simulator.actors.servers import StoreActor

LOCAL_DELIVERY_DELAY = 0.05  # seconds from the MX's 250 to the message in the mailbox
REMOTE_BOUNCE_DELAY = 2.0  # seconds from the MX's 250 to its failed final delivery


class World:
    """Everything the actors share. Nothing in here reads a wall clock."""

    def __init__(self, scenario: Scenario, seed: int | None = None, sink: EventSink | None = None,
                 lines: LineSink | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.rng = random.Random(self.seed)
        self.env = Environment()
        # With a sink (or lines: each event's JSON line), each trace event goes to it as it happens
        # and trace() has no events.
        # The clock: C calls down to the property (it is read once per trace event).
        self.recorder = TraceRecorder(partial(attrgetter("now"), self.env), sink, lines)
        self.resolvers = Resolvers(scenario)
        self.faults = FaultBook(scenario.faults, lambda: self.env.now)
        # What became of each accepted message, per recipient.
        self.ledger = Ledger()
        # Each scenario message as its sender's client saw the submission (None: not sent yet).
        self.submissions: list[Submission | None] = [None] * len(scenario.messages)
        # Greylisting memory: (client ip, sender, recipient) -> first seen.
        self.greylist: dict[tuple[str, str, str], float] = {}
        self.by_ip: dict[str, Host] = {h.ip: h for h in scenario.hosts}
        self.queues: dict[str, OutboundQueue] = {}
        self.stores: dict[str, StoreActor] = {}
        self.muas: dict[str, MUA] = {}

    def populate(self) -> None:
        """Create an actor for every host of the scenario."""
        from simulator.actors.mua import MUA
        from simulator.actors.queue import OutboundQueue
        from simulator.actors.servers import StoreActor

        for host in self.scenario.hosts:
            if host.role in (Role.MSA, Role.MTA):
                # An MX needs a queue too: for bounces it writes itself.
                self.queues[host.id] = OutboundQueue(self, host)
            elif host.role is Role.STORE:
                self.stores[host.id] = StoreActor(self, host)
        for host in self.scenario.hosts:
            if host.role is Role.MUA:
                self.muas[host.id] = MUA(self, host)

    def store_of(self, host: Host) -> StoreActor:
        """The store behind a host: itself, or the store an MX delivers into."""
        store = store_behind(self.scenario, host)
        return self.stores[store.id if store is not None else host.id]

    def store_for_address(self, address: str) -> Host | None:
        domain = address.rsplit("@", 1)[1]
        for host in self.scenario.hosts_with_role(Role.STORE):
            if domain in host.domains:
                return host
        return None

    def mail_arrived(self, address: str) -> None:
        for mua in self.muas.values():
            if mua.account.address == address.lower():
                mua.mail_arrived()

    def accepted(self) -> dict[str, QueueEntry]:
        """Every queue entry by queue id (the outcome lines look the MSA's up)."""
        return {qid: entry for queue in self.queues.values() for qid, entry in queue.entries.items()}

    # --- the Site hooks (simulator.delivery.site) ----------------------------------------------------

    def now(self) -> float:
        return self.env.now

    def header_time(self) -> float:
        return self.env.now  # simulated time 0 is headers' EPOCH

    def mail_store(self, host: Host) -> MailStore:
        return self.store_of(host).mail

    def enqueue(self, host: Host, queue_id: str, sender: str, recipients: tuple[str, ...], content: bytes) -> None:
        self.queues[host.id].enqueue(queue_id, sender, recipients, content)

    def store(self, mx: Host, rcpt: str, username: str, content: bytes, key: str | None) -> None:
        # The 250 comes first: the MX has the message safely queued; local
        # delivery into the mailbox follows a moment later.
        store = self.store_of(mx)
        self.env.schedule(LOCAL_DELIVERY_DELAY, lambda _: store.deliver(mx, rcpt, username, content))

    def bounce_later(self, mx: Host, sender: str, rcpt: str, content: bytes, status: str, diagnostic: str) -> None:
        self.queues[mx.id].bounce_later(sender, rcpt, content, status, diagnostic, delay=REMOTE_BOUNCE_DELAY)

    def signing_key(self, msa: Host) -> DKIMKey | None:
        from simulator.delivery.authentication.zones import scenario_key

        return scenario_key(msa, msa.domains[0]) if msa.domains else None  # the scenario's test key

    def forward(self, mx: Host, sender: str, rcpt: str, target: str, content: bytes) -> None:
        self.ledger.forward(header_value(content, "Message-ID"), rcpt, target)
        self.enqueue(mx, self.queue_id(), sender, (target,), content)  # written at once: nothing to return

    def run_check(self, host: Host, check: Checks) -> None:
        run_now(self, host.id, check)

    # Deterministic identifiers, all drawn from the seeded RNG.
    def queue_id(self) -> str:
        return "".join(self.rng.choice("0123456789ABCDEF") for _ in range(10))

    def message_id(self, domain: str) -> str:
        return f"<{self.rng.getrandbits(64):016x}.{self.queue_id().lower()}@{domain}>"

    def boundary(self) -> str:
        return f"=_smtpsim_{self.rng.getrandbits(48):012x}"

    def dns_id(self) -> int:
        return self.rng.randrange(1, 65536)

    def note(self, src: str, dst: str, text: str, explain: str, rfc: str | None = None, kind: Kind = Kind.NOTE) -> None:
        self.recorder.emit(kind, src, dst, text, explain, rfc=rfc)

    def trace(self) -> Trace:
        from simulator.trace.events import Trace

        return Trace(
            scenario=self.scenario.name,
            title=self.scenario.title,
            summary=self.scenario.summary,
            seed=self.seed,
            actors=actor_infos(self.scenario),
            events=tuple(self.recorder.events),
            connections=tuple(self.recorder.connections.values()),
            goals=self.scenario.goals,
            debrief=self.scenario.debrief,
        )
