"""A Line API base that can grow or shrink without a screen layout.

Setting ``virtual_size`` asks Textual to lay out the whole screen again
(several milliseconds with a footer full of keys). When only the number of
lines changes and the scrollbar neither comes nor goes, nothing else on the
screen moves, so the player can skip that and step in well under a frame.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


class LineView(ScrollView):
    """A ScrollView whose height in lines is set with :meth:`set_rows`."""

    def set_rows(self, rows: int) -> None:
        # Width 0: lines are cut to the widget (overflow-x is hidden), so a resize never changes it.
        size = Size(0, rows)
        if size == self.virtual_size:
            return
        height = self.container_size.height
        bar_needed = rows > height if self.styles.overflow_y == "auto" else self.show_vertical_scrollbar
        if not height or bar_needed != self.show_vertical_scrollbar:
            self.virtual_size = size  # the scrollbar comes or goes: that is a layout
            return
        self.set_reactive(Widget.virtual_size, size)
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = rows
        self.refresh()
