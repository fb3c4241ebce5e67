"""Scenarios: TOML files describing one situation, validated on load.

The names below are imported on first use (PEP 562), so that importing a
light submodule (``errors``, ``library``) does not load the validator and
dnspython with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.scenario.errors import ScenarioError
    from simulator.scenario.library import DEFAULT_SCENARIO, list_scenarios, resolve_scenario
    from simulator.scenario.loader import load_scenario, parse_scenario
    from simulator.scenario.model import Host, Message, Role, Scenario

_HOME = {
    "DEFAULT_SCENARIO": "library",
    "Host": "model",
    "Message": "model",
    "Role": "model",
    "Scenario": "model",
    "ScenarioError": "errors",
    "list_scenarios": "library",
    "load_scenario": "loader",
    "parse_scenario": "loader",
    "resolve_scenario": "library",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'simulator.scenario' has no attribute {name!r}")
    value = getattr(import_module(f"simulator.scenario.{_HOME[name]}"), name)
    globals()[name] = value
    return value
