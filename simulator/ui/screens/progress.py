"""Your progress (key ``g``, in the player and the quiz): lessons, topics, the chart, what next.

The report is built by :mod:`simulator.progress.report` and drawn by
:mod:`simulator.progress.render` (the same bars and line as ``smtpsim
progress``); this screen only lays them out for the terminal's size.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from simulator.paths import assets_dir
from simulator.progress.render import (
    CHART_HEIGHT,
    fit,
    headline,
    lessons_table,
    missed_text,
    next_steps,
    score_line,
    topic_bars,
)
from simulator.progress.report import ProgressReport

WIDE = 150  # from this width the bars and the line stand side by side


class ProgressScreen(Screen[None]):
    """Shows ``report`` (None: only ``problem``, why there is none); ``problem`` also when saving has stopped."""

    CSS_PATH = str(assets_dir() / "styles" / "progress.tcss")
    BINDINGS = [
        Binding("escape", "close", "back", key_display="esc", tooltip="Back to where you were (esc, g)"),
    ]

    def __init__(self, report: ProgressReport | None, problem: str | None = None) -> None:
        super().__init__()
        self.report = report
        self.problem = problem

    def compose(self) -> ComposeResult:
        width = self.app.size.width
        wide = width >= WIDE
        self.set_class(wide, "-wide")
        yield Static(id="progress-head")
        with VerticalScroll(id="progress-body"):
            if self.report is not None:
                bars, line = fit(width // 2 if wide else width)
                with Horizontal(id="progress-charts"):
                    yield Static(topic_bars(self.report, bars), id="progress-topics")
                    yield Static(score_line(self.report, line, CHART_HEIGHT), id="progress-line")
                steps = next_steps(self.report)
                yield Static("\n".join(f"• {s}" for s in steps) or "Nothing to suggest yet.", id="progress-next")
                with Horizontal(id="progress-lists"):
                    if self.report.missed:
                        yield Static(missed_text(self.report), id="progress-missed")
                    yield Static(lessons_table(self.report), id="progress-lessons")
        yield Footer()

    def on_mount(self) -> None:
        head = self.query_one("#progress-head", Static)
        text = Text()
        if self.problem:
            text.append(self.problem + "\n", "bold red")
        if self.report is not None:
            text.append_text(headline(self.report))
            head.border_title = f"Your progress · profile {self.report.profile}"
            head.border_subtitle = f"today {self.report.today.strftime('%a %d %b %Y')}"
            self.query_one("#progress-topics").border_title = "Accuracy by topic"
            self.query_one("#progress-topics").border_subtitle = "▲▼ last day vs before"
            self.query_one("#progress-line").border_title = "Score over time"
            self.query_one("#progress-next").border_title = "Next"
            if self.report.missed:
                self.query_one("#progress-missed").border_title = "Missed last time"
            self.query_one("#progress-lessons").border_title = (
                f"Lessons ({self.report.lessons_done} of {len(self.report.lessons)})")
        else:
            head.border_title = "Your progress"
        head.update(text)
        self.query_one("#progress-body").focus()

    def action_close(self) -> None:
        self.app.pop_screen()
