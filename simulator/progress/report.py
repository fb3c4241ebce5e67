"""The progress report: lessons done, answers, accuracy per topic over time, what to review.

Built from what the store returns and the lesson path, as frozen data;
``smtpsim progress --json`` prints :meth:`ProgressReport.to_json`, the text
and the player's screen render it (:mod:`simulator.progress.render`).

"Weakest" ranks topics by ``(right + 1) / (answered + 2)`` (Laplace's rule):
one unlucky answer out of one weighs less than five out of ten, and a topic
never tried sits at one half, between the weak and the strong ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from simulator.progress.leitner import LEARNED, Card, replay
from simulator.progress.model import Answer, LessonFinish, Source
from simulator.scenario.topics import Topic

WEAKEST = 3  # topics named as the weakest
MISSED = 5  # questions listed as "missed last time"


@dataclass(frozen=True)
class Score:
    answered: int = 0
    right: int = 0

    @property
    def percent(self) -> int | None:
        """Whole percent right, rounded half up; None before any answer."""
        return (200 * self.right + self.answered) // (2 * self.answered) if self.answered else None

    @property
    def smoothed(self) -> float:
        """What ranks the weakest: (right + 1) / (answered + 2)."""
        return (self.right + 1) / (self.answered + 2)

    def add(self, correct: bool) -> Score:
        return Score(self.answered + 1, self.right + correct)

    def to_json(self) -> dict[str, Any]:
        return {"answered": self.answered, "right": self.right, "percent": self.percent}


@dataclass(frozen=True)
class DayScore:
    day: date
    score: Score

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), **self.score.to_json()}


@dataclass(frozen=True)
class TopicReport:
    topic: Topic
    score: Score
    days: tuple[DayScore, ...]  # the days this topic was answered, oldest first

    @property
    def trend(self) -> int | None:
        """The last day's percent minus the percent of all the days before it (None with one day)."""
        if len(self.days) < 2:
            return None
        before = Score(sum(d.score.answered for d in self.days[:-1]), sum(d.score.right for d in self.days[:-1]))
        last, earlier = self.days[-1].score.percent, before.percent
        return None if last is None or earlier is None else last - earlier

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic.value, "label": self.topic.label, **self.score.to_json(), "trend": self.trend,
                "days": [d.to_json() for d in self.days]}


@dataclass(frozen=True)
class LessonReport:
    name: str
    title: str
    level: str
    times: int  # finished this many times
    last: date | None

    @property
    def done(self) -> bool:
        return self.times > 0

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "level": self.level, "done": self.done,
                "times": self.times, "last": self.last.isoformat() if self.last else None}


@dataclass(frozen=True)
class QuestionReport:
    """One question answered at least once (predict mode's included: box and due are None for those)."""

    id: str
    source: str  # where it was last answered
    scenario: str
    kind: str
    topics: tuple[Topic, ...]
    question: str
    answer: str
    answered: int
    right: int
    last_chosen: str
    last_day: date
    box: int | None
    due: date | None

    @property
    def last_correct(self) -> bool:
        return self.last_chosen == self.answer

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "scenario": self.scenario, "kind": self.kind,
                "topics": [t.value for t in self.topics], "question": self.question, "answer": self.answer,
                "answered": self.answered, "right": self.right, "last_chosen": self.last_chosen,
                "last_correct": self.last_correct, "last_day": self.last_day.isoformat(),
                "box": self.box, "due": self.due.isoformat() if self.due else None}


@dataclass(frozen=True)
class ReviewOutlook:
    due_now: int  # questions due today or before (box 1: missed last time)
    learning: int  # in boxes 1 to 3
    learned: int  # in boxes 4 and 5
    next_due: date | None  # the first day after today on which something is due

    def to_json(self) -> dict[str, Any]:
        return {"due_now": self.due_now, "learning": self.learning, "learned": self.learned,
                "next_due": self.next_due.isoformat() if self.next_due else None}


@dataclass(frozen=True)
class ProgressReport:
    profile: str
    database: str
    today: date
    lessons: tuple[LessonReport, ...]
    total: Score
    by_source: dict[Source, Score]
    topics: tuple[TopicReport, ...]  # every topic of the list, in its order
    weakest: tuple[Topic, ...]
    days: tuple[DayScore, ...]  # every study day, all topics together
    review: ReviewOutlook
    questions: tuple[QuestionReport, ...] = field(default=())  # in the order first answered

    @property
    def lessons_done(self) -> int:
        return sum(lesson.done for lesson in self.lessons)

    @property
    def missed(self) -> tuple[QuestionReport, ...]:
        """Questions whose last answer was wrong, the latest first (at most MISSED)."""
        wrong = [q for q in self.questions if not q.last_correct]
        wrong.sort(key=lambda q: q.last_day, reverse=True)
        return tuple(wrong[:MISSED])

    def topic(self, topic: Topic) -> TopicReport:
        return next(t for t in self.topics if t.topic is topic)

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "database": self.database,
            "today": self.today.isoformat(),
            "lessons": {"done": self.lessons_done, "total": len(self.lessons),
                        "list": [lesson.to_json() for lesson in self.lessons]},
            "answers": {**self.total.to_json(), "questions": len(self.questions),
                        "by_source": {s.value: score.to_json() for s, score in self.by_source.items()}},
            "topics": [t.to_json() for t in self.topics],
            "weakest": [t.value for t in self.weakest],
            "days": [d.to_json() for d in self.days],
            "review": self.review.to_json(),
            "questions": [q.to_json() for q in self.questions],
        }


def topic_scores(answers: Iterable[Answer]) -> dict[Topic, Score]:
    """Every topic of the list with its score (an answer counts for each of its topics)."""
    scores = {t: Score() for t in Topic}
    for a in answers:
        for t in a.topics:
            scores[t] = scores[t].add(a.correct)
    return scores


def weakness_order(scores: dict[Topic, Score]) -> list[Topic]:
    """All topics, weakest first (untried ones in the middle, at one half); the list's order breaks ties."""
    order = list(Topic)
    return sorted(scores, key=lambda t: (scores[t].smoothed, order.index(t)))


def weakest_topics(scores: dict[Topic, Score], limit: int = WEAKEST) -> tuple[Topic, ...]:
    """The weakest tried topics, leaving out any answered all right."""
    weak = [t for t in weakness_order(scores) if scores[t].right < scores[t].answered]
    return tuple(weak[:limit])


def _days(answers: Iterable[Answer]) -> tuple[DayScore, ...]:
    by_day: dict[date, Score] = {}
    for a in answers:
        by_day[a.day] = by_day.get(a.day, Score()).add(a.correct)
    return tuple(DayScore(d, s) for d, s in sorted(by_day.items()))


class LessonLike(Protocol):
    """What the report reads of a lesson (simulator.scenario.library.Lesson has it)."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def level(self) -> str: ...


def build_report(answers: Sequence[Answer], finishes: Sequence[LessonFinish], lessons: Sequence[LessonLike], *,
                 today: date, profile: str = "default", database: str = "") -> ProgressReport:
    """The report on ``answers`` and ``finishes`` (oldest first), with ``lessons`` the lesson path."""
    finished: dict[str, list[date]] = {}
    for f in finishes:
        finished.setdefault(f.lesson, []).append(f.at.date())
    lesson_reports = tuple(LessonReport(lesson.name, lesson.title, lesson.level, len(finished.get(lesson.name, [])),
                                        max(finished[lesson.name]) if lesson.name in finished else None)
                           for lesson in lessons)
    total = Score()
    by_source: dict[Source, Score] = {}
    for a in answers:
        total = total.add(a.correct)
        by_source[a.source] = by_source.get(a.source, Score()).add(a.correct)
    scores = topic_scores(answers)
    topics = tuple(TopicReport(t, scores[t], _days(a for a in answers if t in a.topics)) for t in Topic)
    cards = replay(answers)
    return ProgressReport(
        profile=profile, database=database, today=today, lessons=lesson_reports, total=total,
        by_source=by_source, topics=topics, weakest=weakest_topics(scores), days=_days(answers),
        review=_outlook(cards, today), questions=_questions(answers, cards))


def _outlook(cards: dict[str, Card], today: date) -> ReviewOutlook:
    later = [c.due for c in cards.values() if c.due > today]
    return ReviewOutlook(due_now=sum(c.is_due(today) for c in cards.values()),
                         learning=sum(c.box < LEARNED for c in cards.values()),
                         learned=sum(c.box >= LEARNED for c in cards.values()),
                         next_due=min(later) if later else None)


def _questions(answers: Sequence[Answer], cards: dict[str, Card]) -> tuple[QuestionReport, ...]:
    seen: dict[str, QuestionReport] = {}
    for a in answers:
        before = seen.get(a.question_id)
        card = cards.get(a.question_id)
        seen[a.question_id] = QuestionReport(
            a.question_id, a.source.value, a.scenario, a.kind, a.topics, a.question, a.answer,
            (before.answered if before else 0) + 1, (before.right if before else 0) + a.correct, a.chosen, a.day,
            card.box if card else None, card.due if card else None)
    return tuple(seen.values())
