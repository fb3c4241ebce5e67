"""The interactive exam (``smtpsim quiz`` without ``--format``): ``QuizApp`` and ``run_quiz``.

Questions come ready-made from ``simulator.quiz.build_quiz``, each with the
trace it was generated from; the app only asks them, keeps the score, and
shows the trace lines behind each answer. The screens live in
``simulator.ui.quiz``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from textual.app import App
from textual.binding import Binding

from simulator.paths import assets_dir
from simulator.quiz.model import Question
from simulator.trace.events import Trace
from simulator.ui.quiz.messages import QuizOver
from simulator.ui.quiz.question import QuestionScreen
from simulator.ui.quiz.results import ResultsScreen
from simulator.ui.quiz.session import Clock, Countdown, QuizSession

STYLESHEET = assets_dir() / "styles" / "quiz.tcss"
THEMES = ("textual-dark", "textual-light")


class QuizApp(App[int]):
    """Question after question, then the results, then the review of the wrong answers.

    ``timer_minutes`` limits the whole quiz; ``clock`` (monotonic seconds) is
    what the countdown reads, so tests can move time by hand.
    """

    TITLE = "smtpsim quiz"
    CSS_PATH = str(STYLESHEET)
    # An exam: no palette, whose "quit" would skip the confirm and whose themes would outnumber t's two.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("t", "toggle_theme", "theme", tooltip="Switch between dark and light"),
        Binding("q", "quit", "quit", tooltip="Leave smtpsim"),
    ]

    def __init__(
        self,
        picked: Sequence[tuple[Question, Trace]],
        timer_minutes: int | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__()
        self.session = QuizSession(picked)
        self.countdown = Countdown(timer_minutes * 60, clock) if timer_minutes else None
        self.theme = THEMES[0]

    def on_mount(self) -> None:
        self.push_screen(QuestionScreen(self.session, self.countdown))

    def on_quiz_over(self, message: QuizOver) -> None:
        # A quit confirm that is open when the time runs out goes with the question screen.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(ResultsScreen(message.session, self.countdown))

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]


def run_quiz(picked: Sequence[tuple[Question, Trace]], timer_minutes: int | None = None) -> int:
    """Ask ``picked`` in the terminal; the exit code for the CLI."""
    if not picked:
        print("smtpsim: no questions to ask: try other scenarios or another --difficulty", file=sys.stderr)
        return 2
    app = QuizApp(picked, timer_minutes=timer_minutes)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
