"""Fault switches: a checkbox whose state is a glyph (✓ or blank), not only a colour, and a list of them."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Checkbox


class FaultSwitch(Checkbox):
    """Textual's checkbox draws an X either way and tells on from off by colour; this one ticks."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 (Textual's name)
        return "✓" if self.value else " "


class SwitchList(VerticalScroll, can_focus=False):
    """A scrolling column of switches; up and down move between them (tab does too)."""

    BINDINGS = [
        Binding("down", "app.focus_next", "next", show=False),
        Binding("up", "app.focus_previous", "previous", show=False),
    ]
