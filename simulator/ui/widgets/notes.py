"""The instructor's notes (``i``): the key moment at or before this step, and the questions to ask there."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from simulator.trace.chapters import Outline


class NotesPanel(Static):
    """Hidden until ``i``; it follows the player while shown."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.display = False
        self.text = ""  # what it shows, as plain text (for tests)

    def show(self, outline: Outline, index: int) -> None:
        if not self.display:
            return
        body = notes_text(outline, index)
        self.text = "\n".join(line.plain for line in body.renderables if isinstance(line, Text))
        self.update(body)


def notes_text(outline: Outline, index: int) -> Group:
    """The moment this step belongs to (the last one at or before it, else the first) and its questions."""
    if not outline.moments:
        lines = [Text("Instructor notes", style="bold"),
                 Text("This lesson names no key moment; k goes to its first failure, ! to the next one.")]
        return Group(*lines)
    earlier = [m for m in outline.moments if m.index <= index]
    moment = earlier[-1] if earlier else outline.moments[0]
    here = " (this step)" if moment.index == index else f" (step {moment.index + 1}; k goes there)"
    lines = [Text(f"★ {moment.title}{here}", style="bold")]
    for note in moment.notes:
        lines.append(Text(f"• {note}"))
    if not moment.notes:
        lines.append(Text("(no notes for this moment)", style="dim"))
    return Group(*lines)
