"""The interactive exam (``smtpsim quiz`` without ``--format``): ``QuizApp`` and ``run_quiz``.

Questions come ready-made from ``simulator.quiz.build_quiz``, each with the
trace it was generated from; the app only asks them, keeps the score, and
shows the trace lines behind each answer. The screens live in
``simulator.ui.quiz``. With a recorder (``run_quiz`` gives one unless
``--no-save``), every answer is saved as it is given, and the results say
what to review next.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from simulator.paths import assets_dir
from simulator.quiz.model import Question
from simulator.trace.events import Trace
from simulator.ui.quiz.messages import QuizOver
from simulator.ui.quiz.question import QuestionScreen
from simulator.ui.quiz.results import ResultsScreen
from simulator.ui.screens.progress_link import ProgressRecording
from simulator.ui.quiz.session import Clock, Countdown, QuizSession

if TYPE_CHECKING:
    from simulator.progress.model import QuizSessionInfo, SessionKind, Source
    from simulator.progress.recorder import Recorder

STYLESHEET = assets_dir() / "styles" / "quiz.tcss"
THEMES = ("textual-dark", "textual-light")


class QuizApp(ProgressRecording, App[int]):
    """Question after question, then the results, then the review of the wrong answers.

    ``timer_minutes`` limits the whole quiz; ``clock`` (monotonic seconds) is
    what the countdown reads, so tests can move time by hand. ``recorder``
    saves each answer (as ``source``: a quiz or a review); ``notices`` are
    shown once the first question is up.
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
        *,
        recorder: Recorder | None = None,
        source: Source | None = None,
        notices: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.recorder = recorder
        self.source = source
        self.notices = tuple(notices)
        self.session = QuizSession(picked, on_answer=self._record if recorder is not None else None)
        self.countdown = Countdown(timer_minutes * 60, clock) if timer_minutes else None
        self.theme = THEMES[0]

    def on_mount(self) -> None:
        self.push_screen(QuestionScreen(self.session, self.countdown, saved=self.recorder is not None))
        for notice in self.notices:
            self.say(notice)

    def _record(self, question: Question, choice: str) -> None:
        from simulator.progress.model import Source

        assert self.recorder is not None
        self.say(self.recorder.answered(question, choice, self.source or Source.QUIZ))

    def on_quiz_over(self, message: QuizOver) -> None:
        # A quit confirm that is open when the time runs out goes with the question screen.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(ResultsScreen(message.session, self.countdown, next_lines=self.finish()))

    def finish(self) -> list[str]:
        """The quiz is over: close its session in the record; what to do next (empty without a record)."""
        if self.recorder is None:
            return []
        from simulator.progress.store import ProgressError

        self.say(self.recorder.finish_session())
        lines = []
        if self.recorder.problem:
            lines.append(f"Not saved: {self.recorder.problem}.")
        try:
            from simulator.progress.render import next_steps

            lines += next_steps(self.recorder.report())
        except ProgressError:
            pass  # the problem line above says why
        return lines

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]


def run_quiz(picked: Sequence[tuple[Question, Trace]], timer_minutes: int | None = None, *,
             recorder: Recorder | None = None, kind: SessionKind | None = None,
             resume: QuizSessionInfo | None = None) -> int:
    """Ask ``picked`` in the terminal, saving the answers with ``recorder``; the exit code for the CLI.

    ``resume`` is the session left half-way that ``picked`` finishes. After
    the app closes, a few lines stay in the terminal: the score and what next.
    """
    from simulator.progress.model import SessionKind, Source

    if not picked:
        print("smtpsim: no questions to ask: try other scenarios, topics or another --difficulty", file=sys.stderr)
        return 2
    kind = kind or (resume.kind if resume is not None else SessionKind.QUIZ)
    notices: list[str] = []
    if recorder is not None:
        notices += _before_start(recorder, picked, kind, resume)
    app = QuizApp(picked, timer_minutes=timer_minutes, recorder=recorder, notices=notices,
                  source=Source.REVIEW if kind is SessionKind.REVIEW else Source.QUIZ)
    result = app.run()
    if recorder is not None:
        _goodbye(app, recorder)
    return result if isinstance(result, int) else (app.return_code or 0)


def _before_start(recorder: Recorder, picked: Sequence[tuple[Question, Trace]], kind: SessionKind,
                  resume: QuizSessionInfo | None) -> list[str]:
    """Open the quiz's session in the record; the notices to show on the first question."""
    from simulator.progress.store import ProgressError

    if resume is not None:
        recorder.resume_session(resume)
        return [f"Resuming the quiz of {resume.started.strftime('%a %d %b %H:%M')}: "
                f"{len(resume.answered)} answered then, {len(picked)} to go."]
    notices = []
    try:
        left = recorder.store().unfinished_session()
    except ProgressError:
        left = None  # start_session below says why, once
    notice = recorder.start_session(kind, [q.id for q, _ in picked])
    if notice:
        notices.append(notice)
    elif left is not None:
        notices.append(f"You left a quiz half-way on {left.started.strftime('%a %d %b')} "
                       f"({len(left.answered)} of {len(left.questions)} answered): smtpsim quiz --resume finishes it.")
    return notices


def _goodbye(app: QuizApp, recorder: Recorder) -> None:
    """The lines left in the terminal after the quiz: the score, where it is saved, what next."""
    session = app.session
    if not session.answered:
        return
    where = f"not saved: {recorder.problem}" if recorder.problem else f"saved in {recorder.path}"
    if session.finished:
        print(f"Score {session.right}/{len(session)} ({session.percent}%); {where}.")
    else:
        print(f"{session.answered} of {len(session)} answered, {session.right} right; {where}.")
        print("Left half-way: smtpsim quiz --resume finishes it.")
    from simulator.progress.render import next_steps
    from simulator.progress.store import ProgressError

    try:
        for line in next_steps(recorder.report()):
            print(f"  • {line}")
    except ProgressError:
        pass
