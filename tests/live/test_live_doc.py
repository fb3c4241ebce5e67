"""docs/live.md's limits table cannot rot: every row names a test, and every test it names exists.

The rows of the table under "## Limits" are "what | number | reply | test"; the last cell
names tests as `path::test_name` (top-level functions; parametrized ones without parameters).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "live.md"
_TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def limit_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] in ("what is limited", "---"):
            continue
        rows.append((cells[0], _TEST_ID.findall(cells[3])))
    return rows


@cache
def functions_in(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def test_the_limits_table_is_there_and_every_row_names_a_test() -> None:
    rows = limit_rows()
    assert len(rows) >= 15
    assert [what for what, tests in rows if not tests] == []


@pytest.mark.parametrize(("path", "name"), sorted({t for _, tests in limit_rows() for t in tests}))
def test_every_test_the_limits_table_names_exists(path: str, name: str) -> None:
    assert (ROOT / path).is_file(), f"{path} does not exist"
    assert name in functions_in(path), f"{path} has no test function {name}"
