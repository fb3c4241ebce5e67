"""``smtpsim quiz --review``: which questions to ask, from the bank and the answer history.

Due questions first (Leitner, :mod:`simulator.progress.leitner`): the ones
missed last time, then the ones whose interval is up. The rest of the quiz
is new questions, never answered, from the weakest topics: round the topics
weakest first, one question each, so a single weak topic does not fill the
whole quiz. Two questions of which one answers the other are never asked
together (the same rule as ``build_quiz``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from simulator.progress.leitner import due_cards, replay
from simulator.progress.model import Answer
from simulator.progress.report import topic_scores, weakness_order
from simulator.quiz.itemcheck import answer_each_other
from simulator.quiz.model import Question



@dataclass(frozen=True)
class ReviewPlan:
    """What ``--review`` asks: ``due`` then ``new`` (indices into the bank), and what was left for later."""

    due: tuple[int, ...]
    new: tuple[int, ...]
    due_left: int  # due questions that did not fit in the count
    next_due: date | None  # when the next question not yet due falls due

    @property
    def order(self) -> tuple[int, ...]:
        return self.due + self.new


def plan_review(bank: Sequence[Question], answers: Sequence[Answer], count: int, today: date,
                seed: int = 1) -> ReviewPlan:
    """Up to ``count`` questions of ``bank`` to review today, given the ``answers`` so far (oldest first)."""
    cards = replay(answers)
    index = {q.id: i for i, q in enumerate(bank)}
    picked: list[int] = []

    def fits(i: int) -> bool:
        return not any(answer_each_other(bank[i], bank[j]) or bank[i].question == bank[j].question for j in picked)

    due_in_bank = [index[c.question_id] for c in due_cards(cards, today) if c.question_id in index]
    for i in due_in_bank:
        if len(picked) < count and fits(i):
            picked.append(i)
    due = tuple(picked)
    due_left = sum(1 for i in due_in_bank if i not in picked)

    rng = random.Random(seed)
    order = weakness_order(topic_scores(answers))
    fresh: dict[object, list[int]] = {t: [] for t in order}
    for i, q in enumerate(bank):
        if q.id in cards or not q.topics:
            continue
        weakest = min(q.topics, key=order.index)  # a question goes with its weakest topic
        fresh[weakest].append(i)
    for pool in fresh.values():
        rng.shuffle(pool)
    while len(picked) < count and any(fresh.values()):
        for t in order:
            pool = fresh[t]
            while pool and len(picked) < count:
                i = pool.pop()
                if fits(i):
                    picked.append(i)
                    break
    later = [c.due for c in cards.values() if c.due > today]
    return ReviewPlan(due, tuple(picked[len(due):]), due_left, min(later) if later else None)
