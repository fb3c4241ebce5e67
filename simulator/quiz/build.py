"""Assemble a quiz: run scenarios, generate questions, pick a seeded selection."""

from __future__ import annotations

import random
from collections.abc import Sequence

from simulator.quiz.generate import GENERATORS
from simulator.quiz.model import Difficulty, Question
from simulator.run import run_scenario
from simulator.scenario.model import Scenario
from simulator.trace.events import Trace


def questions_for(scenario: Scenario, trace: Trace, rng: random.Random) -> list[Question]:
    """Every question this run supports: generated from its trace, plus the authored ones."""
    out: list[Question] = []
    for generate in GENERATORS:
        out.extend(generate(trace, rng))
    for q in scenario.quiz:
        choices = list(q.choices)
        rng.shuffle(choices)
        out.append(Question(scenario.name, "authored", Difficulty[q.difficulty.upper()], q.question,
                            tuple(choices), q.answer, q.explanation, q.rfc or "", None))
    return out


def build_quiz(
    scenarios: Sequence[Scenario],
    count: int,
    seed: int,
    *,
    difficulty: Difficulty | None = None,
) -> list[tuple[Question, Trace]]:
    """``count`` distinct questions (fewer if the scenarios cannot supply them), each with its trace.

    The same scenarios and seed give the same quiz: every random choice comes
    from one ``random.Random(seed)``.
    """
    rng = random.Random(seed)
    pool: list[tuple[Question, Trace]] = []
    seen: set[str] = set()
    for scenario in scenarios:
        trace = run_scenario(scenario)
        for q in questions_for(scenario, trace, rng):
            if difficulty is not None and q.difficulty != difficulty:
                continue
            if q.question in seen:
                continue
            seen.add(q.question)
            pool.append((q, trace))
    # Spread the quiz over question kinds before repeating one.
    rng.shuffle(pool)
    by_kind: dict[str, list[tuple[Question, Trace]]] = {}
    for item in pool:
        by_kind.setdefault(item[0].kind, []).append(item)
    picked: list[tuple[Question, Trace]] = []
    while len(picked) < count and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(picked) < count:
                picked.append(by_kind[kind].pop())
    # The round-robin above fixes which questions; the order is the seed's too.
    rng.shuffle(picked)
    return picked
