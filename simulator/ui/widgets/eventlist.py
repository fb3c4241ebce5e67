"""Every step on one row, like Packet Tracer's event list; choosing a row jumps there.

A Line API widget with no child per row: it renders only the rows on screen.
Up/down move its cursor, enter or a click posts :class:`JumpTo`.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.reactive import reactive
from textual.strip import Strip

from simulator.ui.messages import JumpTo
from simulator.ui.tracemodel import TraceModel, format_stamp
from simulator.ui.widgets.lineview import LineView
from simulator.ui.widgets.styles import CachedStyles

_HOP_WIDTH = 24  # at most; a trace with short names gets a narrower column


class EventList(CachedStyles, LineView, can_focus=True, inherit_bindings=False):
    """Rows of ``time  kind  src → dst:port  text``."""

    # Only the keys it needs (no inherited bindings): left/right/home/end stay with the player.
    BINDINGS = [
        Binding("up", "cursor_up", "Row up", show=False),
        Binding("down", "cursor_down", "Row down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("enter", "select", "Jump to row", show=False),
    ]
    COMPONENT_CLASSES = {"eventlist--cursor", "eventlist--current", "eventlist--time", "eventlist--kind",
                         "eventlist--hop"}

    cursor: reactive[int] = reactive(0, init=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._model: TraceModel | None = None
        self._current = 0  # the player's step
        self._hop_width = _HOP_WIDTH
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(256)

    def set_trace(self, model: TraceModel) -> None:
        self._model = model
        self._hop_width = min(_HOP_WIDTH, max((len(h.text()) for h in model.hops), default=0))
        self._cache.clear()
        self._current = 0
        self.set_reactive(EventList.cursor, 0)
        self.set_rows(len(model))
        self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self.refresh()

    def show(self, index: int) -> None:
        """The player moved: light its row and bring the cursor along."""
        before = (self._current, self.cursor, self.scroll_offset.y)
        self._current = index
        self.set_reactive(EventList.cursor, self._clamp(index))
        self._scroll_to_row(index)
        self._refresh_rows(before)

    def _refresh_rows(self, before: tuple[int, int, int]) -> None:
        # When nothing scrolled, only the rows that were or are lit need drawing again.
        if self.scroll_offset.y != before[2]:
            self.refresh()
            return
        for row in {before[0], before[1], self._current, self.cursor}:
            self.refresh_line(row)

    # -- keys and mouse -------------------------------------------------------------------
    def _clamp(self, row: int) -> int:
        return max(0, min(row, len(self._model) - 1 if self._model else 0))

    def validate_cursor(self, row: int) -> int:
        return self._clamp(row)

    def watch_cursor(self, old: int, row: int) -> None:
        before = (self._current, old, self.scroll_offset.y)
        self._scroll_to_row(row)
        self._refresh_rows(before)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_select(self) -> None:
        if self._model is not None and len(self._model):
            self.post_message(JumpTo(self.cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self._model is None:
            return
        row = self.scroll_offset.y + offset.y
        if 0 <= row < len(self._model):
            self.cursor = row
            self.post_message(JumpTo(row))

    def _scroll_to_row(self, row: int) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True, force=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True, force=True)

    def on_resize(self) -> None:
        self._cache.clear()
        if self._model is not None:
            self._scroll_to_row(self.cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # -- drawing ---------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if self._model is None or row >= len(self._model):
            return Strip.blank(width, self.base_style)
        state = (row == self._current) | (row == self.cursor) << 1
        key = (row, state)
        strip = self._cache.get(key)
        if strip is None or strip.cell_length != width:
            strip = self._render_row(row, state, width)
            self._cache[key] = strip
        return strip

    def row_text(self, row: int) -> str:
        return self._row(row, 0).plain

    def _row(self, row: int, state: int) -> Text:
        model = self._model
        assert model is not None
        event = model.events[row]

        def style(name: str) -> Style:
            return self.span(name)

        hop = model.hops[row].text()
        if len(hop) > self._hop_width:
            hop = hop[: self._hop_width - 1] + "…"
        text = Text(no_wrap=True)
        text.append("▶" if state & 1 else " ")
        text.append(format_stamp(event.t), style("eventlist--time"))
        text.append(f"  {event.kind.value:<8}", style("eventlist--kind"))
        text.append(f"{hop:<{self._hop_width}}  ", style("eventlist--hop"))
        first = event.text.split("\r\n", 1)[0].replace("\t", " ")
        text.append(f"[message content, {event.text.count(chr(10)) + 1} lines]" if event.content else first)
        return text

    def _render_row(self, row: int, state: int, width: int) -> Strip:
        text = self._row(row, state)
        base = self.base_style
        if state & 1:
            base = base + self.get_component_rich_style("eventlist--current")
        if state & 2 and self.has_focus:
            base = base + self.get_component_rich_style("eventlist--cursor")
        text.stylize_before(base)
        text.truncate(width, overflow="ellipsis")
        return Strip(list(text.render(self.app.console)), text.cell_len).adjust_cell_length(width, base)

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()
