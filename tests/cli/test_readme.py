"""README and docs as a Markdown renderer reads them: every table row is in a table, every command in README's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from simulator.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _tables(text: str) -> tuple[list[list[list[str]]], set[int], set[int]]:
    """The tables (rows of cell texts), the source lines inside tables, and the lines inside code blocks."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: list[list[list[str]]] = []
    in_table: set[int] = set()
    in_code: set[int] = set()
    row: list[str] | None = None
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            in_code.update(range(*token.map))
        elif token.type == "table_open":
            tables.append([])
            if token.map:
                in_table.update(range(*token.map))
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and row is not None:
            tables[-1].append(row)
            row = None
    return tables, in_table, in_code


@pytest.mark.parametrize("page", [README, *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_every_line_that_looks_like_a_table_row_renders_as_one(page):
    text = page.read_text(encoding="utf-8")
    _, in_table, in_code = _tables(text)
    stray = [f"{n + 1}: {line}" for n, line in enumerate(text.splitlines())
             if re.fullmatch(r"\s*\|.*\|\s*", line) and n not in in_table and n not in in_code]
    assert stray == [], "rows outside any table (a blank line splits a table):\n" + "\n".join(stray)


def test_the_command_table_has_a_row_for_every_command():
    tables, _, _ = _tables(README.read_text(encoding="utf-8"))
    commands = next(t for t in tables if t and t[0][0].strip().lower() == "command")
    assert all(len(row) == 2 for row in commands), "each row: the command, what it does"
    rows = [row[0] for row in commands[1:]]
    assert all(cell.startswith("`smtpsim") for cell in rows)
    named = {m for cell in rows for m in re.findall(r"`smtpsim (\w+)", cell)}
    assert set(build_parser().commands) <= named, set(build_parser().commands) - named
