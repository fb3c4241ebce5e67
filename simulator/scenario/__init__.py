"""Scenarios: TOML files describing one situation, validated on load."""

from simulator.scenario.errors import ScenarioError
from simulator.scenario.library import DEFAULT_SCENARIO, list_scenarios, resolve_scenario
from simulator.scenario.loader import load_scenario, parse_scenario
from simulator.scenario.model import Host, Message, Role, Scenario

__all__ = [
    "DEFAULT_SCENARIO",
    "Host",
    "Message",
    "Role",
    "Scenario",
    "ScenarioError",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
    "resolve_scenario",
]
