"""Which faults are in force at a given moment, and how often they have hit.

The simulation and live mode both ask here (with their own clock: simulated
seconds, or live mode's scaled seconds since start), so a fault means the
same in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.scenario.faults import Fault, FaultKind


class FaultBook:
    """Answers "is fault X active on Y now?" and counts the attempts it met.

    A fault limited to N attempts affects the first N times its target is
    tried; every check that finds it in its time window counts as one.
    """

    def __init__(self, faults: tuple[Fault, ...], clock: Callable[[], float]) -> None:
        self._faults = faults
        self._clock = clock
        self._hits = [0] * len(faults)

    def __bool__(self) -> bool:
        return bool(self._faults)

    def hit(self, kind: FaultKind, subject: str) -> Fault | None:
        """The active fault of this kind on this subject, counting this attempt."""
        kind = FaultKind(kind)  # a misspelt name raises here instead of meaning "no fault"
        subject = subject.lower()
        return self._first(kind, lambda f: f.subject.lower() == subject)

    def on_link(self, kind: FaultKind, a: str, b: str) -> Fault | None:
        """A link fault between two hosts, in either direction."""
        kind = FaultKind(kind)
        return self._first(kind, lambda f: f.link is not None and set(f.link) == {a, b})

    def _first(self, kind: FaultKind, matches: Callable[[Fault], bool]) -> Fault | None:
        now = self._clock()
        for i, fault in enumerate(self._faults):
            if fault.kind != kind or not matches(fault):
                continue
            if now < fault.start or (fault.until is not None and now >= fault.until):
                continue
            if fault.attempts is not None and self._hits[i] >= fault.attempts:
                continue
            self._hits[i] += 1
            return fault
        return None

    def of_kind(self, kind: FaultKind) -> list[Fault]:
        return [f for f in self._faults if f.kind == kind]


@dataclass(frozen=True)
class DNSFaults:
    """What the scenario's faults do to one DNS query now."""

    timeout: bool  # the resolver never answers
    rcode: str | None  # a forced answer code (NXDOMAIN, SERVFAIL)
    zone_fault: FaultKind | None  # null-mx or no-mx: answer from the rewritten zone


NO_DNS_FAULTS = DNSFaults(False, None, None)
ZONE_FAULTS = (FaultKind.NULL_MX, FaultKind.NO_MX)  # faults that change what a zone publishes


def dns_faults(faults: FaultBook, name: str, rdtype: str) -> DNSFaults:
    """The DNS faults in force for a query, counting it as an attempt of each.

    Only MX queries are affected: that is the lookup a sending MTA starts with,
    and one attempt to deliver makes exactly one.
    """
    if not faults or rdtype != "MX":
        return NO_DNS_FAULTS
    if faults.hit(FaultKind.NXDOMAIN, name):
        rcode: str | None = "NXDOMAIN"
    else:
        rcode = "SERVFAIL" if faults.hit(FaultKind.SERVFAIL, name) else None
    zone_fault = None
    for kind in ZONE_FAULTS:
        if faults.hit(kind, name):
            zone_fault = kind
    timeout = faults.hit(FaultKind.DNS_TIMEOUT, name) is not None
    return DNSFaults(timeout, rcode, zone_fault)
