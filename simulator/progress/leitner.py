"""Leitner boxes: which questions are due for review, worked out from the answers alone.

Five boxes. A question answered wrongly goes to box 1, due again at once
(the next ``--review``); answered rightly it moves up a box, and comes back
after that box's interval: 1, 3, 7, then 14 days. A first answer that is
right puts the question in box 2 (back tomorrow: one right answer in four
choices may be a guess). Days are the learner's local calendar days, so a
question due "tomorrow" is due all of tomorrow evening, whatever the hour.

Why Leitner and not SM-2: a multiple-choice quiz knows only right or wrong,
while SM-2 wants a 0-5 grade of recall per answer and tunes an ease factor
over many repetitions, which an exam a week or two away does not have. The
boxes are also easy to explain ("box 3: back in a week"). See docs/teaching.md.

The state is never stored: it is replayed from the answer history each time,
so it cannot disagree with the answers, and two processes answering at once
cannot overwrite each other's box.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from simulator.progress.model import Answer, Source

BOXES = 5
INTERVAL_DAYS = {1: 0, 2: 1, 3: 3, 4: 7, 5: 14}  # a question in box b is due this many days after its answer
LEARNED = 4  # from this box on a question counts as learned in the report


@dataclass(frozen=True)
class Card:
    """Where one question stands."""

    question_id: str
    box: int
    due: date
    answered: int  # times
    right: int
    last_correct: bool
    last_day: date

    def is_due(self, today: date) -> bool:
        return self.due <= today


def next_box(box: int | None, correct: bool) -> int:
    """The box after an answer; ``box`` None for a question never answered before."""
    if not correct:
        return 1
    if box is None:
        return 2
    return min(BOXES, box + 1)


def replay(answers: Iterable[Answer]) -> dict[str, Card]:
    """Every question's card after ``answers`` (oldest first). Predict mode's answers are not cards:
    the player asks them about its own trace, and a quiz cannot ask them again."""
    cards: dict[str, Card] = {}
    for a in answers:
        if a.source is Source.PREDICT:
            continue
        before = cards.get(a.question_id)
        box = next_box(before.box if before else None, a.correct)
        cards[a.question_id] = Card(
            a.question_id, box, a.day + timedelta(days=INTERVAL_DAYS[box]),
            (before.answered if before else 0) + 1, (before.right if before else 0) + a.correct,
            a.correct, a.day)
    return cards


def due_cards(cards: dict[str, Card], today: date) -> list[Card]:
    """The due cards, most in need first: the lowest box, then the longest overdue."""
    return sorted((c for c in cards.values() if c.is_due(today)), key=lambda c: (c.box, c.due, c.question_id))
