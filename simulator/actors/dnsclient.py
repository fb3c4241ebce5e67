"""A server's stub resolver asking the scenario's recursive resolver."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.faults import dns_faults
from simulator.dns import DNSAnswer, dig_lines, make_query
from simulator.scenario.model import Role
from simulator.trace.events import Direction, Kind

if TYPE_CHECKING:
    from simulator.actors.world import World

_QUERY_EXPLAIN = {
    "MX": "To deliver to {name}, the sending server asks DNS for its MX records: which hosts accept mail for it.",
    "A": "The sending server asks for the IPv4 address of {name}.",
    "AAAA": "The sending server asks for the IPv6 address of {name}.",
}


TRIES = 3  # a stub resolver's usual attempts before it gives up


def lookup(world: World, asker: str, qname: str, rdtype: str) -> Generator[float, Any, DNSAnswer | None]:
    """Query over UDP port 53 and parse the answer; both legs traced as dig shows them.

    None when the resolver never answered (a timeout: a temporary failure).
    """
    resolver_host = world.scenario.hosts_with_role(Role.DNS)[0]
    latency = world.scenario.link_latency(asker, resolver_host.id)
    name = qname.rstrip(".").lower()
    applied = dns_faults(world.faults, name, rdtype)
    rcode = applied.rcode
    resolver = world.fault_resolvers[(applied.zone_fault, name)] if applied.zone_fault else world.resolver
    query = make_query(qname, rdtype, world.dns_id())
    lines = dig_lines(query)
    for attempt in range(1, TRIES + 1):
        world.recorder.emit(
            Kind.DNS, asker, resolver_host.id, lines[2],
            _QUERY_EXPLAIN.get(rdtype, "A DNS query.").format(name=name)
            + (f" (try {attempt} of {TRIES})" if attempt > 1 else ""),
            port=53, dir=Direction.CLIENT, rfc="RFC 5321 §5.1" if rdtype == "MX" else "RFC 1035 §4.1",
            wire=query,
        )
        if not applied.timeout:
            break
        yield world.scenario.queue.dns_timeout
        world.recorder.emit(
            Kind.DNS, asker, resolver_host.id, f"no answer after {world.scenario.queue.dns_timeout:g} s",
            "The resolver did not answer. DNS over UDP has no delivery guarantee: the stub resolver waits, "
            "then asks again." if attempt < TRIES else
            "Still no answer: the lookup fails. This is a temporary error, so the message stays queued.",
            port=53, rfc="RFC 1035 §4.2.1",
        )
    if applied.timeout:
        return None
    yield latency
    response = resolver.respond(query, rcode=rcode)
    answer = world.resolver.parse(response)
    for i, text in enumerate(dig_lines(response)[:2] + dig_lines(response)[3:]):
        world.recorder.emit(
            Kind.DNS, resolver_host.id, asker, text, _answer_explain(text, answer, qname),
            port=53, dir=Direction.SERVER, rfc=_answer_rfc(text, answer),
            wire=response if i == 0 else None,  # the message's bytes ride on its first line
        )
    yield latency
    return answer


def _answer_explain(text: str, answer: DNSAnswer, qname: str) -> str:
    if text.startswith(";; ->>HEADER"):
        if answer.rcode == "NXDOMAIN":
            return f"NXDOMAIN: the domain {qname.rstrip('.')} does not exist at all."
        if answer.rcode != "NOERROR":
            return f"{answer.rcode}: the resolver could not get an answer; this is temporary."
        if not answer.records:
            return "NOERROR but no records of this type (NODATA): the name exists, the record does not."
        return "The resolver answers: status NOERROR."
    if text.startswith(";; flags"):
        return "qr: this is a response; rd: recursion was asked for; ra: the resolver offers it."
    if text.startswith(";; "):
        return {
            ";; ANSWER SECTION:": "The records that answer the question.",
            ";; AUTHORITY SECTION:": "Who is authoritative; an SOA here comes with a negative answer.",
            ";; ADDITIONAL SECTION:": "Extra records the resolver adds to save a query: here the MX hosts' addresses.",
        }.get(text, "A section of the answer.")
    fields = text.split("\t")
    if len(fields) >= 5 and fields[3] == "MX":
        pref, host = fields[4].split(" ", 1)
        return (f"An MX record: mail for this domain may go to {host.rstrip('.')}, preference {pref}. "
                "Lower preference values are tried first.")
    if len(fields) >= 5 and fields[3] in ("A", "AAAA"):
        return f"{fields[0].rstrip('.')} has the address {fields[4]}."
    if len(fields) >= 5 and fields[3] == "SOA":
        return "The zone's SOA record; its last field is how long to cache this negative answer."
    return "A DNS record."


def _answer_rfc(text: str, answer: DNSAnswer) -> str:
    if "\tMX\t" in text:
        return "RFC 5321 §5.1"
    if answer.rcode == "NXDOMAIN" or "\tSOA\t" in text:
        return "RFC 2308 §2"
    return "RFC 1035 §4.1"
