"""The instructor's banner: which faults are on, always in view while any is."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class FaultBanner(Static):
    """One line under the status bar; hidden when no fault is on.

    It shows the instructor's toggles and the faults written in the scenario
    file: a class watching mx-failover should read that mx1 is down before it
    wonders why nothing answers.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.faults: tuple[tuple[str, str], ...] = ()  # the toggles on: (name, label)
        self.written: tuple[str, ...] = ()  # the scenario file's own faults, in words
        self.display = False

    def set_faults(self, faults: tuple[tuple[str, str], ...], written: tuple[str, ...] = ()) -> None:
        if faults == self.faults and written == self.written:
            return
        self.faults = faults
        self.written = written
        self.display = bool(faults or written)
        self.update(self.banner_text)

    @property
    def banner_text(self) -> Text:
        # Names first (what --fault takes), then what each does: the names survive a narrow screen.
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.faults:
            text.append(" ⚠ FAULTS ON: ", "bold")
            text.append(", ".join(name for name, _ in self.faults), "bold")
            text.append("  (" + "; ".join(label for _, label in self.faults) + ")")
            if self.written:
                text.append("  + in the scenario: ", "bold")
                text.append("; ".join(self.written))
            text.append("  f: change")
        elif self.written:
            text.append(" ⚠ FAULTS ON in the scenario: ", "bold")
            text.append("; ".join(self.written) + "  f: add more")
        return text
