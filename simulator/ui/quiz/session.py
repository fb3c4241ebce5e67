"""A quiz in progress, in plain Python: the answers given, the score, the clock.

Nothing here knows about Textual, so the rules (one answer per question,
unanswered counts as wrong, time runs from a monotonic clock) are tested
without an app.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simulator.quiz.model import Difficulty, Question
from simulator.trace.events import Trace

Clock = Callable[[], float]
OnAnswer = Callable[[Question, str], None]  # told of each answer as it is given (the progress record)


@dataclass(frozen=True, slots=True)
class Tally:
    """How one group of questions went (a difficulty level, or a kind of question)."""

    label: str
    total: int
    right: int

    @property
    def percent(self) -> int:
        return percent(self.right, self.total)


def percent(right: int, total: int) -> int:
    """Whole percent, rounded half up (0 for an empty quiz)."""
    return math.floor(100 * right / total + 0.5) if total else 0


class QuizSession:
    """The questions, and the choice made for each (None until answered)."""

    def __init__(self, picked: Sequence[tuple[Question, Trace]], on_answer: OnAnswer | None = None) -> None:
        if not picked:
            raise ValueError("a quiz needs at least one question")
        self.items: tuple[tuple[Question, Trace], ...] = tuple(picked)
        self.on_answer = on_answer
        self.answers: list[str | None] = [None] * len(self.items)
        self.timed_out = False
        self.finished = False

    def __len__(self) -> int:
        return len(self.items)

    def question(self, index: int) -> Question:
        return self.items[index][0]

    def trace(self, index: int) -> Trace:
        return self.items[index][1]

    def answer(self, index: int, choice: str) -> bool:
        """Record ``choice`` for question ``index``; True if it is right. Each question is answered once."""
        question = self.question(index)
        if self.finished:
            raise RuntimeError("the quiz is over")
        if self.answers[index] is not None:
            raise RuntimeError(f"question {index + 1} is already answered")
        if choice not in question.choices:
            raise ValueError(f"{choice!r} is not a choice of question {index + 1}")
        self.answers[index] = choice
        if self.on_answer is not None:
            self.on_answer(question, choice)  # saved before the verdict shows
        return choice == question.answer

    def is_answered(self, index: int) -> bool:
        return self.answers[index] is not None

    def is_right(self, index: int) -> bool:
        return self.answers[index] == self.question(index).answer

    @property
    def right(self) -> int:
        return sum(self.is_right(i) for i in range(len(self)))

    @property
    def answered(self) -> int:
        return sum(a is not None for a in self.answers)

    @property
    def percent(self) -> int:
        return percent(self.right, len(self))

    def finish(self, *, timed_out: bool = False) -> None:
        """End the quiz; whatever is still unanswered counts as wrong."""
        self.finished = True
        self.timed_out = self.timed_out or timed_out

    def wrong(self) -> list[int]:
        """Indices of the questions answered wrongly or not at all, in quiz order."""
        return [i for i in range(len(self)) if not self.is_right(i)]

    def by_difficulty(self) -> list[Tally]:
        """One tally per difficulty that the quiz contains, easiest first."""
        out = []
        for level in Difficulty:
            indices = [i for i in range(len(self)) if self.question(i).difficulty is level]
            if indices:
                out.append(Tally(level.name.lower(), len(indices), sum(self.is_right(i) for i in indices)))
        return out

    def by_kind(self) -> list[Tally]:
        """One tally per kind of question (``Question.kind``), in order of first appearance."""
        groups: dict[str, list[int]] = {}
        for i in range(len(self)):
            groups.setdefault(self.question(i).kind, []).append(i)
        return [Tally(kind, len(ix), sum(self.is_right(i) for i in ix)) for kind, ix in groups.items()]


class Countdown:
    """Time left of ``seconds``, measured from :meth:`start` on ``clock`` (monotonic by default).

    The elapsed time is always worked out from the clock, never counted in
    ticks, so a late or missed tick cannot make the quiz run long; tests pass a
    clock they move by hand.
    """

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.started: float | None = None

    def start(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def remaining(self) -> float:
        if self.started is None:
            return self.seconds
        return max(0.0, self.seconds - (self.clock() - self.started))

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


def format_mmss(seconds: float) -> str:
    """``mm:ss``, rounded up so that 00:00 shows only when the time is out (minutes may pass 99)."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"
