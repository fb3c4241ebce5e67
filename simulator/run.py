"""Run a scenario to its trace: the one entry point the CLI and UI call.

Importing this module is cheap: the world, its actors and the protocols are
imported by the first run, so a caller (the player, a cache lookup) can import
it before it knows whether it will run anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from simulator.actors.world import World
    from simulator.scenario.model import Scenario
    from simulator.trace.events import Trace
    from simulator.trace.recorder import EventSink


def simulate(scenario: Scenario, seed: int | None = None, sink: EventSink | None = None) -> World:
    """Run to completion and return the final world (for invariant checks).

    With ``sink``, every trace event is handed to it as it happens and none is kept.
    """
    from simulator.actors.world import World

    world = World(scenario, seed, sink)
    world.populate()
    for index, message in enumerate(scenario.messages):
        mua = next(m for m in world.muas.values() if m.account.address == message.sender)
        world.env.process(mua.submit(message, index), delay=message.at)
    world.env.run()
    return world


def run_scenario(scenario: Scenario, seed: int | None = None) -> Trace:
    """Run to completion; the same scenario and seed give the same trace."""
    return simulate(scenario, seed).trace()


def cached_run(scenario: Scenario, seed: int | None = None, directory: Path | None = None) -> Trace:
    """:func:`run_scenario`, from the trace cache when this scenario, seed and code ran before.

    A miss runs the scenario and keeps its trace (``simulator.trace.cache``); a cache that cannot
    be read or written only costs the run.
    """
    from simulator.trace import cache

    key = cache.trace_key(scenario, seed)
    trace = cache.load(key, directory)
    if trace is None:
        trace = run_scenario(scenario, seed)
        cache.store(key, trace, directory)
    return trace


def stream_scenario(scenario: Scenario, sink: EventSink, seed: int | None = None) -> int:
    """Run to completion, handing each event to ``sink`` as it happens; keeps no trace.

    The events are those of :func:`run_scenario`, in the same order; returns how many there were.
    """
    world = simulate(scenario, seed, sink)
    return world.recorder.steps


def outcomes(scenario: Scenario, seed: int | None = None) -> list[dict[str, str | None]]:
    """What became of each recipient of each scenario message (``smtpsim run --outcomes``)."""
    from simulator.delivery.outcomes import outcome_lines

    world = simulate(scenario, seed)
    return outcome_lines(world.submissions, world.accepted(), world.ledger)
