"""What every part of live mode shares: the scenario, clocks, faults, DNS, the trace.

Three clocks, each for one purpose:

- ``LiveClock.elapsed()``: real seconds since start, the trace's ``t``;
- ``LiveClock.now``: *scenario* seconds, ``elapsed * time_scale``. Fault
  windows (``from``/``until``), greylisting delays and the queue's retry
  schedule are written in scenario seconds, so ``--time-scale 1000`` makes a
  30-minute retry take 1.8 real seconds;
- ``LiveClock.header_t()``: seconds since ``simulator.mail.headers.EPOCH``
  of the wall clock, which is what the simulation's header helpers
  (``rfc5322_date``, ``imap_date``, ``received_header``, ``build_dsn``) take:
  given this, they print today's real date.

``LiveWorld`` also offers, under the names the simulation's ``World`` uses,
what ``simulator.actors.servers.InboundPolicy`` reads (``faults``,
``greylist``, ``env.now``, ``scenario``), so live mode asks the very same
recipient rules the simulation asks.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace

from simulator.actors.faults import FaultBook
from simulator.actors.world import World
from simulator.dns import ZoneResolver
from simulator.live.trace import LiveTrace
from simulator.mail.headers import EPOCH
from simulator.scenario.model import Account, Host, Role, Scenario

_EPOCH_TS = EPOCH.timestamp()


class LiveClock:
    def __init__(self, time_scale: float = 1.0) -> None:
        if not time_scale > 0:
            raise ValueError("time_scale must be > 0")
        self.time_scale = float(time_scale)
        self._start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    @property
    def now(self) -> float:
        """Scenario seconds since start (what faults and greylisting compare)."""
        return (time.monotonic() - self._start) * self.time_scale

    def real_seconds(self, scenario_seconds: float) -> float:
        """How long a scenario duration (a retry interval) lasts in real time."""
        return scenario_seconds / self.time_scale

    @staticmethod
    def header_t(wall: float | None = None) -> float:
        """The wall clock (or ``wall``, a Unix time) as the header helpers' ``t``."""
        return (time.time() if wall is None else wall) - _EPOCH_TS


class LiveWorld:
    """The scenario and the state every live server and the queue share."""

    def __init__(self, scenario: Scenario, *, time_scale: float = 1.0, max_events: int | None = None) -> None:
        self.scenario = scenario
        self.clock = LiveClock(time_scale)
        self.env = self.clock  # InboundPolicy reads world.env.now
        self.faults = FaultBook(scenario.faults, lambda: self.clock.now)
        self.greylist: dict[tuple[str, str, str], float] = {}
        # An empty simulation world gives the actors in mail order and the
        # fault-rewritten zones (null MX, no MX), exactly as the simulation has them.
        sim = World(scenario)
        self.resolver: ZoneResolver = sim.resolver
        self.fault_resolvers: dict[tuple[str, str], ZoneResolver] = sim.fault_resolvers
        kwargs = {} if max_events is None else {"max_events": max_events}
        self.trace = LiveTrace(sim.trace(), **kwargs)
        self.by_ip: dict[str, Host] = {h.ip: h for h in scenario.hosts}
        msas = scenario.hosts_with_role(Role.MSA)
        if not msas:
            raise ValueError(f"scenario {scenario.name} has no submission server (role msa)")
        self.msa: Host = msas[0]
        order = [a.id for a in self.trace.actors]
        self.mtas: tuple[Host, ...] = tuple(sorted(scenario.hosts_with_role(Role.MTA), key=lambda h: order.index(h.id)))
        self.stores: tuple[Host, ...] = tuple(sorted(scenario.hosts_with_role(Role.STORE), key=lambda h: order.index(h.id)))
        dns_hosts = scenario.hosts_with_role(Role.DNS)
        self.dns_id = dns_hosts[0].id if dns_hosts else "dns"

    # --- who is who ----------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        """Every account, the first message's sender first."""
        accounts = list(self.scenario.accounts)
        sender = self.scenario.messages[0].sender.lower() if self.scenario.messages else None
        accounts.sort(key=lambda a: a.address.lower() != sender)
        return accounts

    def mta_for_domain(self, domain: str) -> Host | None:
        domain = domain.lower().rstrip(".")
        return next((h for h in self.mtas if domain in (d.lower() for d in h.domains)), None)

    def store_for_domain(self, domain: str) -> Host | None:
        domain = domain.lower().rstrip(".")
        return next((h for h in self.stores if domain in (d.lower() for d in h.domains)), None)

    def store_behind(self, mta: Host) -> Host | None:
        if mta.store:
            return self.scenario.host(mta.store)
        return self.store_for_domain(mta.domains[0]) if mta.domains else None

    def account_by_username(self, username: str) -> Account | None:
        return next((a for a in self.scenario.accounts if a.username == username), None)

    def mua_for(self, account: Account | None) -> Host | None:
        if account is None:
            return None
        address = account.address.lower()
        return next((h for h in self.scenario.hosts if h.role is Role.MUA and (h.account or "").lower() == address),
                    None)

    def sender_mua_id(self) -> str:
        """The client a submission is drawn as coming from: the first sender's MUA."""
        mua = self.mua_for(self.accounts()[0]) if self.scenario.accounts else None
        if mua is None:
            muas = self.scenario.hosts_with_role(Role.MUA)
            return muas[0].id if muas else "client"
        return mua.id

    def reader_mua_id(self, store: Host) -> str:
        """The client drawn reading ``store`` before anyone has logged in."""
        for account in self.scenario.accounts:
            if account.address.rsplit("@", 1)[1].lower() in (d.lower() for d in store.domains):
                mua = self.mua_for(account)
                if mua is not None:
                    return mua.id
        return self.sender_mua_id()

    def peer_host(self, base: Host | None, ip: str) -> Host:
        """A Host for the party at ``ip``: ``base`` with its real address, or an outsider."""
        if base is not None:
            return replace(base, ip=ip)
        return Host("outside", Role.MUA, "localhost" if ip in ("127.0.0.1", "::1") else ip, ip, ())

    # --- identifiers: unique across restarts (never seeded) ------------------------------------

    @staticmethod
    def queue_id() -> str:
        return secrets.token_hex(5).upper()

    def message_id(self, domain: str) -> str:
        return f"<{secrets.token_hex(8)}.{self.queue_id().lower()}@{domain}>"

    @staticmethod
    def boundary() -> str:
        return f"=_smtpsim_{secrets.token_hex(6)}"
