"""The shipped scenarios, found by name or by path."""

from __future__ import annotations

from pathlib import Path

from simulator.paths import scenarios_dir
from simulator.scenario.errors import ScenarioError
from simulator.scenario.loader import load_scenario
from simulator.scenario.model import Scenario

DEFAULT_SCENARIO = "submission-starttls"

# The lesson path, in teaching order: each scenario's `level` is one of these.
LEVELS = {
    "basics": "1. First principles: the journey, ports and TLS modes",
    "failures": "2. When mail does not get through: DNS, retries, NDRs",
    "attacks": "3. Attacks and defences",
}


def scenario_names() -> list[str]:
    return sorted(p.stem for p in scenarios_dir().glob("*.toml"))


def resolve_scenario(name_or_path: str) -> Path:
    """A library name (``user-unknown``) or a path to a TOML file."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in name_or_path:
        if not candidate.exists():
            raise ScenarioError(name_or_path, "", "no such file")
        return candidate
    library = scenarios_dir() / f"{name_or_path}.toml"
    if library.is_file():
        return library
    known = ", ".join(scenario_names())
    raise ScenarioError(name_or_path, "", f"expected a scenario name or a .toml path, found no such scenario (known: {known})")


def open_scenario(name_or_path: str) -> Scenario:
    return load_scenario(resolve_scenario(name_or_path))


def list_scenarios() -> list[Scenario]:
    """Every shipped scenario, in lesson order."""
    scenarios = [load_scenario(p) for p in sorted(scenarios_dir().glob("*.toml"))]
    return sorted(scenarios, key=lambda s: (s.order, s.name))
