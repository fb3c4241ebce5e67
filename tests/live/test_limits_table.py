"""Each row of the limits table in docs/live.md names a test that exists (the doc cannot rot)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _limits_rows() -> list[str]:
    text = (ROOT / "docs" / "live.md").read_text(encoding="utf-8")
    section = text.split("\n## Limits", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")][1:]


def test_every_row_of_the_limits_table_names_a_real_test() -> None:
    rows = _limits_rows()
    assert len(rows) >= 6
    for row in rows:
        found = ROW_TEST.findall(row)
        assert found, f"no test named in: {row}"
        for path, name in found:
            tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
            names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
            assert name in names, f"{path} has no {name} (row: {row[:60]}...)"
