"""The instructor's banner: which faults are on, always in view while any is."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class FaultBanner(Static):
    """One line under the status bar; hidden when no fault is on."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.faults: tuple[tuple[str, str], ...] = ()  # (name, label)
        self.display = False

    def set_faults(self, faults: tuple[tuple[str, str], ...]) -> None:
        if faults == self.faults:
            return
        self.faults = faults
        self.display = bool(faults)
        self.update(self.banner_text)

    @property
    def banner_text(self) -> Text:
        # Names first (what --fault takes), then what each does: the names survive a narrow screen.
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.faults:
            return text
        text.append(" ⚠ FAULTS ON: ", "bold")
        text.append(", ".join(name for name, _ in self.faults), "bold")
        text.append("  (" + "; ".join(label for _, label in self.faults) + ")  f: change")
        return text
