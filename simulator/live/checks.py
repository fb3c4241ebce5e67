"""Live mode's driver of the receiving MX's checks: of its client (``simulator.delivery.connectcheck``)
and of each message (``simulator.delivery.authentication.AuthCheck``: SPF, DKIM, DMARC).

The questions are answered from the scenario's zones in this process, as the
live queue's own lookups are (the same zones live mode's DNS server
publishes, its DKIM key, SPF and DMARC records included, so ``dig`` on that
server shows the same answers), and traced like dig. The client checks run
when a client connects to the MX listener, before the greeting; the message
checks at the end of DATA, before the MX answers the final dot.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import TYPE_CHECKING

from simulator.delivery.authentication import AuthCheck
from simulator.delivery.connectcheck import Ask, ClientCheck, Say
from simulator.delivery.dns import DNSExchange
from simulator.dns import DNSAnswer
from simulator.trace.events import Direction, Kind
from simulator.trace.narrate.dns import answer_explain, answer_rfc

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld

_IDS = random.SystemRandom()  # DNS ids: live mode is never seeded


def run_client_check(world: LiveWorld, mx: str, check: ClientCheck) -> None:
    """Ask every question of ``check`` (as ``mx``) and trace it; ``check.refusal`` is then set."""
    run_steps(world, mx, check.steps())


def run_auth_check(world: LiveWorld, mx: str, check: AuthCheck) -> None:
    """SPF, DKIM and DMARC for one message (as ``mx``), traced; ``check.header`` and ``check.refusal`` are then set."""
    run_steps(world, mx, check.steps())


def run_steps(world: LiveWorld, mx: str, steps: Generator[Ask | Say, DNSAnswer | None, None]) -> None:
    """Answer each ``Ask`` at once from the zones, trace each ``Say``, until the steps end."""
    trace = world.trace

    def ask(step: Ask) -> DNSAnswer | None:
        zones = world.resolvers.for_fault(*step.zone_fault) if step.zone_fault else None
        exchange = DNSExchange(world.resolvers, world.faults, step.name, step.rdtype,
                               lambda: _IDS.randrange(1, 65536), resolver=zones)
        trace.emit(Kind.DNS, mx, world.dns_id, exchange.query_line, step.explain, port=53, dir=Direction.CLIENT,
                   rfc=step.rfc)
        if exchange.timeout:
            return None
        answer, lines = exchange.answer()
        for text in lines:
            trace.emit(Kind.DNS, world.dns_id, mx, text, answer_explain(text, answer, step.name), port=53,
                       dir=Direction.SERVER, rfc=answer_rfc(text, answer))
        return answer

    answer: DNSAnswer | None = None
    while True:
        try:
            step = steps.send(answer)
        except StopIteration:
            return
        if isinstance(step, Ask):
            answer = ask(step)
        else:
            trace.emit(Kind.NOTE, mx, mx, step.text, step.explain, rfc=step.rfc)
            answer = None
