"""The validated form of a scenario file."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum

from simulator.scenario.topics import Topic
from simulator.scenario.faults import Fault, QueuePolicy


class Role(str, Enum):
    MUA = "mua"  # a person's mail client: submits mail and reads it
    MSA = "msa"  # the submission server (587 STARTTLS, 465 implicit TLS)
    DNS = "dns"  # the recursive resolver the servers ask
    MTA = "mta"  # an inbound MX (port 25)
    STORE = "store"  # the mailbox server (IMAP, POP3)
    ATTACKER = "attacker"  # a man in the middle on some link


# The ports each role listens on when a scenario does not say.
DEFAULT_PORTS: dict[Role, tuple[int, ...]] = {
    Role.MUA: (),
    Role.MSA: (587, 465),
    Role.DNS: (53,),
    Role.MTA: (25,),
    Role.STORE: (143, 993, 110, 995),
    Role.ATTACKER: (),
}
# The selector of the scenarios' DKIM key, assets/dkim/sim2026.pem (test data, never a real key).
DKIM_SELECTOR = "sim2026"


@dataclass(frozen=True)
class Host:
    """One machine of the scenario (a ``[hosts.ID]`` table): its role, names, address and settings."""

    id: str
    role: Role
    hostname: str
    ip: str
    ports: tuple[int, ...]
    label: str = ""
    tls: str = "1.3"  # "1.3", "1.2" or "none": what the server offers
    domains: tuple[str, ...] = ()  # MTA/STORE: the mail domains it serves
    store: str | None = None  # MTA: the store it delivers into
    account: str | None = None  # MUA: whose client this is
    submit_port: int = 587  # MUA: 587 (STARTTLS) or 465 (implicit TLS)
    msa: str | None = None  # MUA: the submission server it uses
    read_protocol: str = "imap"  # MUA: imap or pop3
    read_port: int = 993  # MUA: 993, 143, 995 or 110
    read_delay: float = 5.0  # MUA: seconds after delivery before it checks mail
    relay_tls: str = "may"  # MSA: "may" (opportunistic, RFC 7435) or "verify" the MX's certificate
    idle: bool = False  # MUA (IMAP): stays connected in IDLE and is told of new mail at once (RFC 2177)
    after_reading: str = "keep"  # MUA (IMAP): "keep", or "trash": moves what it read to Trash (RFC 6851)
    # MTA: checks of a connecting client's address (simulator/delivery/connectcheck.py), off unless set.
    reverse_dns: bool = False  # look up the client's PTR and confirm it forward (FCrDNS)
    dnsbl: tuple[str, ...] = ()  # DNS blocklist zones to ask about the client (RFC 5782 §2.1)
    # Who may send for a domain (simulator/delivery/authentication/), off unless set.
    dkim_selector: str = ""  # MSA: sign outgoing mail with DKIM (RFC 6376) with this selector's key
    footer: str = ""  # MSA: a line its outbound filter appends to each body, after signing
    mail_auth: bool = False  # MTA: verify SPF, DKIM and DMARC of incoming mail, stamp Authentication-Results
    forward: tuple[tuple[str, str], ...] = ()  # MTA: (address, where its mail is forwarded to)


@dataclass(frozen=True)
class Account:
    """A mailbox account: the address, the login name and the password."""

    address: str
    username: str
    password: str


@dataclass(frozen=True)
class Message:
    """A message a scenario sends (``[[messages]]``): envelope, subject, body and when."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    at: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AuthoredQuestion:
    """A quiz question written into a scenario file (``[[quiz]]``)."""

    question: str
    choices: tuple[str, ...]
    answer: str
    explanation: str
    rfc: str = ""
    difficulty: str = "medium"
    topics: tuple[Topic, ...] = ()  # empty: the lesson's topics


@dataclass(frozen=True)
class Moment:
    """A key moment of the lesson (``[[moments]]``): the step whose line starts with ``line``.

    ``host`` (a host id) narrows it to lines that host says, ``nth`` picks a
    later one (1: the first); ``notes`` are the instructor's questions there.
    """

    title: str
    line: str
    host: str | None = None
    nth: int = 1
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file: hosts, accounts, zones, messages, faults and the lesson around them."""

    name: str
    source: str
    title: str
    summary: str
    seed: int
    hosts: tuple[Host, ...]
    accounts: tuple[Account, ...]
    zones: tuple[tuple[str, str], ...]  # (origin, master-file text)
    messages: tuple[Message, ...]
    latency: float = 0.010
    links: tuple[tuple[str, str, float], ...] = ()
    goals: tuple[str, ...] = ()
    debrief: str = ""
    level: str = "basics"
    order: int = 100
    glossary: tuple[tuple[str, str], ...] = ()  # (term, definition), as the lesson lists them
    topics: tuple[Topic, ...] = ()  # what the lesson teaches (simulator/scenario/topics.py)
    queue: QueuePolicy = field(default_factory=QueuePolicy)
    faults: tuple[Fault, ...] = ()
    quiz: tuple[AuthoredQuestion, ...] = ()
    moments: tuple[Moment, ...] = ()

    def host(self, host_id: str) -> Host:
        return self._hosts_by_id[host_id]  # KeyError for an unknown id

    @functools.cached_property
    def _hosts_by_id(self) -> dict[str, Host]:
        # The first host of an id wins, as a scan in order would find it.
        by_id: dict[str, Host] = {}
        for host in self.hosts:
            by_id.setdefault(host.id, host)
        return by_id

    def hosts_with_role(self, role: Role) -> tuple[Host, ...]:
        return self._hosts_by_role.get(role, ())

    @functools.cached_property
    def _hosts_by_role(self) -> dict[Role, tuple[Host, ...]]:
        # Asked for every message (its MSA, its resolver): each role's hosts, in order, found once.
        by_role: dict[Role, list[Host]] = {}
        for host in self.hosts:
            by_role.setdefault(host.role, []).append(host)
        return {role: tuple(hosts) for role, hosts in by_role.items()}

    def account(self, address: str) -> Account | None:
        return self._accounts_by_address.get(address.lower())

    @functools.cached_property
    def _accounts_by_address(self) -> dict[str, Account]:
        return {a.address.lower(): a for a in self.accounts}

    def link_latency(self, a: str, b: str) -> float:
        for x, y, latency in self.links:
            if {x, y} == {a, b}:
                return latency
        return self.latency
