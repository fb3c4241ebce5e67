"""The progress report for people: per-topic bars, a score-over-time line, the lessons, what next.

Rich renderables, shared by ``smtpsim progress`` and the player's progress
screen (which puts them in its widgets). The line is drawn in braille dots,
two across and four down in each character cell, so that a few days of
scores make a readable line in a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from simulator.progress.report import ProgressReport, Score

BAR_WIDTH = 30  # at most (and at least 14: "· not tried yet" fits)
CHART_WIDTH = 60  # character cells of the plot area, at most
CHART_HEIGHT = 8
# A bar row besides its bar: the longest topic name (33), "100%", "15/15", "▲100", and the gaps.
BESIDE_BAR = 52
BESIDE_LINE = 6  # the axis labels
_EIGHTHS = " ▏▎▍▌▋▊▉"
# Braille dot bits, by (column, row) inside a cell (Unicode's numbering of the eight dots).
_DOT = {(0, 0): 0x01, (0, 1): 0x02, (0, 2): 0x04, (0, 3): 0x40,
        (1, 0): 0x08, (1, 1): 0x10, (1, 2): 0x20, (1, 3): 0x80}


def band(percent: int | None) -> str:
    """The colour of a score: red under half, yellow under 80%, green from there."""
    if percent is None:
        return "dim"
    return "red" if percent < 50 else "yellow" if percent < 80 else "green"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar ``width`` cells wide, filled to ``fraction`` in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


def trend_text(trend: int | None) -> Text:
    if trend is None:
        return Text("")
    if trend > 0:
        return Text(f"▲{trend}", "green")
    if trend < 0:
        return Text(f"▼{-trend}", "red")
    return Text("=", "dim")


def topic_bars(report: ProgressReport, width: int = BAR_WIDTH) -> Table:
    """One row per topic: its name, a bar of its accuracy, percent, right/answered, the latest day's change."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    weakest = set(report.weakest)
    for t in report.topics:
        label = Text(t.topic.label, "bold" if t.topic in weakest else "")
        if not t.score.answered:
            table.add_row(label, Text("· not tried yet".ljust(width, " ")[:width], "dim"), Text(""), Text(""), Text(""))
            continue
        pct = t.score.percent or 0
        table.add_row(label, Text(bar(pct / 100, width), band(pct)), Text(f"{pct}%", band(pct)),
                      Text(f"{t.score.right}/{t.score.answered}", "dim"), trend_text(t.trend))
    return table


def _plot_x(days: Sequence[date], columns: int) -> list[int]:
    """Dot columns for ``days`` by the calendar (a gap of days shows as a gap)."""
    if len(days) == 1:
        return [columns // 2]
    span = (days[-1] - days[0]).days or 1
    return [round((d - days[0]).days / span * (columns - 1)) for d in days]


def _line(grid: list[list[bool]], a: tuple[int, int], b: tuple[int, int]) -> None:
    """Bresenham's line from ``a`` to ``b`` on a dot grid of [row][column]."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        grid[y0][x0] = True
        if (x0, y0) == (x1, y1):
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


def line_cells(points: Sequence[tuple[date, int]], width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> list[str]:
    """``points`` (day, percent) drawn as braille: ``height`` strings of ``width`` characters, top row first."""
    columns, rows = 2 * width, 4 * height
    grid = [[False] * columns for _ in range(rows)]
    if points:
        xs = _plot_x([d for d, _ in points], columns)
        ys = [round((100 - max(0, min(100, p))) / 100 * (rows - 1)) for _, p in points]
        dots = list(zip(xs, ys))
        if len(dots) == 1:
            x, y = dots[0]
            _line(grid, (max(0, x - 1), y), (min(columns - 1, x + 1), y))  # a lone point: a short dash
        for a, b in zip(dots, dots[1:]):
            _line(grid, a, b)
    out = []
    for cell_row in range(height):
        chars = []
        for cell_col in range(width):
            bits = 0
            for (dx, dy), bit in _DOT.items():
                if grid[4 * cell_row + dy][2 * cell_col + dx]:
                    bits |= bit
            chars.append(chr(0x2800 + bits))
        out.append("".join(chars))
    return out


def score_line(report: ProgressReport, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> Text:
    """Percent right on each study day, as a line with a 0-100% axis and the first and last days under it."""
    points = [(d.day, d.score.percent) for d in report.days if d.score.percent is not None]
    text = Text()
    if not points:
        text.append("No answers yet: the line starts with your first quiz.", "dim")
        return text
    labels = {0: "100%", height // 2: " 50%", height - 1: "  0%"}
    for row, cells in enumerate(line_cells(points, width, height)):
        text.append(f"{labels.get(row, ''):>4} ┤", "dim")
        text.append(cells.replace(chr(0x2800), " "), "cyan")
        text.append("\n")
    first, last = points[0][0], points[-1][0]
    text.append("      " + "─" * width + "\n", "dim")
    left, right = first.strftime("%a %d %b"), last.strftime("%a %d %b")
    if first == last:
        text.append("      " + left.center(width), "dim")
    else:
        text.append("      " + left + right.rjust(width - len(left)), "dim")
    text.append(f"\n      last day: {points[-1][1]}% of {report.days[-1].score.answered} answers"
                + ("" if len(points) > 1 else " (one day so far)"), "dim")
    return text


def lessons_table(report: ProgressReport) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_column(no_wrap=True)
    for lesson in report.lessons:
        tick = Text("✓", "green") if lesson.done else Text("·", "dim")
        when = Text(lesson.last.strftime("%d %b") if lesson.last else "", "dim")
        table.add_row(tick, Text(lesson.title, "" if lesson.done else "dim"), when)
    return table


def _score(score: Score) -> str:
    return f"{score.right}/{score.answered} right ({score.percent}%)" if score.answered else "none yet"


def headline(report: ProgressReport) -> Text:
    """Lessons, answers and review, in three lines."""
    text = Text()
    text.append(f"Lessons finished: {report.lessons_done} of {len(report.lessons)}\n")
    text.append(f"Questions answered: {report.total.answered} ({len(report.questions)} different), "
                f"{_score(report.total)}\n")
    text.append("Weakest topics: ")
    if report.weakest:
        text.append(", ".join(f"{t.label} {report.topic(t).score.percent}%" for t in report.weakest), "bold")
    else:
        text.append("none yet" if not report.total.answered else "none: every topic answered right so far", "dim")
    return text


def next_steps(report: ProgressReport) -> list[str]:
    """What to do next, as short lines (the end of a quiz, ``smtpsim progress``)."""
    out = []
    due = report.review.due_now
    if due:
        out.append(f"{due} question{'s are' if due != 1 else ' is'} due for review: smtpsim quiz --review")
    elif report.review.next_due is not None:
        out.append(f"Nothing due for review today; the next questions are due on "
                   f"{report.review.next_due.strftime('%a %d %b')}.")
    if report.weakest:
        t = report.weakest[0]
        out.append(f"Weakest topic: {t.label} ({report.topic(t).score.percent}%): smtpsim quiz --topic {t.value}")
    untried = [t for t in report.topics if not t.score.answered]
    if untried and report.total.answered:
        out.append("Not tried yet: " + ", ".join(t.topic.label for t in untried))
    nxt = next((lesson for lesson in report.lessons if not lesson.done), None)
    if nxt is not None:
        out.append(f"Next lesson: {nxt.title} (smtpsim play {nxt.name})")
    return out


def missed_text(report: ProgressReport, limit: int = 5) -> Text:
    text = Text()
    for q in report.missed[:limit]:
        first = q.question.splitlines()[0]
        text.append("✗ ", "red")
        text.append(first if len(first) <= 100 else first[:99] + "…")
        text.append(f"\n   answer: {q.answer}\n", "dim")
    return text


def fit(width: int) -> tuple[int, int]:
    """The bar and line widths for panels ``width`` columns wide (borders and padding included)."""
    inside = width - 4
    return max(14, min(BAR_WIDTH, inside - BESIDE_BAR)), max(16, min(CHART_WIDTH, inside - BESIDE_LINE))


def render_report(report: ProgressReport, width: int = 100) -> RenderableType:
    """The whole report for a terminal ``width`` columns wide (``smtpsim progress``)."""
    from rich.panel import Panel

    bar_width, line_width = fit(width)
    parts: list[RenderableType] = [headline(report), Text("")]
    parts.append(Panel(topic_bars(report, bar_width), title="Accuracy by topic", title_align="left",
                       subtitle="▲▼: the last day against the days before", subtitle_align="right"))
    parts.append(Panel(score_line(report, line_width), title="Score over time (percent right each day)",
                       title_align="left"))
    if report.missed:
        parts.append(Panel(missed_text(report), title="Missed last time", title_align="left"))
    parts.append(Panel(lessons_table(report), title=f"Lessons ({report.lessons_done} of {len(report.lessons)})",
                       title_align="left"))
    steps = next_steps(report)
    if steps:
        parts.append(Text("Next:\n" + "\n".join(f"  • {s}" for s in steps)))
    return Group(*parts)


