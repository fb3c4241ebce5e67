"""What every part of live mode shares: the scenario, clocks, faults, DNS, the trace.

Three clocks, each for one purpose:

- ``LiveClock.elapsed()``: real seconds since start, the trace's ``t``;
- ``LiveClock.now``: *scenario* seconds, ``elapsed * time_scale``. Fault
  windows (``from``/``until``) and greylisting delays are written in scenario
  seconds, so ``--time-scale 1000`` makes a 5-minute greylisting delay last
  0.3 real seconds;
- ``LiveClock.header_t()``: seconds since ``simulator.mail.headers.EPOCH``
  of the wall clock, which is what the header helpers (``rfc5322_date``,
  ``imap_date``, ``received_header``, ``build_dsn``) take: given this, they
  print today's real date.

The queue plans on the wall clock (a queue entry must survive a restart),
with the scenario's ``[queue]`` schedule divided by the time scale.

``LiveWorld`` is live mode's ``simulator.delivery.site.Site``: the hooks
through which the shared policies and servers act on real files (the
Maildirs, the queue on disk).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from simulator.delivery.authentication import DKIMKey
from simulator.delivery.dns import Resolvers
from simulator.delivery.faults import FaultBook
from simulator.delivery.outcomes import Ledger, QueueEntry, Result, Submission
from simulator.delivery.site import Checks, actor_infos, mua_for, store_behind, store_for_domain
from simulator.live.authrecords import live_auth
from simulator.live.trace import LiveTrace
from simulator.mail.headers import EPOCH, header_value, imap_date
from simulator.protocols.mailstore import MailStore
from simulator.scenario.faults import QueuePolicy
from simulator.scenario.model import Account, Host, Role, Scenario
from simulator.trace.events import Kind, Trace

if TYPE_CHECKING:
    from simulator.live.queue import LiveQueue
    from simulator.live.maildir import MaildirStore

_EPOCH_TS = EPOCH.timestamp()


class LiveClock:
    def __init__(self, time_scale: float = 1.0) -> None:
        if not time_scale > 0:
            raise ValueError("time_scale must be > 0")
        self.time_scale = float(time_scale)
        self._start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def reset(self) -> None:
        """Scenario time starts now (when the servers are ready): fault windows count from here."""
        self._start = time.monotonic()

    @property
    def now(self) -> float:
        """Scenario seconds since start (what faults and greylisting compare)."""
        return (time.monotonic() - self._start) * self.time_scale

    def real_seconds(self, scenario_seconds: float) -> float:
        """How long a scenario duration (a retry interval) lasts in real time."""
        return scenario_seconds / self.time_scale

    def schedule(self, policy: QueuePolicy) -> QueuePolicy:
        """The queue schedule in real seconds."""
        scale = self.time_scale
        return replace(policy, retry=policy.retry / scale, warn_after=policy.warn_after / scale,
                       give_up_after=policy.give_up_after / scale,
                       connect_timeout=policy.connect_timeout / scale, dns_timeout=policy.dns_timeout / scale)

    @staticmethod
    def header_t(wall: float | None = None) -> float:
        """The wall clock (or ``wall``, a Unix time) as the header helpers' ``t``."""
        return (time.time() if wall is None else wall) - _EPOCH_TS


class LiveWorld:
    """The scenario and the state every live server and the queue share."""

    def __init__(self, scenario: Scenario, *, time_scale: float = 1.0, max_events: int | None = None) -> None:
        # Live mode signs all submitted mail and checks all incoming mail (simulator.live.authrecords).
        self.scenario = scenario = live_auth(scenario)
        self.dkim_key: DKIMKey | None = None  # what the MSA signs with (simulator.live.dkimkey), once started
        self.clock = LiveClock(time_scale)
        self.faults = FaultBook(scenario.faults, lambda: self.clock.now)
        self.greylist: dict[tuple[str, str, str], float] = {}
        self.resolvers = Resolvers(scenario, key_for=self._key_for)
        base = Trace(scenario=scenario.name, title=scenario.title, summary=scenario.summary, seed=scenario.seed,
                     actors=actor_infos(scenario), events=(), connections=(), goals=scenario.goals,
                     debrief=scenario.debrief)
        self.trace = LiveTrace(base) if max_events is None else LiveTrace(base, max_events=max_events)
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
        # What became of each message, per recipient; and every entry a queue accepted, by id.
        self.ledger = Ledger()
        self.accepted: dict[str, QueueEntry] = {}
        self.submissions: list[Submission | None] = []
        self.mailboxes: MaildirStore | None = None
        self.queue: LiveQueue | None = None

    def publish(self, key: DKIMKey, zones: tuple[tuple[str, str], ...]) -> None:
        """Sign with ``key``; answer from ``zones`` (with SPF and DMARC) and the key's record from now on."""
        self.dkim_key = key
        self.scenario = replace(self.scenario, zones=zones)
        self.resolvers = Resolvers(self.scenario, key_for=self._key_for)

    def _key_for(self, msa: Host, domain: str) -> DKIMKey | None:
        key = self.dkim_key
        return key if key is not None and msa.id == self.msa.id and domain.lower() == key.domain else None

    def attach(self, mailboxes: MaildirStore, queue: LiveQueue) -> None:
        """The mailboxes and the queue, once live mode has opened them."""
        self.mailboxes = mailboxes
        self.queue = queue

    # --- the Site hooks (simulator.delivery.site) ----------------------------------------------------

    def now(self) -> float:
        return self.clock.now

    def header_time(self) -> float:
        return self.clock.header_t()

    def mail_store(self, host: Host) -> MailStore:
        assert self.mailboxes is not None, "live mode is not started"
        return self.mailboxes  # one Maildir tree behind every store of the scenario

    def enqueue(self, host: Host, queue_id: str, sender: str, recipients: tuple[str, ...], content: bytes) -> None:
        assert self.queue is not None, "live mode is not started"
        self.queue.submit(queue_id, sender, recipients, content, origin=host)  # on disk before the 250

    def store(self, mx: Host, rcpt: str, username: str, content: bytes, key: str | None) -> None:
        assert self.mailboxes is not None, "live mode is not started"
        t = self.clock.header_t()
        stored = self.mailboxes.deliver_once(username, content, imap_date(t), key)
        store = store_behind(self.scenario, mx)
        where = store.hostname if store else mx.hostname
        if stored is None:
            self.trace.emit(
                Kind.DELIVER, mx.id, store.id if store else mx.id,
                f"{rcpt}: already in the INBOX on {where} (the same queue entry again): not stored twice",
                "The sender offered a message this server had already stored (it stopped before noting our "
                "250). Delivery is idempotent by the sender's queue id, so the mailbox gets one copy.",
                rfc="RFC 5321 §6.1",
            )
            return
        self.ledger.settle(Result.DELIVERED, header_value(content, "Message-ID"), rcpt, "2.0.0")
        self.trace.emit(
            Kind.DELIVER, mx.id, store.id if store else mx.id,
            f"stored in {rcpt}'s INBOX on {where} (UID {stored.uid})",
            "Final delivery: the MX has written the message into the mailbox (a Maildir on disk) before "
            "answering 250, and added Return-Path with the envelope sender.", rfc="RFC 5321 §4.4",
        )

    def bounce_later(self, mx: Host, sender: str, rcpt: str, content: bytes, status: str, diagnostic: str) -> None:
        assert self.queue is not None, "live mode is not started"
        self.queue.bounce_later(sender, rcpt, content, status, diagnostic, origin=mx)

    def signing_key(self, msa: Host) -> DKIMKey | None:
        return self._key_for(msa, msa.domains[0]) if msa.domains else None

    def forward(self, mx: Host, sender: str, rcpt: str, target: str, content: bytes) -> None:
        self.ledger.forward(header_value(content, "Message-ID"), rcpt, target)
        self.enqueue(mx, self.queue_id(), sender, (target,), content)

    def run_check(self, host: Host, check: Checks) -> None:
        from simulator.live.checks import run_client_check  # live.checks imports this module's type

        run_client_check(self, host.id, check)

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
        return store_for_domain(self.scenario, domain)

    def account_by_username(self, username: str) -> Account | None:
        return next((a for a in self.scenario.accounts if a.username == username), None)

    def mua_for(self, account: Account | None) -> Host | None:
        return mua_for(self.scenario, account)

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
