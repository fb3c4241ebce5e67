"""The pooled bank the quiz tests read: every shipped scenario's questions, built once per process."""

from __future__ import annotations

import functools

from simulator.quiz.build import pooled_bank, questions_for
from simulator.quiz.model import Question
from simulator.run import run_scenario
from simulator.scenario import list_scenarios
from simulator.scenario.model import Scenario
from simulator.trace.events import Trace


@functools.cache
def bank(seed: int = 1) -> tuple[tuple[Question, Trace], ...]:
    """What an instructor exporting every lesson into one question bank gets: each question once."""
    return tuple(pooled_bank(list_scenarios(), seed))


def questions(seed: int = 1) -> list[Question]:
    return [q for q, _ in bank(seed)]


@functools.cache
def lessons() -> tuple[Scenario, ...]:
    return tuple(list_scenarios())


@functools.cache
def trace_of(name: str) -> Trace:
    return run_scenario(next(s for s in lessons() if s.name == name))


@functools.cache
def lesson_questions(name: str) -> tuple[Question, ...]:
    """Every question one lesson asks (before the bank removes copies of questions other lessons ask too)."""
    import random

    scenario = next(s for s in lessons() if s.name == name)
    return tuple(questions_for(scenario, trace_of(name), random.Random(1)))
