"""The apps' side of the progress record: what they remember, and the progress screen (key ``g``).

A base of the player app and the quiz app (an App, so that its key binding merges with theirs). ``recorder`` is None in tests
and demonstrations (nothing is recorded); ``run_app`` and ``run_quiz`` give
one. The record is opened on first use, never at start-up, and when it cannot
be written the app says so once, in a notice, and goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from simulator.ui.messages import LessonFinished, PredictionAnswered

if TYPE_CHECKING:
    from simulator.progress.recorder import Recorder
    from simulator.trace.events import Trace


class ProgressRecording(App[int]):
    """Records lessons finished and predictions; ``g`` shows the progress screen."""

    BINDINGS = [
        Binding("g", "progress", "progress", show=False,
                tooltip="Your progress: lessons done, accuracy by topic, a chart, what to review"),
    ]

    recorder: Recorder | None = None
    _finished: Trace | None = None  # the trace last recorded as finished (stepping about at its end: once)

    def say(self, notice: str | None) -> None:
        """Show a notice from the recorder (a warning when saving stopped, information when it works again)."""
        if notice:
            failing = self.recorder is not None and self.recorder.problem is not None
            self.notify(notice, title="Progress", severity="warning" if failing else "information",
                        timeout=12 if failing else 6)

    def on_lesson_finished(self, message: LessonFinished) -> None:
        from simulator.scenario.library import lesson_path

        if self.recorder is None or message.trace is self._finished:
            return
        if message.trace.scenario not in {lesson.name for lesson in lesson_path()}:
            return  # a scenario file of one's own, or a live trace: not a lesson of the path
        self._finished = message.trace
        self.say(self.recorder.lesson_finished(message.trace.scenario))

    def on_prediction_answered(self, message: PredictionAnswered) -> None:
        if self.recorder is not None:
            self.say(self.recorder.predicted(message.scenario, message.prediction, message.choice))

    def lessons_done(self) -> frozenset[str]:
        """For the picker's ticks (empty without a record)."""
        return self.recorder.lessons_done() if self.recorder is not None else frozenset()

    def action_progress(self) -> None:
        from simulator.progress.store import ProgressError
        from simulator.ui.screens.progress import ProgressScreen

        if isinstance(self.screen, ProgressScreen):
            self.pop_screen()
            return
        if self.recorder is None:
            self.push_screen(ProgressScreen(None, "Progress is not recorded in this run."))
            return
        try:
            report = self.recorder.report()
        except ProgressError as exc:
            self.push_screen(ProgressScreen(None, f"Progress cannot be shown: {exc}."))
            return
        self.push_screen(ProgressScreen(report, self.recorder.problem))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Your progress", "Lessons done, accuracy by topic, the chart, what to review (g)",
                            self.action_progress)
