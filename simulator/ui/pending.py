"""A run still to do when the player opens: it shows a loading state first and the trace when it is ready.

The first frame comes before the engine (and the modules only it needs): the
run follows on a worker thread, so the window opens without waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.trace.events import Trace


@dataclass(frozen=True)
class PendingRun:
    """``run`` makes the trace; ``scenario`` and ``title`` name it on screen meanwhile."""

    scenario: str
    title: str
    run: Callable[[], Trace]

    def placeholder(self) -> Trace:
        """An empty trace with the scenario's name: what the player holds until the run is done."""
        return Trace(scenario=self.scenario, title=self.title, summary="", seed=0, actors=(), events=())

    @property
    def loading_text(self) -> str:
        return f"Running scenario {self.title} ..."
