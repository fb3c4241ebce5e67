"""The small hooks the shared policies and the server factory need from their world.

The simulation's ``World`` and live mode's ``LiveWorld`` each provide them:
a clock (scenario seconds, for fault windows and greylisting; and the time
headers carry), identifiers, where mail is stored and queued. Everything
else (who may log in, which recipient exists, what a fault does) is decided
once, in ``simulator.delivery.policies`` and ``simulator.delivery.servers``.

Also here: who is who in a scenario, asked the same way by both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from simulator.delivery.connectcheck import Checks
from simulator.delivery.faults import FaultBook
from simulator.protocols.mailstore import MailStore
from simulator.protocols.smtp.client import SMTPClientConfig, TLSPolicy
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Account, Host, Role, Scenario

if TYPE_CHECKING:
    from simulator.delivery.authentication import DKIMKey
    from simulator.trace.events import ActorInfo  # imported by actor_infos: a streamed run makes none


@dataclass(frozen=True)
class Durable:
    """A write a site has prepared but not done: ``write`` is the disk work (blocking, any thread,
    may raise OSError), ``commit`` makes it visible where the servers run, after ``write`` succeeded.

    Live mode returns these so that its event loop never waits on a disk; the policy hands them
    to the SMTP machine as one ``Pending`` answer (250 only once every write is done).
    """

    write: Callable[[], None]
    commit: Callable[[], None]


class Site(Protocol):
    """What a server's decisions are made against."""

    scenario: Scenario
    faults: FaultBook
    greylist: dict[tuple[str, str, str], float]  # (client ip, sender, recipient) -> first seen

    def now(self) -> float:
        """Scenario seconds: what fault windows and greylisting delays compare with."""
        ...

    def header_time(self) -> float:
        """The ``t`` of the header helpers (``Date:``, ``Received:``)."""
        ...

    def queue_id(self) -> str: ...

    def message_id(self, domain: str) -> str: ...

    def mail_store(self, host: Host) -> MailStore:
        """The mailboxes of a mailbox store host."""
        ...

    def enqueue(self, host: Host, queue_id: str, sender: str, recipients: tuple[str, ...],
                content: bytes) -> Durable | None:
        """Put an accepted message into ``host``'s queue; raises OSError if it could not be made durable.

        A site may instead return the write as a ``Durable``, to be done before the 250.
        """
        ...

    def store(self, mx: Host, rcpt: str, username: str, content: bytes, key: str | None) -> Durable | None:
        """Final delivery into ``username``'s INBOX; raises OSError if it could not be written
        (or returns the write as a ``Durable``, as ``enqueue`` may).

        ``key`` makes it idempotent: a second delivery with the same key is not stored again.
        """
        ...

    def bounce_later(self, mx: Host, sender: str, rcpt: str, content: bytes, status: str,
                     diagnostic: str) -> None:
        """``mx`` accepted the message but final delivery failed: it owes the sender a DSN."""
        ...

    def signing_key(self, msa: Host) -> DKIMKey | None:
        """The key ``msa`` DKIM-signs its mail with, or None: it does not sign."""
        ...

    def forward(self, mx: Host, sender: str, rcpt: str, target: str, content: bytes) -> Durable | None:
        """``mx`` forwards ``rcpt``'s copy to ``target``: queue it for relaying, keeping the envelope sender
        (the queue write, as ``enqueue`` returns it)."""
        ...

    def run_check(self, host: Host, check: Checks) -> None:
        """Run a check's steps now, as ``host``: ask each DNS question, trace it and the notes.

        An MX's authentication checks at the end of DATA (simulator.delivery.authentication)
        decide the reply to the final dot, so they run while the state machine waits for it.
        """
        ...


# --- who is who ------------------------------------------------------------------------------------


def store_behind(scenario: Scenario, mta: Host) -> Host | None:
    """The mailbox store an MX delivers into."""
    if mta.store:
        return scenario.host(mta.store)
    if mta.role is Role.STORE:
        return mta
    return store_for_domain(scenario, mta.domains[0]) if mta.domains else None


def store_for_domain(scenario: Scenario, domain: str) -> Host | None:
    domain = domain.lower().rstrip(".")
    return next((h for h in scenario.hosts_with_role(Role.STORE) if domain in (d.lower() for d in h.domains)), None)


def mailbox_of(scenario: Scenario, rcpt: str, mx: Host) -> Account | None:
    """The account a recipient's mail goes to; <postmaster> is the first account of the MX's domains.

    RFC 5321 §4.5.1: every domain that takes mail must accept mail for postmaster.
    """
    account = scenario.account(rcpt)
    if account is not None:
        return account
    local = rcpt.rsplit("@", 1)[0].lower()
    if local != "postmaster":
        return None
    domains = {d.lower() for d in mx.domains}
    return next((a for a in scenario.accounts if a.address.rsplit("@", 1)[1].lower() in domains), None)


def typed_password(faults: FaultBook, mua: Host, password: str) -> str:
    """The password the sender's client sends: the account's, or with the bad-password fault a typo."""
    if faults and faults.hit(FaultKind.BAD_PASSWORD, mua.id):
        return password[::-1] + "?"  # not the password the server knows
    return password


def submitting_client(mua: Host, username: str, password: str) -> SMTPClientConfig:
    """How a mail client sends: 587 STARTTLS or 465 implicit TLS with AUTH; or, set up to send straight
    to an MX on port 25, opportunistic STARTTLS and no login (an MX takes no AUTH from strangers)."""
    if mua.submit_port == 25:
        return SMTPClientConfig(helo_name=mua.hostname, tls=TLSPolicy.OPPORTUNISTIC)
    return SMTPClientConfig(helo_name=mua.hostname,
                            tls=TLSPolicy.IMPLICIT if mua.submit_port == 465 else TLSPolicy.REQUIRE_STARTTLS,
                            username=username, password=password)


def mua_for(scenario: Scenario, account: Account | None) -> Host | None:
    if account is None:
        return None
    address = account.address.lower()
    return next((h for h in scenario.hosts if h.role is Role.MUA and (h.account or "").lower() == address), None)


# --- the actors as the trace shows them ------------------------------------------------------------------


def actor_infos(scenario: Scenario) -> tuple[ActorInfo, ...]:
    """Every host, in the order mail travels: sender's client first, recipients' clients last."""
    from simulator.trace.events import ActorInfo

    return tuple(
        ActorInfo(h.id, h.role.value, h.hostname, h.ip, h.ports, h.label or _default_label(h))
        for h in _mail_order(scenario)
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
    hosts = scenario.hosts
    sending = {m.sender for m in scenario.messages}
    senders = [h for h in hosts if h.role is Role.MUA and h.account in sending]
    readers = [h for h in hosts if h.role is Role.MUA and h.account not in sending]
    middle = sorted((h for h in hosts if h.role is not Role.MUA), key=lambda h: _ROLE_ORDER[h.role])
    return senders + middle + readers
