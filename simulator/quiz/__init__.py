"""Exam-prep quizzes generated from traces, so keyed answers always match the simulator."""

from __future__ import annotations

from typing import Any

__all__ = ["Question", "Topic", "build_quiz"]


def __getattr__(name: str) -> Any:
    # Imported on first use: building quizzes needs the scenario loader and the engine.
    if name == "build_quiz":
        from simulator.quiz.build import build_quiz
        return build_quiz
    if name == "Question":
        from simulator.quiz.model import Question
        return Question
    if name == "Topic":
        from simulator.scenario.topics import Topic
        return Topic
    raise AttributeError(f"module 'simulator.quiz' has no attribute {name!r}")
