"""A server's stub resolver asking the scenario's recursive resolver."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.faults import dns_faults
from simulator.dns import DNSAnswer, dig_lines, make_query
from simulator.scenario.model import Role
from simulator.trace.events import Direction, Kind
from simulator.trace.narrate.dns import answer_explain, answer_rfc

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
            Kind.DNS, resolver_host.id, asker, text, answer_explain(text, answer, qname),
            port=53, dir=Direction.SERVER, rfc=answer_rfc(text, answer),
            wire=response if i == 0 else None,  # the message's bytes ride on its first line
        )
    yield latency
    return answer

