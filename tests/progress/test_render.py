"""The charts: a bar's length is its accuracy, the line goes through each day's score."""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Console

from simulator.progress.render import bar, line_cells, render_report
from simulator.progress.report import build_report
from simulator.scenario.library import lesson_path
from simulator.scenario.topics import Topic
from tests.progress.kit import T0, answer, question

# Unicode numbers the braille dots 1-8; these are their (column, row) in the 2x4 cell.
_BITS = {0x01: (0, 0), 0x02: (0, 1), 0x04: (0, 2), 0x40: (0, 3),
         0x08: (1, 0), 0x10: (1, 1), 0x20: (1, 2), 0x80: (1, 3)}


def dots(lines: list[str]) -> set[tuple[int, int]]:
    """The (x, y) dots the braille characters light, y from the top."""
    out = set()
    for row, line in enumerate(lines):
        for col, ch in enumerate(line):
            bits = ord(ch) - 0x2800
            assert 0 <= bits <= 0xFF, ch
            out |= {(2 * col + dx, 4 * row + dy) for bit, (dx, dy) in _BITS.items() if bits & bit}
    return out


def test_bars_fill_in_eighths_of_a_cell():
    assert bar(1.0, 10) == "█" * 10
    assert bar(0.0, 10) == " " * 10
    assert bar(0.5, 10) == "█" * 5 + " " * 5
    assert bar(0.55, 10) == "█" * 5 + "▌" + " " * 4  # 5.5 cells
    assert all(len(bar(f / 37, 12)) == 12 for f in range(38))


def test_the_line_passes_through_each_point_and_has_no_gaps():
    width, height = 20, 5  # 40 x 20 dots
    d0 = date(2025, 3, 1)
    points = [(d0, 0), (d0 + timedelta(days=2), 100), (d0 + timedelta(days=4), 50)]
    lit = dots(line_cells(points, width, height))
    # By hand: x = day / 4 days * 39, y = (100 - percent) / 100 * 19.
    for x, y in [(0, 19), (20, 0), (39, 10)]:  # round(19.5) is 20; round(9.5) is 10
        assert (x, y) in lit, (x, y)
    # One dot at least in every column from the first point to the last: a line, not scattered dots.
    assert {x for x, _ in lit} == set(range(40))
    # Nothing lit far from the segments: no dot below the first point's level or above the top.
    assert all(0 <= y <= 19 for _, y in lit)


def test_a_single_day_is_a_short_dash_in_the_middle():
    lit = dots(line_cells([(date(2025, 3, 1), 100)], 10, 2))
    assert lit == {(9, 0), (10, 0), (11, 0)}


def test_the_terminal_report_shows_bars_the_line_and_what_next():
    history = [answer(question(1, (Topic.PORTS,)), True, T0), answer(question(2, (Topic.DNS_RECORDS,)), False, T0),
               answer(question(3, (Topic.DNS_RECORDS,)), True, T0 + timedelta(days=1))]
    rep = build_report(history, [], lesson_path(), today=T0.date() + timedelta(days=1))
    console = Console(width=100, record=True, color_system=None)
    console.print(render_report(rep, 100))
    text = console.export_text()
    assert "Accuracy by topic" in text and "Score over time" in text
    assert "DNS record types" in text and "50%" in text and "1/2" in text
    assert "not tried yet" in text  # attacks, retries, ...
    assert "smtpsim quiz --review" in text and "smtpsim quiz --topic dns-records" in text
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)  # the braille line
    assert "Tue 04 Mar" in text and "Wed 05 Mar" in text
