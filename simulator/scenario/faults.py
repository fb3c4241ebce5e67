"""The fault model: what can go wrong, where, and for how long.

A fault attaches to one target (a host, a DNS domain, a mailbox, or a link
between two hosts) and may be limited in time (``from``/``until``, simulated
seconds) or in count (``attempts``: only the first N tries it meets).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any


class Target(str, Enum):
    HOST = "host"
    DOMAIN = "domain"
    MAILBOX = "mailbox"
    LINK = "link"


class FaultKind(StrEnum):
    """Every fault a scenario may name; code asks for them by member, so a typo is a type error."""

    NXDOMAIN = "nxdomain"
    SERVFAIL = "servfail"
    DNS_TIMEOUT = "dns-timeout"
    NULL_MX = "null-mx"
    NO_MX = "no-mx"
    CONNECTION_REFUSED = "connection-refused"
    NO_ANSWER = "no-answer"
    HOST_DOWN = "host-down"
    SERVICE_UNAVAILABLE = "service-unavailable"
    GREYLISTING = "greylisting"
    RELAY_DENIED = "relay-denied"
    MESSAGE_TOO_LARGE = "message-too-large"
    BAD_CERTIFICATE = "bad-certificate"
    USER_UNKNOWN = "user-unknown"
    MAILBOX_FULL = "mailbox-full"
    REMOTE_BOUNCE = "remote-bounce"
    BAD_PASSWORD = "bad-password"
    STARTTLS_STRIPPED = "starttls-stripped"
    LATENCY = "latency"
    LOSS = "loss"
    PTR_MISSING = "ptr-missing"
    DNSBL_LISTED = "dnsbl-listed"
    DKIM_KEY_MISSING = "dkim-key-missing"
    SPF_OMITS_MSA = "spf-omits-msa"
    DMARC_NONE = "dmarc-none"
    DMARC_QUARANTINE = "dmarc-quarantine"
    DMARC_REJECT = "dmarc-reject"


@dataclass(frozen=True)
class FaultSpec:
    """What a fault kind attaches to, and the parameters it takes."""

    name: FaultKind
    target: Target
    roles: tuple[str, ...]  # host roles it fits (for host targets); empty = any
    summary: str
    params: tuple[str, ...] = ()


KINDS: dict[FaultKind, FaultSpec] = {k.name: k for k in (
    FaultSpec(FaultKind.NXDOMAIN, Target.DOMAIN, (), "DNS says the recipient domain does not exist (NXDOMAIN)"),
    FaultSpec(FaultKind.SERVFAIL, Target.DOMAIN, (), "DNS lookups fail temporarily (SERVFAIL)"),
    FaultSpec(FaultKind.DNS_TIMEOUT, Target.DOMAIN, (), "DNS lookups get no answer (timeout)"),
    FaultSpec(FaultKind.NULL_MX, Target.DOMAIN, (), "the domain publishes a null MX (MX 0 .): it takes no mail (RFC 7505)"),
    FaultSpec(FaultKind.NO_MX, Target.DOMAIN, (), "the domain has no MX record, only an address (implicit MX)"),
    FaultSpec(FaultKind.CONNECTION_REFUSED, Target.HOST, ("mta", "msa"), "the host refuses connections (TCP RST)"),
    FaultSpec(FaultKind.NO_ANSWER, Target.HOST, ("mta", "msa"), "the host does not answer at all (SYNs time out)"),
    FaultSpec(FaultKind.HOST_DOWN, Target.HOST, ("mta", "msa", "store"), "the host is down for a while"),
    FaultSpec(FaultKind.SERVICE_UNAVAILABLE, Target.HOST, ("mta",), "the server answers 421 at the greeting"),
    FaultSpec(FaultKind.GREYLISTING, Target.HOST, ("mta",), "the server answers 451 4.7.1 to a new sender until a delay has passed", ("delay",)),
    FaultSpec(FaultKind.RELAY_DENIED, Target.HOST, ("mta",), "the server does not consider the domain its own: 550 5.7.1"),
    FaultSpec(FaultKind.MESSAGE_TOO_LARGE, Target.HOST, ("mta",), "the server's size limit is below the message: 552 5.3.4", ("limit",)),
    FaultSpec(FaultKind.BAD_CERTIFICATE, Target.HOST, ("mta", "msa", "store"), "the server's certificate does not match its name, or has expired", ("problem",)),
    FaultSpec(FaultKind.USER_UNKNOWN, Target.MAILBOX, (), "the mailbox does not exist: 550 5.1.1"),
    FaultSpec(FaultKind.MAILBOX_FULL, Target.MAILBOX, (), "the mailbox is full: 452 4.2.2, or 552 5.2.2 when permanent", ("permanent",)),
    FaultSpec(FaultKind.REMOTE_BOUNCE, Target.MAILBOX, (), "the MX accepts the message, then fails to store it and bounces it itself"),
    FaultSpec(FaultKind.BAD_PASSWORD, Target.HOST, ("mua",), "the client sends the wrong password: 535 5.7.8"),
    FaultSpec(FaultKind.STARTTLS_STRIPPED, Target.LINK, (), "a man in the middle removes STARTTLS from the EHLO reply"),
    FaultSpec(FaultKind.LATENCY, Target.LINK, (), "extra one-way latency on a link", ("seconds",)),
    FaultSpec(FaultKind.LOSS, Target.LINK, (), "packet loss on a link: lost segments are retransmitted", ("rate",)),
    FaultSpec(FaultKind.PTR_MISSING, Target.HOST, ("msa", "mta"),
              "the host's address has no PTR record: an MX that checks reverse DNS refuses it with 550 5.7.25"),
    FaultSpec(FaultKind.DNSBL_LISTED, Target.HOST, ("msa", "mta"),
              "the host's address is on the DNS blocklists the MXs ask (127.0.0.2): refused with 554 5.7.1"),
    FaultSpec(FaultKind.DKIM_KEY_MISSING, Target.HOST, ("msa",),
              "the MSA signs, but its public key is missing from DNS: DKIM is a permerror (no key for signature)"),
    FaultSpec(FaultKind.SPF_OMITS_MSA, Target.HOST, ("msa",),
              "the domain's SPF record does not list the MSA's address: SPF fails"),
    FaultSpec(FaultKind.DMARC_NONE, Target.DOMAIN, (), "the domain's DMARC policy is p=none: monitor only"),
    FaultSpec(FaultKind.DMARC_QUARANTINE, Target.DOMAIN, (),
              "the domain's DMARC policy is p=quarantine: failing mail is treated as suspicious"),
    FaultSpec(FaultKind.DMARC_REJECT, Target.DOMAIN, (), "the domain's DMARC policy is p=reject: failing mail is refused"),
)}

_COMMON = {"kind", "host", "domain", "mailbox", "link", "from", "until", "attempts"}


@dataclass(frozen=True)
class Fault:
    """A fault the scenario switches on: what goes wrong, where, and from when."""

    kind: FaultKind
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
    def spec(self) -> FaultSpec:
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
    """Retry schedule (RFC 5321 §4.5.4.1: the interval SHOULD be at least 30 minutes; give up after 4-5 days)."""

    retry: float = 1800.0
    warn_after: float = 4 * 3600.0
    give_up_after: float = 5 * 86400.0
    connect_timeout: float = 300.0  # the 5-minute class of SMTP timeouts (RFC 5321 §4.5.3.2)
    dns_timeout: float = 5.0  # per try; a stub resolver tries a few times


def fault_param_keys(kind: FaultKind) -> set[str]:
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
