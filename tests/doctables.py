"""Docs that cannot rot: the rows of a Markdown table that names tests, and whether those tests exist.

A row is "what | ... | test" with four cells; the last names tests as `path::test_name`
(top-level functions; parametrized ones without their parameters).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def table_rows(text: str, first_header: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(first cell, [(file, test), ...]) for every four-cell row of ``text``'s tables but the header."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] in (first_header, "---"):
            continue
        rows.append((cells[0], TEST_ID.findall(cells[3])))
    return rows


@cache
def functions_in(path: str) -> frozenset[str]:
    """The top-level function names of ``path`` (relative to the checkout)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def missing(path: str, name: str) -> str | None:
    """Why ``path::name`` is not a test that exists, or None when it is."""
    if not (ROOT / path).is_file():
        return f"{path} does not exist"
    return None if name in functions_in(path) else f"{path} has no test function {name}"
