"""A server's stub resolver asking the scenario's recursive resolver."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.delivery.connectcheck import Ask, ClientCheck, drive
from simulator.delivery.site import Checks
from simulator.delivery.dns import DNSExchange
from simulator.dns import DNSAnswer
from simulator.scenario.model import Role
from simulator.trace.fields import Direction, Kind
from simulator.trace.narrate.dns import answer_explain, answer_rfc

if TYPE_CHECKING:
    from simulator.actors.world import World


def lookup(world: World, asker: str, qname: str, rdtype: str, *,
           ask: Ask | None = None) -> Generator[float, Any, DNSAnswer | None]:
    """Query over UDP port 53 and parse the answer; both legs traced as dig shows them.

    None when the resolver never answered (a timeout: a temporary failure).
    ``ask``: an MX's check of its client (``simulator.delivery.connectcheck``),
    with its own explanation and the zones as its fault rewrites them.
    """
    resolver_host = world.scenario.hosts_with_role(Role.DNS)[0]
    latency = world.scenario.link_latency(asker, resolver_host.id)
    zones = world.resolvers.for_fault(*ask.zone_fault) if ask is not None and ask.zone_fault else None
    exchange = DNSExchange(world.resolvers, world.faults, qname, rdtype, world.dns_id, resolver=zones)
    wait = world.scenario.queue.dns_timeout
    for attempt in range(1, exchange.tries + 1):
        explain, rfc = (ask.explain, ask.rfc) if ask is not None else (exchange.query_explain(attempt), exchange.query_rfc)
        world.recorder.emit(Kind.DNS, asker, resolver_host.id, exchange.query_line, explain,
                            port=53, dir=Direction.CLIENT, rfc=rfc, wire=exchange.query)
        if not exchange.timeout:
            break
        yield wait
        text, explain, rfc = exchange.no_answer(attempt, wait)
        world.recorder.emit(Kind.DNS, asker, resolver_host.id, text, explain, port=53, rfc=rfc)
    if exchange.timeout:
        return None
    yield latency
    answer = _traced_answer(world, resolver_host.id, asker, exchange, qname)
    yield latency
    return answer


def _traced_answer(world: World, resolver: str, asker: str, exchange: DNSExchange, qname: str) -> DNSAnswer:
    """The resolver's answer, each of its lines traced as dig shows them."""
    answer, lines = exchange.answer()
    for i, text in enumerate(lines):
        world.recorder.emit(
            Kind.DNS, resolver, asker, text, answer_explain(text, answer, qname),
            port=53, dir=Direction.SERVER, rfc=answer_rfc(text, answer),
            wire=exchange.response if i == 0 else None,  # the message's bytes ride on its first line
        )
    return answer


def client_check(world: World, mx: str, check: ClientCheck) -> Generator[float, Any, None]:
    """Run an MX's checks of a connecting client (before its greeting): each question through ``lookup``."""
    steps = check.steps()
    answer: DNSAnswer | None = None
    while True:
        try:
            step = steps.send(answer)
        except StopIteration:
            return
        if isinstance(step, Ask):
            answer = yield from lookup(world, mx, step.name, step.rdtype, ask=step)
        else:
            world.note(mx, mx, step.text, step.explain, step.rfc)
            answer = None


def run_now(world: World, asker: str, check: Checks) -> None:
    """Run a check whose verdict a server needs at once (the end of DATA): each lookup traced like dig.

    The state machine cannot wait for simulated time to pass, so these
    queries and answers are traced at the moment of the final dot.
    """
    resolver_host = world.scenario.hosts_with_role(Role.DNS)[0]

    def ask(step: Ask) -> DNSAnswer | None:
        zones = world.resolvers.for_fault(*step.zone_fault) if step.zone_fault else None
        exchange = DNSExchange(world.resolvers, world.faults, step.name, step.rdtype, world.dns_id, resolver=zones)
        world.recorder.emit(Kind.DNS, asker, resolver_host.id, exchange.query_line, step.explain,
                            port=53, dir=Direction.CLIENT, rfc=step.rfc, wire=exchange.query)
        if exchange.timeout:
            text, explain, rfc = exchange.no_answer(exchange.tries, world.scenario.queue.dns_timeout)
            world.recorder.emit(Kind.DNS, asker, resolver_host.id, text, explain, port=53, rfc=rfc)
            return None
        return _traced_answer(world, resolver_host.id, asker, exchange, step.name)

    drive(check, ask, lambda step: world.note(asker, asker, step.text, step.explain, step.rfc))
