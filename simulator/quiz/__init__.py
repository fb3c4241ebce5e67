"""Exam-prep quizzes generated from traces, so keyed answers always match the simulator."""

from __future__ import annotations

from typing import Any

__all__ = ["Question", "Topic", "build_quiz"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the scenario loader reads simulator.quiz.topics, and
    # building quizzes needs the scenario loader, so this package starts empty.
    if name == "build_quiz":
        from simulator.quiz.build import build_quiz
        return build_quiz
    if name == "Question":
        from simulator.quiz.model import Question
        return Question
    if name == "Topic":
        from simulator.quiz.topics import Topic
        return Topic
    raise AttributeError(f"module 'simulator.quiz' has no attribute {name!r}")
