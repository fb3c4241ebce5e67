"""The end of the quiz: the score, per difficulty, and the way to the review."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static

from simulator.ui.quiz.question import COMPACT_WIDTH
from simulator.ui.quiz.review import ReviewScreen
from simulator.ui.quiz.session import Countdown, QuizSession, format_mmss
from simulator.ui.quiz.widgets import QuestionTally, QuizStatus, ScoreSummary, TopicSummary


class ResultsScreen(Screen[None]):
    """Score and percentage, a row per difficulty, every question ✓ or ✗; ``r`` reviews the wrong ones."""

    BINDINGS = [
        Binding("r,enter", "review", "review", tooltip="Each wrong answer, the right one, and the trace (r, enter)"),
        Binding("g", "progress", "progress", tooltip="Your progress over every quiz: topics, chart, lessons"),
    ]

    def __init__(self, session: QuizSession, countdown: Countdown | None = None,
                 next_lines: Sequence[str] = ()) -> None:
        super().__init__()
        self.session = session
        self.countdown = countdown
        self.next_lines = tuple(next_lines)  # what to review next, from the progress record (none without one)

    def compose(self) -> ComposeResult:
        self.set_class(self.app.size.width < COMPACT_WIDTH, "-compact")
        yield QuizStatus(id="quiz-status")
        with VerticalScroll(id="results"):
            with Horizontal(id="results-top"):
                yield ScoreSummary(self.session, id="summary")
                yield TopicSummary(self.session, id="topics")
            if self.next_lines:
                yield Static("\n".join(f"• {line}" for line in self.next_lines), id="next-steps")
            yield QuestionTally(self.session, id="tally")
        yield Footer()

    def on_mount(self) -> None:
        s = self.session
        status = self.query_one(QuizStatus)
        status.heading = "Results"
        status.detail = f"score {s.right}/{len(s)}  {s.percent}%"
        summary = self.query_one("#summary")
        summary.border_title = "Time's up" if s.timed_out else "Quiz finished"
        if self.countdown is not None:
            used = self.countdown.seconds - self.countdown.remaining()
            summary.border_subtitle = f"time used {format_mmss(used)} of {format_mmss(self.countdown.seconds)}"
        self.query_one("#topics").border_title = "By topic"
        self.query_one("#tally").border_title = "Question by question"
        if self.next_lines:
            self.query_one("#next-steps").border_title = "What next (g: your progress)"
        self.query_one("#results").focus()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < COMPACT_WIDTH, "-compact")  # the topic table goes under the score

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return bool(self.session.wrong())
        if action == "progress":
            return bool(self.next_lines)  # only with a progress record
        return True

    def action_progress(self) -> None:
        from simulator.ui.screens.progress_link import ProgressRecording

        if isinstance(self.app, ProgressRecording):
            self.app.action_progress()

    def action_review(self) -> None:
        if self.session.wrong():
            self.app.push_screen(ReviewScreen(self.session))
