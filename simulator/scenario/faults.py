"""The fault model: what can go wrong, where, and for how long.

A fault attaches to one target (a host, a DNS domain, a mailbox, or a link
between two hosts) and may be limited in time (``from``/``until``, simulated
seconds) or in count (``attempts``: only the first N tries it meets).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Target(str, Enum):
    HOST = "host"
    DOMAIN = "domain"
    MAILBOX = "mailbox"
    LINK = "link"


@dataclass(frozen=True)
class FaultKind:
    name: str
    target: Target
    roles: tuple[str, ...]  # host roles it fits (for host targets); empty = any
    summary: str
    params: tuple[str, ...] = ()


KINDS: dict[str, FaultKind] = {k.name: k for k in (
    FaultKind("nxdomain", Target.DOMAIN, (), "DNS says the recipient domain does not exist (NXDOMAIN)"),
    FaultKind("servfail", Target.DOMAIN, (), "DNS lookups fail temporarily (SERVFAIL)"),
    FaultKind("dns-timeout", Target.DOMAIN, (), "DNS lookups get no answer (timeout)"),
    FaultKind("null-mx", Target.DOMAIN, (), "the domain publishes a null MX (MX 0 .): it takes no mail (RFC 7505)"),
    FaultKind("no-mx", Target.DOMAIN, (), "the domain has no MX record, only an address (implicit MX)"),
    FaultKind("connection-refused", Target.HOST, ("mta", "msa"), "the host refuses connections (TCP RST)"),
    FaultKind("no-answer", Target.HOST, ("mta", "msa"), "the host does not answer at all (SYNs time out)"),
    FaultKind("host-down", Target.HOST, ("mta", "msa", "store"), "the host is down for a while"),
    FaultKind("service-unavailable", Target.HOST, ("mta",), "the server answers 421 at the greeting"),
    FaultKind("greylisting", Target.HOST, ("mta",), "the server answers 451 4.7.1 to a new sender until a delay has passed", ("delay",)),
    FaultKind("relay-denied", Target.HOST, ("mta",), "the server does not consider the domain its own: 550 5.7.1"),
    FaultKind("message-too-large", Target.HOST, ("mta",), "the server's size limit is below the message: 552 5.3.4", ("limit",)),
    FaultKind("bad-certificate", Target.HOST, ("mta", "msa", "store"), "the server's certificate does not match its name, or has expired", ("problem",)),
    FaultKind("user-unknown", Target.MAILBOX, (), "the mailbox does not exist: 550 5.1.1"),
    FaultKind("mailbox-full", Target.MAILBOX, (), "the mailbox is full: 452 4.2.2, or 552 5.2.2 when permanent", ("permanent",)),
    FaultKind("remote-bounce", Target.MAILBOX, (), "the MX accepts the message, then fails to store it and bounces it itself"),
    FaultKind("bad-password", Target.HOST, ("mua",), "the client sends the wrong password: 535 5.7.8"),
    FaultKind("starttls-stripped", Target.LINK, (), "a man in the middle removes STARTTLS from the EHLO reply"),
    FaultKind("latency", Target.LINK, (), "extra one-way latency on a link", ("seconds",)),
    FaultKind("loss", Target.LINK, (), "packet loss on a link: lost segments are retransmitted", ("rate",)),
)}

_COMMON = {"kind", "host", "domain", "mailbox", "link", "from", "until", "attempts"}


@dataclass(frozen=True)
class Fault:
    kind: str
    target: Target
    subject: str  # the host id, domain, mailbox address, or "a-b" link
    start: float = 0.0
    until: float | None = None
    attempts: int | None = None
    delay: float = 300.0  # greylisting
    limit: int = 1024  # message-too-large
    problem: str = "name-mismatch"  # bad-certificate: name-mismatch or expired
    permanent: bool = False  # mailbox-full
    seconds: float = 0.0  # latency
    rate: float = 0.0  # loss
    link: tuple[str, str] | None = None

    @property
    def spec(self) -> FaultKind:
        return KINDS[self.kind]

    def describe(self) -> str:
        when = []
        if self.start:
            when.append(f"from t={self.start:g}s")
        if self.until is not None:
            when.append(f"until t={self.until:g}s")
        if self.attempts is not None:
            when.append(f"first {self.attempts} attempt{'s' if self.attempts != 1 else ''}")
        tail = f" ({', '.join(when)})" if when else ""
        return f"{self.kind} on {self.subject}{tail}"


@dataclass(frozen=True)
class QueuePolicy:
    """Retry schedule (RFC 5321 §4.5.4.1: at least 30 minutes apart, give up after 4-5 days)."""

    retry: float = 1800.0
    warn_after: float = 4 * 3600.0
    give_up_after: float = 5 * 86400.0
    connect_timeout: float = 300.0  # the 5-minute class of SMTP timeouts (RFC 5321 §4.5.3.2)
    dns_timeout: float = 5.0  # per try; a stub resolver tries a few times


def fault_param_keys(kind: str) -> set[str]:
    return _COMMON | set(KINDS[kind].params)


def parse_param(key: str, value: Any) -> tuple[bool, str]:
    """Whether a parameter value fits; the expectation in words."""
    if key == "delay" or key == "seconds":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0, "a number of seconds >= 0"
    if key == "limit":
        return isinstance(value, int) and not isinstance(value, bool) and value > 0, "a size in bytes > 0"
    if key == "rate":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1, "a loss rate from 0 to below 1"
    if key == "permanent":
        return isinstance(value, bool), "true or false"
    if key == "problem":
        return value in ("name-mismatch", "expired"), '"name-mismatch" or "expired"'
    return False, "nothing"
