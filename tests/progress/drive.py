"""Run ``smtpsim quiz`` for real, with the app headless and keys pressed by a script.

``scripted(monkeypatch, choose)`` makes ``QuizApp.run`` run headless under an
autopilot: ``choose(question)`` gives the choice to pick, or None to leave
the quiz there (q, then y). What was asked and answered is returned in
``Drive.log`` as (question, choice) pairs, to check the record against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.quiz.model import Question
from simulator.ui.quiz_app import QuizApp

Choose = Callable[[Question], "str | None"]
_RUN = QuizApp.run  # the real one, whatever a test patched in since


@dataclass
class Drive:
    choose: Choose
    log: list[tuple[Question, str]] = field(default_factory=list)
    asked: list[Question] = field(default_factory=list)  # every question of the quiz, in order
    notices: list[str] = field(default_factory=list)  # what the app said in toasts
    results: tuple[str, ...] = ()  # the results screen's "what next"


def scripted(monkeypatch, choose: Choose) -> Drive:
    drive = Drive(choose)

    def run(self: QuizApp, **_: object):
        async def pilot_script(pilot) -> None:
            from simulator.ui.quiz.results import ResultsScreen

            self.animation_level = "none"
            await pilot.pause()
            session = self.session
            drive.asked = [session.question(i) for i in range(len(session))]
            for i in range(len(session)):
                q = session.question(i)
                choice = drive.choose(q)
                if choice is None:
                    await pilot.press("q", "y")
                    return
                await pilot.press(str(q.choices.index(choice) + 1))
                drive.log.append((q, choice))
                await pilot.press("n")
            await pilot.pause()
            assert isinstance(self.screen, ResultsScreen)
            drive.results = self.screen.next_lines
            await pilot.press("q")

        original_notify = self.notify

        def notify(message: str, **kw: object) -> None:
            drive.notices.append(message)
            original_notify(message, **kw)

        self.notify = notify  # type: ignore[method-assign]
        return _RUN(self, headless=True, size=(120, 40), auto_pilot=pilot_script)

    monkeypatch.setattr(QuizApp, "run", run)
    return drive


def wrong(q: Question) -> str:
    return q.distractors[0]
