"""docs/live.md's "Delivery guarantees" names real tests and every crash point, so it cannot rot."""

from __future__ import annotations

import re

from simulator.live.crashpoints import CrashPoint
from tests.doctables import ROOT, missing


def _section() -> str:
    doc = (ROOT / "docs" / "live.md").read_text(encoding="utf-8")
    start = doc.index("## Delivery guarantees")
    return doc[start:doc.index("\n## ", start + 1)]


def test_every_test_the_guarantees_name_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", _section())
    assert len(named) >= 9
    for path, function in named:
        assert (ROOT / path).is_file(), path
        if function:
            assert missing(path, function) is None, missing(path, function)


def test_the_guarantees_list_every_crash_point() -> None:
    section = _section()
    assert {p.value for p in CrashPoint} <= set(re.findall(r"`(\w+)`", section))
