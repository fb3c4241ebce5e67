"""Shared pieces of the progress tests: answers at fixed times, a clock that stands still."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from simulator.progress.model import Answer, Source
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.scenario.topics import Topic

# A Tuesday evening, at a fixed offset: days and due dates do not depend on where the tests run.
TZ = timezone(timedelta(hours=2))
T0 = datetime(2025, 3, 4, 20, 0, tzinfo=TZ)


class Clock:
    """An aware ``now`` that moves only when told (a recorder's ``now``)."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def question(n: int, topics: tuple[Topic, ...] = (Topic.PORTS,), scenario: str = "lab") -> Question:
    """A made-up question number ``n`` on ``topics``: its key is choice "right n"."""
    return Question(scenario, QuestionKind.AUTHORED, Difficulty.EASY, f"Made-up question {n}?",
                    (f"right {n}", f"wrong {n} a", f"wrong {n} b", f"wrong {n} c"), f"right {n}",
                    f"Because right {n}.", "RFC 5321 §4.2", None, topics=topics)


def answer(q: Question, correct: bool, at: datetime = T0, source: Source = Source.QUIZ,
           session: int | None = None) -> Answer:
    chosen = q.answer if correct else q.distractors[0]
    return Answer(q.id, source, q.scenario, q.kind.value, q.topics, q.stem, q.answer, chosen, at, session)
