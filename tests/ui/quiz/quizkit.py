"""Shared pieces of the quiz UI tests: a real seeded quiz, hand-made questions, a clock moved by hand."""

from __future__ import annotations

from simulator.quiz import Question, build_quiz
from simulator.quiz.model import Difficulty
from simulator.scenario import list_scenarios
from simulator.trace.events import Trace
from simulator.ui.quiz_app import QuizApp

SEED = 1
COUNT = 10
_REAL: list[tuple[Question, Trace]] = []


def real_quiz() -> list[tuple[Question, Trace]]:
    """The quiz ``smtpsim quiz --seed 1`` asks of the first four scenarios (built once per session)."""
    if not _REAL:
        _REAL.extend(build_quiz(list_scenarios()[:4], COUNT, SEED))
    return list(_REAL)


EMPTY_TRACE = Trace(scenario="lab", title="A hand-made lab", summary="", seed=0, actors=(), events=())


def hand_quiz(n: int = 8) -> list[tuple[Question, Trace]]:
    """``n`` authored-style questions with four choices; the answer of question i is choice i % 4."""
    levels = list(Difficulty)
    out = []
    for i in range(n):
        choices = tuple(f"choice {c} of question {i + 1}" for c in "ABCD")
        out.append((Question("lab", "authored", levels[i % 3], f"Question number {i + 1}?", choices,
                             choices[i % 4], f"Because {choices[i % 4]}.", f"RFC 5321 §{i + 1}", None), EMPTY_TRACE))
    return out


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_quiz_app(picked: list[tuple[Question, Trace]] | None = None, timer_minutes: int | None = None,
                  clock: FakeClock | None = None) -> QuizApp:
    """The app as ``smtpsim quiz`` starts it, animations off, on a clock that stands still unless moved."""
    app = QuizApp(real_quiz() if picked is None else picked, timer_minutes=timer_minutes,
                  clock=clock if clock is not None else FakeClock())
    app.animation_level = "none"
    return app


def key_of(question: Question, choice: str) -> str:
    """The digit key that picks ``choice``."""
    return str(question.choices.index(choice) + 1)


def wrong_choice(question: Question) -> str:
    return next(c for c in question.choices if c != question.answer)
