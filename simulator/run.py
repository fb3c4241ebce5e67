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
    from simulator.trace.recorder import EventSink, LineSink


def simulate(scenario: Scenario, seed: int | None = None, sink: EventSink | None = None,
             lines: LineSink | None = None) -> World:
    """Run to completion and return the final world (for invariant checks).

    With ``sink``, every trace event is handed to it as it happens and none is kept; with
    ``lines``, every event's JSON line is (and no event is made).
    """
    from simulator.actors.world import World

    world = World(scenario, seed, sink, lines)
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
    from dataclasses import replace

    from simulator.trace.chapters import find_line
    from simulator.trace.events import KeyMoment

    found = []
    for moment in scenario.moments:
        index = find_line(trace.events, moment.line, moment.host, moment.nth)
        if index is not None:
            found.append(KeyMoment(index, moment.title, moment.notes))
    return replace(trace, moments=tuple(found)) if found else trace


def cached_run(scenario: Scenario, seed: int | None = None, directory: Path | None = None) -> Trace:
    """:func:`run_scenario`, from the trace cache when this scenario, seed and code ran before.

    A miss runs the scenario and keeps its trace (``simulator.trace.cache``); a cache that cannot
    be read or written only costs the run.
    """
    from simulator.trace import cache

    key = cache.trace_key(scenario, seed)
    trace = cache.load(key, directory)
    if trace is None:
        trace = simulate(scenario, seed).trace()
        cache.store(key, trace, directory)
    # Moments are found on every load, so a cached trace never disagrees with the lesson's file.
    return with_moments(trace, scenario)


def stream_scenario(scenario: Scenario, sink: EventSink, seed: int | None = None) -> int:
    """Run to completion, handing each event to ``sink`` as it happens; keeps no trace.

    The events are those of :func:`run_scenario`, in the same order; returns how many there were.
    """
    world = simulate(scenario, seed, sink)
    return world.recorder.steps


def stream_jsonl(scenario: Scenario, write: LineSink, seed: int | None = None) -> int:
    """Run to completion, handing each event's JSON line (no newline) to ``write`` as it happens.

    The lines are ``simulator.trace.jsonl.to_jsonl`` of :func:`run_scenario`'s events, byte for
    byte, made without the events (what ``smtpsim run --json`` writes); returns how many there were.
    """
    world = simulate(scenario, seed, lines=write)
    return world.recorder.steps


def outcomes(scenario: Scenario, seed: int | None = None) -> list[dict[str, str | None]]:
    """What became of each recipient of each scenario message (``smtpsim run --outcomes``)."""
    from simulator.delivery.outcomes import outcome_lines

    world = simulate(scenario, seed)
    return outcome_lines(world.submissions, world.accepted(), world.ledger)
