"""A server's stub resolver asking the scenario's recursive resolver."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.delivery.dns import DNSExchange
from simulator.dns import DNSAnswer
from simulator.scenario.model import Role
from simulator.trace.events import Direction, Kind

if TYPE_CHECKING:
    from simulator.actors.world import World


def lookup(world: World, asker: str, qname: str, rdtype: str) -> Generator[float, Any, DNSAnswer | None]:
    """Query over UDP port 53 and parse the answer; both legs traced as dig shows them.

    None when the resolver never answered (a timeout: a temporary failure).
    """
    resolver_host = world.scenario.hosts_with_role(Role.DNS)[0]
    latency = world.scenario.link_latency(asker, resolver_host.id)
    exchange = DNSExchange(world.resolvers, world.faults, qname, rdtype, world.dns_id)
    wait = world.scenario.queue.dns_timeout
    for attempt in range(1, exchange.tries + 1):
        world.recorder.emit(Kind.DNS, asker, resolver_host.id, exchange.query_line, exchange.query_explain(attempt),
                            port=53, dir=Direction.CLIENT, rfc=exchange.query_rfc)
        if not exchange.timeout:
            break
        yield wait
        text, explain, rfc = exchange.no_answer(attempt, wait)
        world.recorder.emit(Kind.DNS, asker, resolver_host.id, text, explain, port=53, rfc=rfc)
    if exchange.timeout:
        return None
    yield latency
    answer, lines = exchange.answer()
    for text in lines:
        world.recorder.emit(
            Kind.DNS, resolver_host.id, asker, text, _answer_explain(text, answer, qname),
            port=53, dir=Direction.SERVER, rfc=_answer_rfc(text, answer),
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
