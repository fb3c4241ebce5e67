"""Shared pieces of the UI tests: traces (synthetic and real) and an app factory."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ and these tests import tests.ui.synthetic
    sys.path.insert(0, str(ROOT))

from simulator.trace.events import Trace  # noqa: E402
from simulator.ui.app import SmtpsimApp, open_trace  # noqa: E402
from tests.ui.synthetic import journey  # noqa: E402

_REAL: dict[str, Trace] = {}


def real_trace(name: str) -> Trace:
    """A shipped scenario's trace, run once per test session."""
    if name not in _REAL:
        _REAL[name] = open_trace(name)
    return _REAL[name]


def make_app(trace: Trace | None = None, loader: Callable[[str], Trace] | None = real_trace) -> SmtpsimApp:
    """The app as ``smtpsim`` starts it, animations off so every run looks the same."""
    app = SmtpsimApp(trace if trace is not None else journey(), loader=loader)
    app.animation_level = "none"
    return app


async def run_done(pilot) -> None:
    """Until the player's pending run (``smtpsim play`` without --at) is on screen."""
    for _ in range(2000):
        if pilot.app.player.pending is None:
            break
        await pilot.pause(0.005)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.player.pending is None, "the run never finished"


@pytest.fixture
def synthetic() -> Trace:
    return journey()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no async plugin needed for the pilot)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True
