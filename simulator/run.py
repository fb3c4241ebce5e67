"""Run a scenario to its trace: the one entry point the CLI and UI call."""

from __future__ import annotations

from simulator.actors.world import World
from simulator.delivery.outcomes import outcome_lines
from simulator.scenario.model import Scenario
from simulator.trace.events import Trace


def simulate(scenario: Scenario, seed: int | None = None) -> World:
    """Run to completion and return the final world (for invariant checks)."""
    world = World(scenario, seed)
    world.populate()
    for index, message in enumerate(scenario.messages):
        mua = next(m for m in world.muas.values() if m.account.address == message.sender)
        world.env.process(mua.submit(message, index), delay=message.at)
    world.env.run()
    return world


def run_scenario(scenario: Scenario, seed: int | None = None) -> Trace:
    """Run to completion; the same scenario and seed give the same trace."""
    return simulate(scenario, seed).trace()


def outcomes(scenario: Scenario, seed: int | None = None) -> list[dict[str, str | None]]:
    """What became of each recipient of each scenario message (``smtpsim run --outcomes``)."""
    world = simulate(scenario, seed)
    return outcome_lines(world.submissions, world.accepted(), world.ledger)
