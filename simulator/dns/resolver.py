"""A resolver that answers real DNS messages from the scenario's zones.

Queries are made with ``dns.message.make_query`` and go through wire format
both ways, so what the simulated MTA parses is what a real resolver would send
back. Fault injection (SERVFAIL, timeouts) is decided by the caller, which
passes the rcode it wants.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone


# DNS messages for the same question differ only in their 16-bit id (the
# first two bytes), so building, parsing and printing them is memoised on
# the rest; the bytes are still what dnspython produced.
_QUERIES: dict[tuple[str, str], bytes] = {}
_PARSED: dict[bytes, DNSAnswer] = {}
_DIG: dict[bytes, tuple[str, ...]] = {}


def make_query(qname: str, rdtype: str, query_id: int) -> bytes:
    """The wire bytes of a recursive query, with a caller-chosen id (seeded)."""
    key = (qname, rdtype)
    wire = _QUERIES.get(key)
    if wire is None:
        wire = _QUERIES[key] = dns.message.make_query(qname, rdtype, id=0).to_wire()
    return query_id.to_bytes(2, "big") + wire[2:]


@dataclass(frozen=True)
class DNSAnswer:  # not slotted: cached_property needs a __dict__
    """A parsed response: what the asking MTA learns."""

    qname: str
    rdtype: str
    rcode: str  # NOERROR, NXDOMAIN, SERVFAIL
    records: tuple[tuple[str, int, str, str], ...]  # (name, ttl, type, rdata text) of the answer
    additional: tuple[tuple[str, int, str, str], ...]
    message: dns.message.Message

    @functools.cached_property
    def mx(self) -> list[tuple[int, str]]:
        """(preference, exchange) pairs of an MX answer."""
        out = []
        for rrset in self.message.answer:
            if rrset.rdtype == dns.rdatatype.MX:
                for rd in rrset:
                    out.append((rd.preference, rd.exchange.to_text().rstrip(".").lower()))
        return out

    @functools.cached_property
    def soa(self) -> tuple[str, int, int] | None:
        """(zone, TTL, MINIMUM) of the SOA in the authority section (a negative answer's)."""
        for rrset in self.message.authority:
            if rrset.rdtype == dns.rdatatype.SOA:
                return (rrset.name.to_text(), rrset.ttl, min(rd.minimum for rd in rrset))
        return None

    @functools.cached_property
    def addresses(self) -> list[str]:
        out: list[str] = []
        for rrset in self.message.answer:
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                out.extend(rd.address for rd in rrset)
        return out

    @functools.cached_property
    def _glue(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for rrset in self.message.additional:
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                host = rrset.name.to_text().rstrip(".").lower()
                out.setdefault(host, []).extend(rd.address for rd in rrset)
        return out

    def glue(self, hostname: str) -> list[str]:
        """Addresses for ``hostname`` that came in the additional section."""
        return list(self._glue.get(hostname.rstrip(".").lower(), ()))


class ZoneResolver:
    """Answers queries from in-memory zones, as a recursive resolver would."""

    def __init__(self, zones: Mapping[dns.name.Name, dns.zone.Zone]) -> None:
        self._zones = dict(zones)
        self._answers: dict[tuple[bytes, str | None], bytes] = {}

    def _zone_for(self, name: dns.name.Name) -> dns.zone.Zone | None:
        best = None
        for origin, zone in self._zones.items():
            if name.is_subdomain(origin) and (best is None or len(origin) > len(best[0])):
                best = (origin, zone)
        return best[1] if best else None

    def respond(self, query_wire: bytes, *, rcode: str | None = None) -> bytes:
        """Build the response to a query; ``rcode`` forces e.g. SERVFAIL."""
        key = (query_wire[2:], rcode)
        cached = self._answers.get(key)
        if cached is None:
            cached = self._answers[key] = self._respond(query_wire, rcode)
        return query_wire[:2] + cached[2:]

    def _respond(self, query_wire: bytes, rcode: str | None) -> bytes:
        query = dns.message.from_wire(query_wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        question = query.question[0]
        if rcode is not None:
            response.set_rcode(dns.rcode.from_text(rcode))
            if rcode == "NXDOMAIN":
                # A forced name error reads as if the domain were gone: the zone above it answers.
                response.authority.append(_negative_soa(_tld_soa(question.name)))
            return _wire(response)
        zone = self._zone_for(question.name)
        if zone is None:
            # No zone of the scenario holds the name: its top-level domain's servers
            # answer NXDOMAIN, with their SOA (RFC 2308 §3), as on the Internet.
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(_negative_soa(_tld_soa(question.name)))
            return _wire(response)
        soa = zone.get_rrset(cast(dns.name.Name, zone.origin), dns.rdatatype.SOA)
        node = zone.get_node(question.name)
        if node is None:
            # Name error (RFC 2308 §2.1): the SOA in AUTHORITY lets resolvers cache it.
            response.set_rcode(dns.rcode.NXDOMAIN)
            if soa is not None:
                response.authority.append(_negative_soa(soa))
            return _wire(response)
        rdataset = node.get_rdataset(dns.rdataclass.IN, question.rdtype)
        if rdataset is None:
            # NODATA (RFC 2308 §2.2): the name exists, the type does not; NOERROR,
            # an empty answer and the zone's SOA in AUTHORITY.
            if soa is not None:
                response.authority.append(_negative_soa(soa))
            return _wire(response)
        rrset = dns.rrset.RRset(question.name, dns.rdataclass.IN, question.rdtype)
        rrset.update(rdataset)
        response.answer.append(rrset)
        if question.rdtype == dns.rdatatype.MX:
            # Resolvers add the exchanges' addresses they know (glue).
            for rd in rdataset:
                target_zone = self._zone_for(rd.exchange)
                if target_zone is None:
                    continue
                for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    extra = target_zone.get_rrset(rd.exchange, rdtype)
                    if extra is not None:
                        response.additional.append(extra)
        return _wire(response)

    @staticmethod
    def parse(response_wire: bytes) -> DNSAnswer:
        """The parsed answer (its message keeps the id it was first parsed with)."""
        answer = _PARSED.get(response_wire[2:])
        if answer is None:
            answer = _PARSED[response_wire[2:]] = ZoneResolver._parse(response_wire)
        return answer

    @staticmethod
    def _parse(response_wire: bytes) -> DNSAnswer:
        message = dns.message.from_wire(response_wire)
        question = message.question[0]

        def rows(section: list[dns.rrset.RRset]) -> tuple[tuple[str, int, str, str], ...]:
            return tuple(
                (rrset.name.to_text(), rrset.ttl, dns.rdatatype.to_text(rrset.rdtype), rd.to_text())
                for rrset in section
                for rd in rrset
            )

        return DNSAnswer(
            qname=question.name.to_text(),
            rdtype=dns.rdatatype.to_text(question.rdtype),
            rcode=dns.rcode.to_text(message.rcode()),
            records=rows(message.answer),
            additional=rows(message.additional),
            message=message,
        )


def negative_ttl(soa: dns.rrset.RRset) -> int:
    """How long a negative answer may be cached: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3, §5)."""
    return min(soa.ttl, min(rd.minimum for rd in soa))


def _negative_soa(soa: dns.rrset.RRset) -> dns.rrset.RRset:
    # A copy: the zone's own SOA keeps its TTL for ordinary SOA queries.
    out = dns.rrset.RRset(soa.name, soa.rdclass, soa.rdtype)
    out.update(soa)
    out.ttl = negative_ttl(soa)
    return out


# The top-level domains' SOAs, as their registries' servers would send them with a
# name error. Invented but shaped like the real ones (TTL 900, MINIMUM 86400: the
# negative answer may be cached for 900 s). Names under .example, .test or .invalid
# get the same shape (RFC 2606 reserves them).
_TLD_SOA_TEXT = "a.nic.{tld}. hostmaster.nic.{tld}. 2026112800 1800 900 604800 86400"
_TLD_SOA_TTL = 900


@functools.cache
def _tld_soa(name: dns.name.Name) -> dns.rrset.RRset:
    labels = name.labels
    tld = dns.name.from_text(labels[-2].decode("ascii", "replace")) if len(labels) >= 2 else dns.name.root
    text = _TLD_SOA_TEXT.format(tld=tld.to_text().rstrip(".")) if tld != dns.name.root else (
        "a.root-servers.net. hostmaster.root-servers.net. 2026112800 1800 900 604800 86400")
    return dns.rrset.from_text(tld, _TLD_SOA_TTL, "IN", "SOA", text)


def _wire(response: dns.message.Message) -> bytes:
    # dnspython shuffles records on the wire by default (as real servers may),
    # with the process-wide random; the zone's order keeps runs reproducible,
    # and the sending MTA does its own seeded shuffle of equal preferences.
    return response.to_wire(want_shuffle=False)


def dig_lines(wire: bytes) -> list[str]:
    """A DNS message as ``dig`` prints it: header, flags, then each section."""
    lines = _DIG.get(wire[2:])
    if lines is None:
        lines = _DIG[wire[2:]] = tuple(_dig_lines(b"\0\0" + wire[2:]))
    query_id = int.from_bytes(wire[:2], "big")
    return [lines[0].replace(", id: 0", f", id: {query_id}"), *lines[1:]]


def _dig_lines(wire: bytes) -> list[str]:
    message = dns.message.from_wire(wire)
    flags = dns.flags.to_text(message.flags).lower()
    is_response = bool(message.flags & dns.flags.QR)
    lines = [
        f";; ->>HEADER<<- opcode: QUERY, status: {dns.rcode.to_text(message.rcode())}, id: {message.id}",
        f";; flags: {flags}; QUERY: {len(message.question)}, ANSWER: {_count(message.answer)}, "
        f"AUTHORITY: {_count(message.authority)}, ADDITIONAL: {_count(message.additional)}",
    ]
    for q in message.question:
        lines.append(f";{q.name.to_text()}\tIN\t{dns.rdatatype.to_text(q.rdtype)}")
    if is_response:
        for title, section in (("ANSWER", message.answer), ("AUTHORITY", message.authority), ("ADDITIONAL", message.additional)):
            if section:
                lines.append(f";; {title} SECTION:")
                for rrset in section:
                    for rd in rrset:
                        lines.append(
                            f"{rrset.name.to_text()}\t{rrset.ttl}\tIN\t{dns.rdatatype.to_text(rrset.rdtype)}\t{rd.to_text()}"
                        )
    return lines


def _count(section: list[dns.rrset.RRset]) -> int:
    return sum(len(rrset) for rrset in section)
