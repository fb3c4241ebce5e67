"""The sending MTA's DNS lookups, sans-I/O: which zones answer, which faults apply, what is said.

``Resolvers`` holds the scenario's zones and the zones as a fault rewrites
them (a null MX, no MX at all). ``DNSExchange`` is one lookup: it applies the
faults in force, builds the query in wire format, and answers it; the driver
(the simulation's ``dnsclient.lookup``, live mode's queue) decides only how
long each leg takes and writes the trace lines it offers.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.delivery.authentication.zones import (AUTH_FAULTS, KeyFor, affected_names, published,
                                                     rewrite_for_auth, scenario_key)
from simulator.delivery.connectcheck import CHECK_FAULTS, blocklist_name, reverse_name, rewrite_for_check
from simulator.delivery.faults import ZONE_FAULTS, FaultBook, dns_faults
from simulator.dns import DNSAnswer, ZoneResolver, build_zones, dig_lines, make_query
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Scenario

TRIES = 3  # a stub resolver's usual attempts before it gives up

_QUERY_EXPLAIN = {
    "MX": "To deliver to {name}, the sending server asks DNS for its MX records: which hosts accept mail for it.",
    "A": "The sending server asks for the IPv4 address of {name}.",
    "AAAA": "The sending server asks for the IPv6 address of {name}.",
}


class Resolvers:
    """The scenario's zones, and the zones as each zone fault rewrites them."""

    def __init__(self, scenario: Scenario, key_for: KeyFor = scenario_key) -> None:
        # What the zones publish: the scenario's records, and the signing MSAs' DKIM keys.
        zones = tuple(published(scenario, key_for=key_for))
        self.base = ZoneResolver(build_zones(zones))
        # Zone faults get their own resolver, used while the fault is in force.
        self.rewritten: dict[tuple[FaultKind, str], ZoneResolver] = {
            (f.kind, f.subject): ZoneResolver(build_zones(rewrite_zone(zones, f.kind, f.subject)))
            for f in scenario.faults if f.kind in ZONE_FAULTS
        }
        # The receiving MX's checks (a PTR removed, an address listed): keyed by the host's id.
        self._published: dict[str, ZoneResolver] = {d: r for (_k, d), r in self.rewritten.items()}
        for f in scenario.faults:
            if f.kind not in CHECK_FAULTS or (f.kind, f.subject) in self.rewritten:
                continue
            resolver = ZoneResolver(build_zones(rewrite_for_check(scenario, zones, f.kind, f.subject)))
            self.rewritten[(f.kind, f.subject)] = resolver
            for name in _names_of(scenario, f.kind, f.subject):
                self._published[name] = resolver
        # The receiving MX's authentication checks (a key removed, an SPF or DMARC record changed).
        for f in scenario.faults:
            if f.kind not in AUTH_FAULTS or (f.kind, f.subject) in self.rewritten:
                continue
            resolver = ZoneResolver(build_zones(rewrite_for_auth(scenario, f.kind, f.subject, key_for)))
            self.rewritten[(f.kind, f.subject)] = resolver
            for name in affected_names(scenario, f.kind, f.subject):
                self._published[name] = resolver

    def for_fault(self, kind: FaultKind | None, domain: str) -> ZoneResolver:
        return self.rewritten[(kind, domain)] if kind is not None else self.base

    def by_domain(self) -> dict[str, ZoneResolver]:
        """Query name -> the rewritten zones, for a DNS server that publishes the faults."""
        return dict(self._published)


def _names_of(scenario: Scenario, kind: FaultKind, host_id: str) -> list[str]:
    """The names whose answers a check fault changes (a PTR owner, blocklist entries)."""
    ip = scenario.host(host_id).ip
    if kind is FaultKind.PTR_MISSING:
        return [reverse_name(ip)]
    names = (blocklist_name(ip, origin) for origin, _text in scenario.zones)
    return [n for n in names if n is not None]


def rewrite_zone(zones: tuple[tuple[str, str], ...], kind: FaultKind, domain: str) -> list[tuple[str, str]]:
    """The zones with the domain's MX records replaced (null MX) or removed (implicit MX)."""
    out = []
    for origin, text in zones:
        if origin == domain:
            kept = [line for line in text.splitlines() if not _is_apex_mx(line, domain)]
            if kind is FaultKind.NULL_MX:
                kept.append("@ IN MX 0 .")  # RFC 7505 §3
            text = "\n".join(kept) + "\n"
        out.append((origin, text))
    return out


def _is_apex_mx(line: str, domain: str) -> bool:
    fields = line.split(";", 1)[0].split()
    apex = ("@", domain, domain + ".")
    return bool(fields) and fields[0].lower() in apex and "MX" in (f.upper() for f in fields[1:4])


class DNSExchange:
    """One lookup of ``qname``/``rdtype``: the query, the faults in force, the answer.

    The faults are counted when the exchange is made (one attempt), before
    the query id is drawn, so a seeded run draws the same numbers.
    """

    def __init__(self, resolvers: Resolvers, faults: FaultBook, qname: str, rdtype: str,
                 query_id: Callable[[], int], *, resolver: ZoneResolver | None = None) -> None:
        self.qname = qname
        self.rdtype = rdtype
        self.name = qname.rstrip(".").lower()
        applied = dns_faults(faults, self.name, rdtype)
        self.timeout = applied.timeout
        self._rcode = applied.rcode
        self._resolver = resolver or resolvers.for_fault(applied.zone_fault, self.name)
        self._parser = resolvers.base
        self.query = make_query(qname, rdtype, query_id())
        self.query_line = dig_lines(self.query)[2]
        self.query_rfc = "RFC 5321 §5.1" if rdtype == "MX" else "RFC 1035 §4.1"
        self.tries = TRIES if self.timeout else 1
        self.response: bytes | None = None  # the answer's wire bytes, once answer() has run

    def query_explain(self, attempt: int) -> str:
        text = _QUERY_EXPLAIN.get(self.rdtype, "A DNS query.").format(name=self.name)
        return text + (f" (try {attempt} of {TRIES})" if attempt > 1 else "")

    def no_answer(self, attempt: int, waited: float) -> tuple[str, str, str]:
        """The trace line for a try that got no answer: (text, explanation, RFC)."""
        explain = ("The resolver did not answer. DNS over UDP has no delivery guarantee: the stub resolver waits, "
                   "then asks again." if attempt < TRIES else
                   "Still no answer: the lookup fails. This is a temporary error, so the message stays queued.")
        return f"no answer after {waited:g} s", explain, "RFC 1035 §4.2.1"

    def answer(self) -> tuple[DNSAnswer, list[str]]:
        """The parsed answer and the response's lines as dig prints them (not the question)."""
        response = self.response = self._resolver.respond(self.query, rcode=self._rcode)
        lines = dig_lines(response)
        return self._parser.parse(response), list(lines[:2]) + list(lines[3:])
