"""Compare (key ``v``, "versus"): the open run (A) and a second run (B), hop by hop.

B is chosen here: another scenario from the list (type to filter), or the
same scenario with fault switches on, or both. Each change runs the engine
once for B. Choosing a row of A (enter or a click) closes the screen and the
player jumps to that hop's first step; esc closes it where it was.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from simulator.scenario import ScenarioError, list_scenarios
from simulator.scenario.model import Scenario
from simulator.scenario.toggles import available_toggles
from simulator.trace.events import Trace
from simulator.trace.hops import Hop, summarize_hops
from simulator.ui.compare import Row, align_hops, hop_lines, run_label, same
from simulator.ui.screens.css import SCREENS_CSS
from simulator.ui.tracemodel import format_clock
from simulator.ui.widgets.faultswitch import FaultSwitch, SwitchList
from simulator.ui.widgets.keybar import KeyBar

Runner = Callable[[str, tuple[str, ...]], Trace]  # (scenario name, faults) -> trace
SHORT_HEIGHT = 30  # below this the choosing panels get shorter, so the table keeps a few hops


class CompareScreen(Screen[int | None]):
    """Dismisses with the step of A's chosen hop, or None."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape", "close", "back", tooltip="Back to the player, where it was"),
        Binding("tab", "app.focus_next", "next panel", key_display="tab"),
    ]

    b_run: var[tuple[str, tuple[str, ...]]] = var(("", ()), init=False)  # (scenario, faults)

    def __init__(self, a_trace: Trace, a_label: str, b_name: str, b_faults: tuple[str, ...] = (), *,
                 a_scenario: Scenario | None = None, seed: int | None = None, runner: Runner | None = None) -> None:
        super().__init__()
        self.a_trace = a_trace
        self.a_label = a_label
        self.a_hops = summarize_hops(a_trace)
        self.a_scenario = a_scenario  # A's scenario as written (it may be a file outside the library)
        self.seed = seed
        self.runner = runner or self._run
        self.b_trace: Trace | None = None
        self.b_hops: list[Hop] = []
        self.rows: list[Row] = []
        self.scenarios: list[Scenario] = []
        self._first = (b_name, b_faults)
        self._error = ""  # why B could not be run, if it could not

    def compose(self) -> ComposeResult:
        self.set_class(self.app.size.height < SHORT_HEIGHT, "-short")
        yield Static("", id="compare-head")
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=False)
        with Horizontal(id="compare-choose"):
            with Vertical(id="compare-scenarios"):
                yield Input(placeholder="B: type to filter the scenarios", id="compare-filter")
                yield OptionList(id="compare-list")
            yield SwitchList(id="compare-faults")
        yield KeyBar(compact=True)

    def on_mount(self) -> None:
        self.query_one("#compare-table").border_title = "Hop by hop"
        self.query_one("#compare-table").border_subtitle = "enter: the player goes to A's step · ≠ differs"
        self.query_one("#compare-scenarios").border_title = "B: scenario (enter picks)"
        self.query_one("#compare-faults").border_title = "B: faults (space switches)"
        self.query_one("#compare-filter", Input).cursor_blink = self.app.animation_level != "none"
        try:
            self.scenarios = list_scenarios()
        except ScenarioError as exc:
            self.notify(f"The scenario library could not be read: {exc}", severity="error")
        self.b_run = self._first
        self._fill_list("")
        self.query_one(DataTable).focus()

    # -- B -------------------------------------------------------------------------------------------
    def watch_b_run(self, old: tuple[str, tuple[str, ...]], new: tuple[str, tuple[str, ...]]) -> None:
        name, faults = new
        if name != old[0]:
            self._fill_faults(name, faults)
        try:
            self.b_trace = self.runner(name, faults)
        except Exception as exc:  # an engine bug must not kill the player: say what broke
            self.b_trace, self.b_hops = None, []
            self._head(f"B could not be run: {type(exc).__name__}: {exc}")
        else:
            self.b_hops = summarize_hops(self.b_trace)
            self._head()
        self._fill_table()

    @property
    def b_label(self) -> str:
        return run_label(*self.b_run)

    def scenario(self, name: str) -> Scenario | None:
        """A's scenario by its name, else the library's."""
        if self.a_scenario is not None and self.a_scenario.name == name:
            return self.a_scenario
        return next((s for s in self.scenarios if s.name == name), None)

    def _run(self, name: str, faults: tuple[str, ...]) -> Trace:
        """The engine, once, on scenario ``name`` with the named faults switched on."""
        from simulator.run import run_scenario
        from simulator.scenario.library import open_scenario
        from simulator.scenario.toggles import with_toggles

        return run_scenario(with_toggles(self.scenario(name) or open_scenario(name), list(faults)), self.seed)

    def _fill_faults(self, name: str, on: tuple[str, ...]) -> None:
        box = self.query_one("#compare-faults", SwitchList)
        box.remove_children()
        scenario = self.scenario(name)
        toggles = available_toggles(scenario) if scenario is not None else []
        box.mount_all(FaultSwitch(Text.assemble(t.label, ("  " + t.name, "dim")), t.name in on, compact=True,
                               name=t.name, tooltip=t.summary) for t in toggles)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        faults = tuple(box.name or "" for box in self.query("#compare-faults Checkbox").results(Checkbox)
                       if box.value)
        if faults != self.b_run[1]:
            self.b_run = (self.b_run[0], faults)

    def _fill_list(self, query: str) -> None:
        words = query.lower().split()
        listing = self.query_one("#compare-list", OptionList)
        listing.clear_options()
        shown = [s for s in self.scenarios if all(w in f"{s.name} {s.title} {s.summary}".lower() for w in words)]
        listing.add_options(Option(Text.assemble((s.title, "bold"), ("  " + s.name, "dim"), no_wrap=True,
                                                 overflow="ellipsis"), id=s.name) for s in shown)
        names = [s.name for s in shown]
        if names:
            listing.highlighted = names.index(self.b_run[0]) if self.b_run[0] in names else 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill_list(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        listing = self.query_one("#compare-list", OptionList)
        if listing.highlighted is not None:
            self._pick_b(listing.get_option_at_index(listing.highlighted).id or "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._pick_b(event.option.id or "")

    def _pick_b(self, name: str) -> None:
        if name:
            self.b_run = (name, ())

    # -- the table -----------------------------------------------------------------------------------
    def _head(self, error: str = "") -> None:
        # Each run gets half the line, so a long label never pushes the other out of view.
        self._error = error
        half = max(12, self.app.size.width // 2)
        head = Text(no_wrap=True, overflow="ellipsis")
        for letter, label in (("A", self.a_label), ("B", self.b_label)):
            part = Text.assemble((f" {letter} ", "bold reverse"), (f" {label}", "bold"))
            part.truncate(half, overflow="ellipsis", pad=True)
            head.append_text(part)
        if error:
            head = Text.assemble((" B ", "bold reverse"), f" {error}")
        self.query_one("#compare-head", Static).update(head)

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        self.rows = align_hops(self.a_hops, self.b_hops)
        table.clear(columns=True)
        # Each column has a cell of padding either side, and the vertical scrollbar takes one.
        width = table.scrollable_content_region.width or self.app.size.width - 2
        side = max(20, (width - 3 - 4 - 1) // 2)
        table.add_column("", key="mark", width=1)
        table.add_column(Text(f"A  {self.a_label}", "bold"), key="a", width=side)
        table.add_column(Text(f"B  {self.b_label}", "bold"), key="b", width=side)
        for row in self.rows:
            table.add_row("" if same(row) else "≠", _cell(row[0], side), _cell(row[1], side), height=2)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1), animate=False)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.height < SHORT_HEIGHT, "-short")
        if self.rows or self.b_trace is not None:
            self._head(self._error)
            self.call_after_refresh(self._fill_table)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        hop = self.rows[event.cursor_row][0] if event.cursor_row < len(self.rows) else None
        if hop is None:
            self.notify("Run A has no hop on this row: choose one with an A side.", severity="warning")
            return
        self.dismiss(hop.step)

    def action_close(self) -> None:
        self.dismiss(None)


def _cell(hop: Hop | None, width: int) -> Text:
    if hop is None:
        return Text("")
    first, detail = hop_lines(hop)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(_fit(first, width - 10), "bold")
    text.append(f"  {format_clock(hop.t)}", "dim")
    text.append("\n    " + _fit(detail, width - 4))
    return text


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
