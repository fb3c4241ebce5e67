"""The protocol lines so far, grouped per connection, the current step lit.

A Line API widget: the rows of the whole trace are laid out once as a few
integer arrays, and only the rows on screen are ever rendered. A step adds
or takes away just its own rows (a jump filters them all again), so a
10,000-event trace steps as fast as a short one.
"""

from __future__ import annotations

from bisect import bisect_left, insort

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from simulator.trace.events import Direction, Kind, TLSMode
from simulator.ui.tracemodel import TraceModel
from simulator.ui.widgets.lineview import LineView
from simulator.ui.widgets.styles import CachedStyles

HEADER, LINE, FOLD, CONTENT = range(4)
_TAGS = {Kind.TCP: "(tcp) ", Kind.TLS: "(tls) ", Kind.QUEUE: "(queue) ", Kind.DELIVER: "(deliver) ",
         Kind.BOUNCE: "(bounce) ", Kind.NOTE: "(note) "}
_KIND_CLASS = {Kind.TCP: "transcript--meta", Kind.TLS: "transcript--tls", Kind.QUEUE: "transcript--meta",
               Kind.NOTE: "transcript--meta", Kind.DELIVER: "transcript--event", Kind.BOUNCE: "transcript--bounce"}


class Transcript(CachedStyles, LineView, can_focus=False):
    """Events ``0..index`` as lines; content folds to one line (``c`` unfolds it)."""

    COMPONENT_CLASSES = {
        "transcript--header", "transcript--client", "transcript--server", "transcript--meta",
        "transcript--tls", "transcript--event", "transcript--bounce", "transcript--content",
        "transcript--current", "transcript--cursor", "transcript--lock",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._model: TraceModel | None = None
        self.unfolded = False
        self._index = 0
        # One entry per row: what it is, which event it belongs to, and a number
        # (a content line's index, or a folded content's line count).
        self._kinds: list[int] = []
        self._events: list[int] = []
        self._args: list[int] = []
        self._gate: list[int] = []
        self._starts: list[int] = []  # each step's first row (after its group header)
        self._ends: list[int] = []  # ... and the row after its last
        self._shown: list[int] = []  # the rows on show at the current step, in order
        self._shown_for = -1
        self._revealed: dict[int, list[int]] = {}
        self._content: dict[int, list[str]] = {}
        self._cache: LRUCache[tuple[int, bool], Strip] = LRUCache(512)

    # -- data -----------------------------------------------------------------------
    def set_trace(self, model: TraceModel) -> None:
        self._model = model
        self._content = {i: e.text.expandtabs(8).split("\r\n")
                         for i, e in enumerate(model.events) if e.content}
        self._layout()
        self.show(0)

    def set_unfolded(self, unfolded: bool) -> None:
        self.unfolded = unfolded
        self._layout()
        self.show(self._index)

    def _layout(self) -> None:
        """Rows of the whole trace: each group's lines together, groups in order of first step.

        Steps of different connections interleave in time (a server looks up
        DNS while its client says QUIT); keeping each connection's lines under
        one header reads better than a new header at every switch (see
        :meth:`TraceModel.transcript_groups`).
        """
        model = self._model
        assert model is not None
        groups = model.transcript_groups()
        kinds: list[int] = []
        evs: list[int] = []
        args: list[int] = []
        gate: list[int] = []  # the step from which a row is shown
        starts = [0] * len(model.events)
        ends = [0] * len(model.events)
        for steps in groups:
            kinds.append(HEADER), evs.append(steps[0]), args.append(0), gate.append(steps[0])
            for i in steps:
                starts[i] = len(kinds)
                if model.events[i].content:
                    count = len(self._content[i])
                    kinds.append(FOLD), evs.append(i), args.append(count), gate.append(i)
                    if self.unfolded:
                        kinds.extend([CONTENT] * count)
                        evs.extend([i] * count)
                        args.extend(range(count))
                        gate.extend([i] * count)
                else:
                    kinds.append(LINE), evs.append(i), args.append(0), gate.append(i)
                ends[i] = len(kinds)
        self._kinds, self._events, self._args, self._gate = kinds, evs, args, gate
        self._starts, self._ends = starts, ends
        self._revealed = {}  # step -> the rows it brings on show
        for row, step in enumerate(gate):
            self._revealed.setdefault(step, []).append(row)
        self._shown = []
        self._shown_for = -1
        self._cache.clear()

    # -- position -----------------------------------------------------------------------
    def show(self, index: int) -> None:
        """Lines up to step ``index``; that step lit and scrolled into view."""
        self._index = index
        if not self._ends:
            self._shown = []
        elif self._shown_for == index - 1:
            # One step on (the common case): add its rows rather than filter them all again.
            for row in self._revealed.get(index, ()):
                insort(self._shown, row)
        elif self._shown_for == index + 1:
            for row in self._revealed.get(index + 1, ()):
                self._shown.pop(bisect_left(self._shown, row))
        elif self._shown_for != index:
            self._shown = [r for r, g in enumerate(self._gate) if g <= index]
        self._shown_for = index
        self.set_rows(len(self._shown))
        self._keep_in_view()
        self.refresh()

    def _current_span(self) -> tuple[int, int]:
        """Where the current step's rows are among the shown rows."""
        start = bisect_left(self._shown, self._starts[self._index])
        return start, start + self._ends[self._index] - self._starts[self._index]

    def _keep_in_view(self) -> None:
        height = self.scrollable_content_region.height
        if not self._ends or height <= 0:
            return
        first, last = self._current_span()
        top = self.scroll_offset.y
        if last - first > height or first < top:
            # Its group header too, when it is the group's first line.
            top = first - 1 if first > 0 and self._kinds[self._shown[first - 1]] == HEADER else first
        elif last > top + height:
            top = last - height
        self.scroll_to(y=max(0, top), animate=False, immediate=True, force=True)

    @property
    def current_text(self) -> str:
        """The plain text of the lit rows (for tests)."""
        if not self._ends:
            return ""
        rows = range(self._starts[self._index], self._ends[self._index])
        return "\n".join(self._row_text(r).plain for r in rows)

    def visible_text(self) -> str:
        """All rows shown so far, as plain text."""
        return "\n".join(self._row_text(r).plain for r in self._shown)

    def on_resize(self) -> None:
        self._cache.clear()
        self.set_rows(len(self._shown))
        self._keep_in_view()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # -- drawing -------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        position = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if position >= len(self._shown):
            return Strip.blank(width, self.base_style)
        row = self._shown[position]
        # Unfolded content stays unlit: a screenful of colour would hide the line that matters.
        current = self._starts[self._index] <= row < self._ends[self._index] and self._kinds[row] != CONTENT
        key = (row, current)
        strip = self._cache.get(key)
        if strip is None or strip.cell_length != width:
            text = self._row_text(row, styled=True)
            base = self.base_style
            if current:
                base = base + self.get_component_rich_style("transcript--current")
            elif self._kinds[row] == HEADER:  # a band across the width, not just under the words
                base = base + self.get_component_rich_style("transcript--header")
            text.stylize_before(base)
            text.truncate(width, overflow="ellipsis")
            strip = Strip(list(text.render(self.app.console)), text.cell_len).adjust_cell_length(width, base)
            self._cache[key] = strip
        return strip

    def _row_text(self, row: int, styled: bool = False) -> Text:
        model = self._model
        assert model is not None
        kind, i, arg = self._kinds[row], self._events[row], self._args[row]
        event = model.events[i]

        def style(name: str) -> Style:
            return self.span(name) if styled else Style()

        if kind == HEADER:
            return Text(f"── {model.group_header(event)} ", style=style("transcript--header"), no_wrap=True)
        current = self._starts[self._index] <= row < self._ends[self._index]
        text = Text(no_wrap=True)
        if kind == CONTENT:
            text.append(f"        │ {self._content[i][arg]}", style("transcript--content"))
            return text
        text.append("▶" if current and row == self._starts[self._index] else " ", style("transcript--cursor"))
        text.append("#" if event.tls is not TLSMode.NONE else " ", style("transcript--lock"))
        side = model.side(event)
        if side is not None:
            side_style = style("transcript--client" if side is Direction.CLIENT else "transcript--server")
            text.append(f" {side.value}: ", side_style + Style(bold=True))
        else:
            side_style = style("transcript--meta")
            text.append("    ")
        if kind == FOLD:
            verb = "fold" if self.unfolded else "unfold"
            mark = "▾" if self.unfolded else "▸"
            text.append(f"{mark} message content, {arg} lines (c: {verb})", style("transcript--content"))
            return text
        tag = _TAGS.get(event.kind, "")
        line_style = style(_KIND_CLASS[event.kind]) if event.kind in _KIND_CLASS else side_style
        text.append(tag + event.text.expandtabs(8), line_style)
        return text
