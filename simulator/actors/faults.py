"""Which faults are in force at a given moment, and how often they have hit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.scenario.faults import Fault


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

    def hit(self, kind: str, subject: str) -> Fault | None:
        """The active fault of this kind on this subject, counting this attempt."""
        subject = subject.lower()
        return self._first(kind, lambda f: f.subject.lower() == subject)

    def on_link(self, kind: str, a: str, b: str) -> Fault | None:
        """A link fault between two hosts, in either direction."""
        return self._first(kind, lambda f: f.link is not None and set(f.link) == {a, b})

    def _first(self, kind: str, matches: Callable[[Fault], bool]) -> Fault | None:
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

    def of_kind(self, kind: str) -> list[Fault]:
        return [f for f in self._faults if f.kind == kind]


@dataclass(frozen=True)
class DNSFaults:
    """What the scenario's faults do to one DNS query now."""

    timeout: bool  # the resolver never answers
    rcode: str | None  # a forced answer code (NXDOMAIN, SERVFAIL)
    zone_fault: str | None  # "null-mx" or "no-mx": answer from the rewritten zone


NO_DNS_FAULTS = DNSFaults(False, None, None)


def dns_faults(faults: FaultBook, name: str, rdtype: str) -> DNSFaults:
    """The DNS faults in force for a query, counting it as an attempt of each.

    Only MX queries are affected: that is the lookup a sending MTA starts with,
    and one attempt to deliver makes exactly one. Simulation and live mode both
    ask here, so a fault means the same in both.
    """
    if not faults or rdtype != "MX":
        return NO_DNS_FAULTS
    rcode = "NXDOMAIN" if faults.hit("nxdomain", name) else ("SERVFAIL" if faults.hit("servfail", name) else None)
    zone_fault = None
    for kind in ("null-mx", "no-mx"):
        if faults.hit(kind, name):
            zone_fault = kind
    timeout = faults.hit("dns-timeout", name) is not None
    return DNSFaults(timeout, rcode, zone_fault)
