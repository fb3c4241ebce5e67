"""The shipped scenarios, found by name or by path, and the lesson path through them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from simulator.paths import scenarios_dir
from simulator.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from simulator.scenario.model import Scenario

# The loader (and through it dnspython and the dataclasses of the model) is imported by the
# functions that load a scenario, not here: `smtpsim --help` reads DEFAULT_SCENARIO and LEVELS only.

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
            raise ScenarioError(name_or_path, "", "no such file" + _did_you_mean(candidate.stem))
        return candidate
    library = scenarios_dir() / f"{name_or_path}.toml"
    if library.is_file():
        return library
    hint = _did_you_mean(name_or_path) or f" (known: {', '.join(scenario_names())})"
    raise ScenarioError(name_or_path, "", "no such scenario" + hint)


def looks_like_scenario(word: str) -> bool:
    """A shipped name, a .toml path, or a word close to a shipped name."""
    return word.endswith(".toml") or "/" in word or word in scenario_names() or bool(_did_you_mean(word))


def _did_you_mean(name: str) -> str:
    """``; did you mean "retry-expired"?`` when shipped names are close to ``name``, else ""."""
    import difflib

    names = scenario_names()
    wanted = name.lower()
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    # A word of a longer name ("greylist", "bounce", "submission") is close enough too.
    close += [n for n in names if n not in close
              and any(difflib.SequenceMatcher(None, wanted, part).ratio() >= 0.8 for part in n.split("-"))]
    if not close:
        return ""
    quoted = [f'"{n}"' for n in close[:3]]
    either = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {either}?"


def open_scenario(name_or_path: str) -> Scenario:
    from simulator.scenario.loader import load_scenario

    return load_scenario(resolve_scenario(name_or_path))


def lesson_key(level: str, order: int, name: str) -> tuple[int, int, str]:
    """Where a scenario stands on the lesson path: its level, then its order, then its name."""
    rank = list(LEVELS).index(level) if level in LEVELS else len(LEVELS)
    return (rank, order, name)


def list_scenarios() -> list[Scenario]:
    """Every shipped scenario, in lesson order."""
    from simulator.scenario.loader import load_scenario

    scenarios = [load_scenario(p) for p in sorted(scenarios_dir().glob("*.toml"))]
    return sorted(scenarios, key=lambda s: lesson_key(s.level, s.order, s.name))


class Lesson(NamedTuple):
    """A scenario's place on the lesson path (read from its [scenario] table alone)."""

    name: str
    title: str
    level: str
    order: int


@functools.lru_cache(maxsize=1)
def lesson_path() -> tuple[Lesson, ...]:
    """The shipped scenarios in lesson order, cheaply: only each file's [scenario] table is read.

    A file that does not parse is left out here; opening it reports the error.
    """
    import tomllib

    lessons = []
    for path in scenarios_dir().glob("*.toml"):
        try:
            meta = tomllib.loads(path.read_text(encoding="utf-8")).get("scenario", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if not isinstance(meta, dict):
            continue
        order = meta.get("order", 100)
        lessons.append(Lesson(path.stem, str(meta.get("title", path.stem)), str(meta.get("level", "basics")),
                              order if isinstance(order, int) and not isinstance(order, bool) else 100))
    return tuple(sorted(lessons, key=lambda s: lesson_key(s.level, s.order, s.name)))


def next_lesson(name: str) -> Lesson | None:
    """The lesson after ``name`` on the path; None after the last one or for a scenario not shipped."""
    names = [lesson.name for lesson in lesson_path()]
    if name not in names:
        return None
    at = names.index(name)
    return lesson_path()[at + 1] if at + 1 < len(names) else None
