"""The messages widgets and panels post to the screen that owns the player.

Widgets take data and say what the user did; only the player screen moves the
player, so every way of jumping (event list, topology) goes through here. The
fault panel is a screen of its own: its ``FaultsChanged`` bubbles to the app,
which hands it to the player.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from simulator.quiz.predict import Prediction
    from simulator.trace.events import Trace


class JumpTo(Message):
    """Show this step (an event list row was chosen)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class ActorClicked(Message):
    """An actor's box in the topology was clicked: go to its next step."""

    def __init__(self, actor_id: str) -> None:
        super().__init__()
        self.actor_id = actor_id


class FaultsChanged(Message):
    """The instructor switched faults on or off: run the open scenario again with ``names``."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names


class LessonFinished(Message):
    """The player showed the last step (the debrief) of ``trace``: the app records the lesson as done."""

    def __init__(self, trace: Trace) -> None:
        super().__init__()
        self.trace = trace


class PredictionAnswered(Message):
    """Predict mode: ``choice`` was given to ``prediction`` about ``scenario``; the app records it."""

    def __init__(self, scenario: str, prediction: Prediction, choice: str) -> None:
        super().__init__()
        self.scenario = scenario
        self.prediction = prediction
        self.choice = choice
