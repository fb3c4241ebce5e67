"""Exam-prep quizzes generated from traces, so keyed answers always match the simulator."""

from simulator.quiz.build import build_quiz
from simulator.quiz.model import Question

__all__ = ["Question", "build_quiz"]
