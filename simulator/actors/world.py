"""The world of one run: clock, seeded randomness, hosts, DNS and the trace."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from simulator.actors.faults import FaultBook
from simulator.dns import ZoneResolver, build_zones
from simulator.engine import Environment
from simulator.scenario.model import Host, Role, Scenario
from simulator.trace.events import ActorInfo, Kind, Trace
from simulator.trace.recorder import TraceRecorder

if TYPE_CHECKING:
    from simulator.actors.mua import MUA
    from simulator.actors.queue import OutboundQueue
    from simulator.actors.servers import StoreActor


class World:
    """Everything the actors share. Nothing in here reads a wall clock."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.rng = random.Random(self.seed)
        self.env = Environment()
        self.recorder = TraceRecorder(lambda: self.env.now)
        self.resolver = ZoneResolver(build_zones(scenario.zones))
        self.faults = FaultBook(scenario.faults, lambda: self.env.now)
        # Zone faults get their own resolver, used while the fault is in force.
        self.fault_resolvers: dict[tuple[str, str], ZoneResolver] = {
            (f.kind, f.subject): ZoneResolver(build_zones(_rewrite_zone(scenario.zones, f.kind, f.subject)))
            for f in scenario.faults if f.kind in ("null-mx", "no-mx")
        }
        # What became of each accepted message, per recipient: (outcome, Message-ID, recipient).
        self.ledger: list[tuple[str, str, str]] = []
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

    def queue_of(self, host: Host) -> OutboundQueue:
        return self.queues[host.id]

    def store_of(self, host: Host) -> StoreActor:
        """The store behind a host: itself, or the store an MX delivers into."""
        return self.stores[host.store if host.role is Role.MTA and host.store else host.id]

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
        actors = tuple(
            ActorInfo(h.id, h.role.value, h.hostname, h.ip, h.ports, h.label or _default_label(h))
            for h in _mail_order(self.scenario)
        )
        return Trace(
            scenario=self.scenario.name,
            title=self.scenario.title,
            summary=self.scenario.summary,
            seed=self.seed,
            actors=actors,
            events=tuple(self.recorder.events),
            connections=tuple(self.recorder.connections.values()),
            goals=self.scenario.goals,
            debrief=self.scenario.debrief,
        )


def _default_label(host: Host) -> str:
    return {
        Role.MUA: f"{host.account.split('@')[0] if host.account else host.id}'s client (MUA)",
        Role.MSA: "submission server (MSA)",
        Role.DNS: "DNS resolver",
        Role.MTA: "MX (receiving MTA)",
        Role.STORE: "mailbox store (MDA, IMAP/POP3)",
        Role.ATTACKER: "attacker (man in the middle)",
    }[host.role]


_ROLE_ORDER = {Role.MUA: 0, Role.MSA: 1, Role.DNS: 2, Role.ATTACKER: 3, Role.MTA: 4, Role.STORE: 5}


def _mail_order(scenario: Scenario) -> list[Host]:
    """The order mail travels: sender's client first, recipients' clients last."""
    hosts = scenario.hosts
    sending = {m.sender for m in scenario.messages}
    senders = [h for h in hosts if h.role is Role.MUA and h.account in sending]
    readers = [h for h in hosts if h.role is Role.MUA and h.account not in sending]
    middle = sorted((h for h in hosts if h.role is not Role.MUA), key=lambda h: _ROLE_ORDER[h.role])
    return senders + middle + readers



def _rewrite_zone(zones: tuple[tuple[str, str], ...], kind: str, domain: str) -> list[tuple[str, str]]:
    """The zones with the domain's MX records replaced (null MX) or removed (implicit MX)."""
    out = []
    for origin, text in zones:
        if origin == domain:
            kept = [line for line in text.splitlines() if not _is_apex_mx(line, domain)]
            if kind == "null-mx":
                kept.append("@ IN MX 0 .")  # RFC 7505 §3
            text = "\n".join(kept) + "\n"
        out.append((origin, text))
    return out


def _is_apex_mx(line: str, domain: str) -> bool:
    fields = line.split(";", 1)[0].split()
    apex = ("@", domain, domain + ".")
    return bool(fields) and fields[0].lower() in apex and "MX" in (f.upper() for f in fields[1:4])
