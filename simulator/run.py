"""Run a scenario to its trace: the one entry point the CLI and UI call."""

from __future__ import annotations

from dataclasses import replace

from simulator.actors.world import World
from simulator.delivery.outcomes import outcome_lines
from simulator.scenario.model import Scenario
from simulator.trace.chapters import find_line
from simulator.trace.events import KeyMoment, Trace


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
    return with_moments(simulate(scenario, seed).trace(), scenario)


def with_moments(trace: Trace, scenario: Scenario) -> Trace:
    """``trace`` with the scenario's key moments found in it; one whose line is not in this run is left out."""
    found = []
    for moment in scenario.moments:
        index = find_line(trace.events, moment.line, moment.host, moment.nth)
        if index is not None:
            found.append(KeyMoment(index, moment.title, moment.notes))
    return replace(trace, moments=tuple(found)) if found else trace


def outcomes(scenario: Scenario, seed: int | None = None) -> list[dict[str, str | None]]:
    """What became of each recipient of each scenario message (``smtpsim run --outcomes``)."""
    world = simulate(scenario, seed)
    return outcome_lines(world.submissions, world.accepted(), world.ledger)
