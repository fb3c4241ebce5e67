"""docs/live.md's limits table cannot rot: every row names a test, and every test it names exists.

The rows of the table under "## Limits" are "what | number | reply | test"; the last cell
names tests as `path::test_name` (top-level functions; parametrized ones without parameters).
"""

from __future__ import annotations


import pytest

from tests.doctables import ROOT, missing, table_rows

DOC = ROOT / "docs" / "live.md"


def limit_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    text = DOC.read_text(encoding="utf-8")
    return table_rows(text.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0], "what is limited")


def test_the_limits_table_is_there_and_every_row_names_a_test() -> None:
    rows = limit_rows()
    assert len(rows) >= 15
    assert [what for what, tests in rows if not tests] == []


@pytest.mark.parametrize(("path", "name"), sorted({t for _, tests in limit_rows() for t in tests}))
def test_every_test_the_limits_table_names_exists(path: str, name: str) -> None:
    assert missing(path, name) is None, missing(path, name)
