"""Live mode's driver of the servers' checks: an MX's of its client (``simulator.delivery.connectcheck``),
before the greeting, and of each message (SPF, DKIM, DMARC: ``simulator.delivery.authentication``), at
the end of DATA; also the MSA's note that it signed.

The questions are answered from the scenario's zones in this process, as the
live queue's own lookups are (the same zones live mode's DNS server
publishes, its DKIM key, SPF and DMARC records included, so ``dig`` on that
server shows the same answers), and traced like dig.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from simulator.delivery.connectcheck import Ask, Say, drive
from simulator.delivery.dns import DNSExchange
from simulator.delivery.site import Checks
from simulator.dns import DNSAnswer
from simulator.trace.events import Direction, Kind
from simulator.trace.narrate.dns import answer_explain, answer_rfc

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld

_IDS = random.SystemRandom()  # DNS ids: live mode is never seeded


def run_client_check(world: LiveWorld, mx: str, check: Checks) -> None:
    """Ask every question of ``check`` (as ``mx``) and trace it; ``check.refusal`` is then set."""
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

    def say(step: Say) -> None:
        trace.emit(Kind.NOTE, mx, mx, step.text, step.explain, rfc=step.rfc)

    drive(check, ask, say)
