"""Assemble a quiz: run scenarios, generate questions, pick a seeded selection.

The pooled bank is what an instructor gets exporting several lessons into
one question bank: every scenario's generated and authored questions, one
copy of each (by id). A quiz drawn from it spreads over question kinds and
never holds two questions of which one answers the other, nor one wording twice.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from simulator.quiz.generate import GENERATORS
from simulator.quiz.itemcheck import answer_each_other
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.run import run_scenario
from simulator.scenario.model import Scenario
from simulator.scenario.topics import Topic
from simulator.trace.events import Trace


def questions_for(scenario: Scenario, trace: Trace, rng: random.Random) -> list[Question]:
    """Every question this run supports: generated from its trace, plus the authored ones."""
    out: list[Question] = []
    for generate in GENERATORS:
        out.extend(generate(trace, rng))
    for q in scenario.quiz:
        choices = list(q.choices)
        rng.shuffle(choices)
        out.append(Question(scenario.name, QuestionKind.AUTHORED, Difficulty[q.difficulty.upper()], q.question,
                            tuple(choices), q.answer, q.explanation, q.rfc or "", None,
                            topics=q.topics or scenario.topics))
    return out


def on_topics(question: Question, topics: Collection[Topic]) -> bool:
    """Is ``question`` about any of ``topics`` (every question, when ``topics`` is empty)?"""
    return not topics or any(t in topics for t in question.topics)


def pooled_bank(scenarios: Sequence[Scenario], seed: int = 1) -> list[tuple[Question, Trace]]:
    """Every question of every scenario, each once (the first scenario that asks it keeps it)."""
    rng = random.Random(seed)
    bank: list[tuple[Question, Trace]] = []
    seen: set[str] = set()
    for scenario in scenarios:
        trace = run_scenario(scenario)
        for q in questions_for(scenario, trace, rng):
            if q.id not in seen:
                seen.add(q.id)
                bank.append((q, trace))
    return bank


def build_quiz(
    scenarios: Sequence[Scenario],
    count: int,
    seed: int,
    *,
    difficulty: Difficulty | None = None,
    topics: Collection[Topic] = (),
) -> list[tuple[Question, Trace]]:
    """``count`` distinct questions (fewer if the scenarios cannot supply them), each with its trace.

    The same scenarios and seed give the same quiz: every random choice comes
    from one ``random.Random(seed)``. ``topics`` narrows the quiz to questions
    on any of them (empty: every topic).
    """
    rng = random.Random(seed)
    pool = [item for item in pooled_bank(scenarios, rng.randrange(2**32))
            if (difficulty is None or item[0].difficulty == difficulty) and on_topics(item[0], topics)]
    # Spread the quiz over question kinds before repeating one.
    rng.shuffle(pool)
    by_kind: dict[QuestionKind, list[tuple[Question, Trace]]] = {}
    for item in pool:
        by_kind.setdefault(item[0].kind, []).append(item)
    picked: list[tuple[Question, Trace]] = []
    while len(picked) < count and any(by_kind.values()):
        for kind in sorted(by_kind):
            candidates = by_kind[kind]
            while candidates and len(picked) < count:
                item = candidates.pop()
                # Nor the same wording twice (two exhibits under one sentence read as a repeat).
                if not any(answer_each_other(item[0], q) or item[0].question == q.question for q, _ in picked):
                    picked.append(item)
                    break
    # The round-robin above fixes which questions; the order is the seed's too.
    rng.shuffle(picked)
    return picked
