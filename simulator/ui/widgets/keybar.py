"""The bottom line: the keys the active screen offers now, drawn as one line of text.

Textual's Footer is a container with a widget per key (13 of the player's 26
DOM nodes), composed empty and then again once the bindings are known; this
bar is one widget that re-renders its line only when the keys change. Like
the Footer it reads the screen's ``active_bindings`` (the screen's own, the
focused widget's and the app's), shows those marked ``show``, runs a binding
group's keys together before its label, and follows
``bindings_updated_signal``: a change of focus or ``refresh_bindings`` updates it.
A click on a key presses it.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from simulator.ui.widgets.styles import CachedStyles

# (key to press, as shown, description, enabled); a binding group's label after its keys is ("", "", label, True).
Key = tuple[str, str, str, bool]


class KeyBar(CachedStyles, Widget, can_focus=False):
    """One line of ``key description`` pairs; ``compact`` puts one space between pairs instead of two."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .keybar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .keybar--description { color: $footer-description-foreground; }
    KeyBar > .keybar--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--disabled"}

    def __init__(self, *, compact: bool = True, show_command_palette: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.compact = compact
        self.show_command_palette = show_command_palette
        self._keys: tuple[Key, ...] = ()
        self._spans: list[tuple[int, int, str]] = []  # (from x, to x, key) of the last line drawn

    @property
    def text(self) -> str:
        """The bar's line as drawn (for tests)."""
        return self._line()[0].plain

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self._keys = self._gather()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        keys = self._gather()
        if keys != self._keys:
            self._keys = keys
            self.refresh()

    def set_layout(self, *, compact: bool, show_command_palette: bool) -> None:
        """For the screen's width: tighter spacing, and whether the command palette's key has room."""
        if (compact, show_command_palette) != (self.compact, self.show_command_palette):
            self.compact, self.show_command_palette = compact, show_command_palette
            self._keys = self._gather()
            self.refresh()

    def _gather(self) -> tuple[Key, ...]:
        active = self.screen.active_bindings
        by_action: defaultdict[str, list[tuple[Binding, bool]]] = defaultdict(list)
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled))
        out: list[Key] = []
        for group, runs in groupby(by_action.values(), lambda same: same[0][0].group):
            members = list(runs)
            if group is not None and len(members) > 1:
                for (binding, enabled), *_ in members:
                    out.append((binding.key, self.app.get_key_display(binding), "", enabled))
                out.append(("", "", group.description, True))
            else:
                for (binding, enabled), *_ in members:
                    out.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        palette = self.app.COMMAND_PALETTE_BINDING
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette in active:
            _node, binding, enabled, _tooltip = active[palette]
            out.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        return tuple(out)

    def _line(self) -> tuple[Text, list[tuple[int, int, str]]]:
        """The line, one cell in from the left, and where each key is on it: (from x, to x, key)."""
        key_style, words_style = self.span("keybar--key"), self.span("keybar--description")
        dim = self.span("keybar--disabled")
        gap = " " if self.compact else "  "
        line = Text(" ", no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str]] = []
        previous_was_grouped = False
        for key, shown, words, enabled in self._keys:
            if not key:  # a group's label, right after its keys
                line.append(" " + words, words_style)
                previous_was_grouped = False
                continue
            if spans and not previous_was_grouped:
                line.append(gap)
            start = line.cell_len
            line.append(shown, key_style if enabled else dim)
            if words:
                line.append(" " + words, words_style if enabled else dim)
            spans.append((start, line.cell_len, key))
            previous_was_grouped = not words
        return line, spans

    def render(self) -> Text:
        line, self._spans = self._line()
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
