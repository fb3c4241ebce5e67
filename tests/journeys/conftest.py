import functools

import pytest

from simulator.run import run_scenario
from simulator.scenario.library import open_scenario


@functools.cache
def _trace(name: str, seed: int | None = None):
    return run_scenario(open_scenario(name), seed)


@pytest.fixture
def trace():
    return _trace
