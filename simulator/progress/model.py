"""What the progress record holds, as frozen dataclasses (the store turns rows into these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from simulator.scenario.topics import Topic


class Source(str, Enum):
    """Where an answer was given."""

    QUIZ = "quiz"  # smtpsim quiz
    REVIEW = "review"  # smtpsim quiz --review
    PREDICT = "predict"  # the player's predict mode (x)


class SessionKind(str, Enum):
    QUIZ = "quiz"
    REVIEW = "review"


@dataclass(frozen=True)
class Answer:
    """One answered question, as it was asked: enough to report on it even if a later bank drops it."""

    question_id: str  # simulator.quiz.model.Question.id (derived from the stem and the key)
    source: Source
    scenario: str
    kind: str  # the question kind (or the prediction's kind)
    topics: tuple[Topic, ...]
    question: str  # the stem
    answer: str  # the keyed answer
    chosen: str
    at: datetime  # aware: when, and the learner's local day (``day``) at the time
    session: int | None = None  # the quiz session it belongs to (None: predict mode)

    @property
    def correct(self) -> bool:
        return self.chosen == self.answer

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class LessonFinish:
    """A lesson played to its last step (the debrief)."""

    lesson: str
    at: datetime


@dataclass(frozen=True)
class QuizSessionInfo:
    """A quiz as it was started: its questions in order, and when it ended (None: left half-way)."""

    id: int
    kind: SessionKind
    started: datetime
    finished: datetime | None
    questions: tuple[str, ...]  # question ids, in the order asked
    answered: tuple[str, ...]  # the ids answered so far in it

    @property
    def unanswered(self) -> tuple[str, ...]:
        done = set(self.answered)
        return tuple(q for q in self.questions if q not in done)


def topics_from_text(text: str) -> tuple[Topic, ...]:
    """Topics stored as space-separated values; a value this release does not know is skipped."""
    out = []
    for value in text.split():
        try:
            out.append(Topic(value))
        except ValueError:
            continue
    return tuple(out)


def topics_to_text(topics: tuple[Topic, ...]) -> str:
    return " ".join(t.value for t in topics)
