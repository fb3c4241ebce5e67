"""The messages widgets and panels post to the screen that owns the player.

Widgets take data and say what the user did; only the player screen moves the
player, so every way of jumping (event list, topology) goes through here. The
fault panel is a screen of its own: its ``FaultsChanged`` bubbles to the app,
which hands it to the player.
"""

from __future__ import annotations

from textual.message import Message


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
