"""docs/live.md's "Delivery guarantees" names real tests and every crash point, so it cannot rot."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from simulator.live.crashpoints import CrashPoint

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    doc = (ROOT / "docs" / "live.md").read_text(encoding="utf-8")
    start = doc.index("## Delivery guarantees")
    return doc[start:doc.index("\n## ", start + 1)]


def test_every_test_the_guarantees_name_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", _section())
    assert len(named) >= 9
    for path, function in named:
        source = ROOT / path
        assert source.is_file(), path
        if function:
            tree = ast.parse(source.read_text(encoding="utf-8"))
            assert function in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}, (path, function)


def test_the_guarantees_list_every_crash_point() -> None:
    section = _section()
    assert {p.value for p in CrashPoint} <= set(re.findall(r"`(\w+)`", section))
