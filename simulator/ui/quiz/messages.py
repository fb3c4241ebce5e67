"""The messages of the quiz: what its widgets and screens tell their owners.

Widgets say what the user did; the question screen keeps the score, and the
app decides which screen comes next.
"""

from __future__ import annotations

from textual.message import Message

from simulator.ui.quiz.session import QuizSession


class ChoiceMade(Message):
    """A choice was picked (a key 1-4 / a-d, enter on the highlighted one, or a click)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class QuizOver(Message):
    """The quiz has ended: every question answered, or the time ran out. Show the results."""

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session
