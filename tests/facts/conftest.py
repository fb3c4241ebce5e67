"""Every shipped scenario run once, shared by the fact checks."""

import functools
import os
from pathlib import Path

import pytest

from simulator.run import run_scenario
from simulator.scenario import list_scenarios

SCENARIOS = list_scenarios()
NAMES = [s.name for s in SCENARIOS]
ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def trace_of(name: str):
    return run_scenario(next(s for s in SCENARIOS if s.name == name))


def rfc_dir() -> Path | None:
    """The project's RFC texts: $SMTPSIM_RFC_DIR, else shared/rfc beside the checkout or above it."""
    if os.environ.get("SMTPSIM_RFC_DIR"):
        return Path(os.environ["SMTPSIM_RFC_DIR"])
    for parent in ROOT.parents:
        candidate = parent / "shared" / "rfc"
        if candidate.is_dir():
            return candidate
    return None


def require_rfc_dir() -> Path:
    found = rfc_dir()
    if found is None or not any(found.glob("rfc*.txt")):
        if os.environ.get("CI"):
            pytest.fail("the RFC texts (shared/rfc beside the checkout) are missing under CI")
        pytest.skip("the RFC texts (shared/rfc beside the checkout, or $SMTPSIM_RFC_DIR) are not here")
    return found
