"""What the current step does and why: the line, its hop and protection, the
reply code in words, the explanation, and the RFC section.

Drawn with the Line API (the text is wrapped once per step) so that a new
step never makes the screen lay itself out again.
"""

from __future__ import annotations

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from simulator.ui.tracemodel import BADGES, TraceModel, reply_meaning
from simulator.ui.widgets.lineview import LineView
from simulator.ui.widgets.styles import CachedStyles


class Explanation(CachedStyles, LineView, can_focus=False):
    """A scrollable panel about one step."""

    COMPONENT_CLASSES = {
        "explanation--line", "explanation--code", "explanation--rfc", "explanation--dim", "explanation--badge",
        "explanation--right", "explanation--wrong",
    }

    empty_text = "This trace has no steps."  # what it says with no step to explain (or while a run is on)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._model: TraceModel | None = None
        self._index = 0
        self._note: Text | None = None
        self._right: bool | None = None
        self._lines: list[Strip] = []

    def set_trace(self, model: TraceModel) -> None:
        self._model = model
        self._index = 0

    def show(self, index: int, note: Text | None = None, right: bool | None = None) -> None:
        """Step ``index``; ``note`` (a prediction's verdict, ``right`` or not) goes above it."""
        self._index = index
        self._note = note
        self._right = right
        self._wrap()
        self.scroll_to(y=0, animate=False, immediate=True, force=True)

    @property
    def text(self) -> str:
        """The panel's text (for tests)."""
        return "\n".join(strip.text.rstrip() for strip in self._lines)

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            self._lines = []
            return
        console = self.app.console
        lines = console.render_lines(self._body(), console.options.update_width(width), style=self.base_style)
        self._lines = [Strip(line, width) for line in lines]
        self.set_rows(len(self._lines))
        self.refresh()

    def on_resize(self) -> None:
        self._wrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # After the refresh: by then the new theme's colours are in the component styles.
        if self._model is not None and self.is_mounted:
            self.call_after_refresh(self._wrap)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if row < len(self._lines):
            return self._lines[row].adjust_cell_length(width, self.base_style)
        return Strip.blank(width, self.base_style)

    def _body(self) -> Group:
        model = self._model
        if model is None or not len(model):
            return Group(Text(self.empty_text))
        event = model.events[self._index]
        hop = model.hops[self._index]

        def style(name: str) -> Style:
            return self.span(name)

        parts: list[Text] = []
        if self._note is not None:
            note = self._note.copy()
            if self._right is not None:
                end = note.plain.find("\n")
                note.stylize(style("explanation--right" if self._right else "explanation--wrong"), 0,
                             end if end >= 0 else len(note))
            parts.extend((note, Text("")))
        side = model.side(event)
        said = Text()
        if side is not None:
            said.append(f"{side.value}: ", "bold")
        if event.content:
            said.append(f"message content, {len(event.text.splitlines())} lines (c folds and unfolds it)")
        else:
            said.append(event.text.expandtabs(8))
        said.stylize(style("explanation--line"))
        parts.append(said)
        parts.append(Text(f"{event.kind.value} · {hop.text()}", style("explanation--dim")))
        if BADGES[hop.protection]:
            parts.append(Text(BADGES[hop.protection], style("explanation--badge")))
        # The decoded reply code before the prose: two short lines that stay in view on a small screen.
        meaning = reply_meaning(event)
        if meaning:
            parts.append(Text(""))
            for line in meaning:
                code, _, words = line.partition(": ")
                row = Text(code, style("explanation--code"))
                row.append(f"  {words}" if words else "")
                parts.append(row)
        parts.append(Text(""))
        parts.append(Text(event.explain or "(no explanation for this step)"))
        if event.rfc:
            parts.append(Text(""))
            parts.append(Text(event.rfc, style("explanation--rfc")))
        return Group(*parts)
