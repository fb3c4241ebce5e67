"""Choose a scenario: the lesson path (basics, failures, attacks), searchable.

The scenarios are grouped by level under the headings ``smtpsim list`` prints,
in lesson order; typing filters them (a level with no match disappears).

It opens on ``start`` (the player passes the next lesson after the open
one). While filtering, the highlight goes to the best match, not the first
listed: a word in the name beats one in the title, which beats the summary
("retry" is retry-expired, though dns-temporary-failure's summary says it too).

Enter opens the highlighted scenario: the engine runs once, here, so a
scenario that fails to load or run shows its message in the picker (never a
traceback) and the player keeps the trace it had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from simulator.scenario import ScenarioError, list_scenarios
from simulator.trace.events import Trace
from simulator.ui.screens.css import SCREENS_CSS


class PickerScreen(ModalScreen[Trace | None]):
    """A searchable list of the shipped scenarios; dismisses with the new trace."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Keep the current scenario"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    def __init__(self, loader: Callable[[str], Trace], current: str = "", start: str = "",
                 done: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.loader = loader
        self.current = current
        self.done = done  # lessons finished before (the progress record): a tick before the title
        self.start = start  # highlighted when the picker opens (else the first scenario)
        self.entries: list[tuple[str, str, str, str]] = []  # (name, title, summary, level), in lesson order
        self.load_error = ""
        self.shown: list[str] = []  # the scenarios listed, in order

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Input(placeholder="type to filter: a word of the name, title or summary", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static("", id="picker-error")

    def on_mount(self) -> None:
        frame = self.query_one("#picker")
        frame.border_title = "Open a scenario"
        frame.border_subtitle = "↑↓ choose · enter open · esc close"
        try:
            self.entries = [(s.name, s.title, s.summary, s.level) for s in list_scenarios()]
        except ScenarioError as exc:
            self._error(f"The scenario library could not be read: {exc}")
        self._fill("")
        box = self.query_one(Input)
        # No blinking when animations are off (snapshots, and people who asked for stillness).
        box.cursor_blink = self.app.animation_level != "none"
        box.focus()

    def _fill(self, query: str) -> None:
        words = query.lower().split()
        ranks = {e[0]: rank for e in self.entries if (rank := _match_rank(e, words)) is not None}
        matches = [e for e in self.entries if e[0] in ranks]
        options: list[Option | None] = []
        self.shown = []
        for level, heading in _levels(e[3] for e in self.entries):
            group = [e for e in matches if e[3] == level]
            if not group:
                continue
            if options:
                options.append(None)  # a rule between levels
            options.append(Option(Text(heading, "bold underline"), id=f"level:{level}", disabled=True))
            for name, title, summary, _ in group:
                tick = ("✓ ", "green") if name in self.done else ("  " if self.done else "", "")
                prompt = Text.assemble(tick, (title, "bold"), ("  " + name, "dim"),
                                       ("  (open)" if name == self.current else "", "dim"), "\n", summary)
                options.append(Option(Padding(prompt, (0, 0, 0, 2)), id=name))  # indented under its level
                self.shown.append(name)
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(options)
        best = min(self.shown, key=lambda name: ranks[name]) if words and self.shown else self.start
        if best in self.shown:
            listing.highlighted = listing.get_option_index(best)
        else:
            self._highlight(0, 1)
        self.query_one("#picker-error", Static).update("" if self.shown else "No scenario matches that filter.")
        self.load_error = ""

    @property
    def highlighted_name(self) -> str:
        """The scenario Enter would open ("" if none)."""
        listing = self.query_one(OptionList)
        if listing.highlighted is None:
            return ""
        return listing.get_option_at_index(listing.highlighted).id or ""

    def _highlight(self, start: int, step: int) -> None:
        """The first scenario (not a heading) from ``start`` on, going ``step`` at a time."""
        listing = self.query_one(OptionList)
        index = start
        while 0 <= index < listing.option_count:
            if not listing.get_option_at_index(index).disabled:
                listing.highlighted = index
                return
            index += step

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._open(self.highlighted_name)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id or "")

    def action_move(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        if listing.option_count:
            current = listing.highlighted if listing.highlighted is not None else 0
            self._highlight(max(0, min(listing.option_count - 1, current + delta)), 1 if delta > 0 else -1)
            if delta < 0 and listing.highlighted == current:
                listing.scroll_home(animate=False)  # at the first scenario: show its heading too

    def action_close(self) -> None:
        self.dismiss(None)

    def _open(self, name: str) -> None:
        if not name:
            return
        try:
            trace = self.loader(name)
        except ScenarioError as exc:
            self._error(str(exc))
            return
        except Exception as exc:  # an engine bug must not kill the player: say what broke
            self._error(f"{name} could not be run: {type(exc).__name__}: {exc}")
            return
        self.dismiss(trace)

    def _error(self, message: str) -> None:
        self.load_error = message
        self.query_one("#picker-error", Static).update(Text(message))


def _match_rank(entry: tuple[str, str, str, str], words: list[str]) -> int | None:
    """How well the filter's words match: 0 the name itself, 1 all in the name, 2 in the name or
    title, 3 anywhere (summary included); None if some word is nowhere."""
    name, title, summary, _ = entry
    if not words:
        return 3
    name, title, everything = name.lower(), f"{name} {title}".lower(), f"{name} {title} {summary}".lower()
    if not all(w in everything for w in words):
        return None
    if "-".join(words) == name:
        return 0
    if all(w in name for w in words):
        return 1
    return 2 if all(w in title for w in words) else 3


def _levels(present: Iterable[str]) -> list[tuple[str, str]]:
    """(level, heading) in path order: those ``smtpsim list`` knows, then any other level found."""
    from simulator.scenario.library import LEVELS

    levels = list(LEVELS.items())
    for level in dict.fromkeys(present):
        if level not in LEVELS:
            levels.append((level, level))
    return levels
