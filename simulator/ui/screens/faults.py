"""The instructor's fault panel (key ``f``): the faults that fit the open scenario, each a switch.

Each switch posts :class:`FaultsChanged` at once; the player runs the engine
again with the faults that are on and stays at the same moment, so the class
sees the change happen behind the panel. Esc closes it; the banner stays.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Static

from simulator.scenario.toggles import Toggle
from simulator.ui.messages import FaultsChanged
from simulator.ui.screens.css import SCREENS_CSS
from simulator.ui.widgets.faultswitch import FaultSwitch, SwitchList


class FaultScreen(ModalScreen[None]):
    """A checkbox per toggle, its summary under it; the run follows the boxes."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape,f", "close", "close", tooltip="Close the fault panel (the faults stay on)"),
    ]

    def __init__(self, toggles: list[Toggle], active: tuple[str, ...], title: str = "",
                 written: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.toggles = toggles
        self.active = tuple(name for name in (t.name for t in toggles) if name in active)
        self.scenario_title = title
        self.written = written  # the scenario file's own faults, in words: always on

    def compose(self) -> ComposeResult:
        with SwitchList(id="faults"):
            intro = Text(f"{self.scenario_title}\n", "bold")
            if self.written:
                intro += Text("Always on (in the scenario): ", "bold") + Text("; ".join(self.written) + "\n")
            intro += Text("Switch a fault on or off and the run starts again with it, at the same moment.", "italic")
            yield Static(intro, id="faults-intro")
            for toggle in self.toggles:
                label = Text.assemble(toggle.label, ("  " + toggle.name, "dim"))
                yield FaultSwitch(label, toggle.name in self.active, id=f"fault-{toggle.name}", compact=True)
                yield Static(Text(toggle.summary), classes="fault-summary")

    def on_mount(self) -> None:
        frame = self.query_one("#faults")
        frame.border_title = "Instructor: faults"
        frame.border_subtitle = "↑↓ choose · space switch · esc close"
        boxes = self.query(Checkbox)
        if boxes:
            boxes.first().focus()

    @property
    def checked(self) -> tuple[str, ...]:
        """The names switched on, in the panel's (teaching) order."""
        return tuple(t.name for t in self.toggles if self.query_one(f"#fault-{t.name}", Checkbox).value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        names = self.checked
        if names != self.active:
            self.active = names
            self.post_message(FaultsChanged(names))

    def action_close(self) -> None:
        self.dismiss(None)
