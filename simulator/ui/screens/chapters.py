"""The chapter list (``l``): every chapter with its first step, failures and key moments marked; enter jumps."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from simulator.trace.chapters import ChapterKind, Outline
from simulator.ui.screens.css import SCREENS_CSS

GLYPHS = {
    ChapterKind.CONNECTION: "⇄", ChapterKind.DNS: "?", ChapterKind.RETRY: "⟳", ChapterKind.WARNING: "⚠",
    ChapterKind.GIVE_UP: "✗", ChapterKind.DELIVERY: "✉", ChapterKind.BOUNCE: "↩", ChapterKind.START: "·",
}


class ChapterScreen(ModalScreen[int | None]):
    """Pick a chapter; the answer is the step to show (None: stay)."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape,l", "close", "close", tooltip="Back to the player, where it was")]

    def __init__(self, outline: Outline, index: int) -> None:
        super().__init__()
        self.outline = outline
        self.index = index

    def compose(self) -> ComposeResult:
        with Vertical(id="chapters"):
            yield Static(self._legend(), id="chapters-legend")
            yield OptionList(*self._options(), id="chapters-list")

    def _options(self) -> list[Option]:
        o = self.outline
        failures = {f.index for f in o.failures}
        moments = {m.index for m in o.moments}
        options = []
        for n, chapter in enumerate(o.chapters):
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{n + 1:>3} ", "dim")
            line.append(f"{GLYPHS[chapter.kind]} ", "bold")
            line.append(f"step {chapter.start + 1:<5}", "dim")
            marks = []
            if any(chapter.start <= i < chapter.end for i in failures):
                marks.append("✗ fails")
            if any(chapter.start <= i < chapter.end for i in moments):
                marks.append("★ key")
            line.append(chapter.title)
            if marks:
                line.append("  " + " ".join(marks), "bold")
            options.append(Option(line, id=str(chapter.start)))
        return options

    @staticmethod
    def _legend() -> Text:
        return Text("⇄ connection  ? DNS  ⟳ retry  ⚠ warning  ✗ given up  ✉ delivery  ↩ NDR   "
                    "✗ fails: a failure inside  ★ key: a key moment", style="dim")

    def on_mount(self) -> None:
        box = self.query_one("#chapters")
        box.border_title = f"Chapters of {self.outline.trace.title}"
        box.border_subtitle = "enter: go there · esc: stay"
        options = self.query_one(OptionList)
        options.highlighted = self.outline.chapter_number(self.index)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id) if event.option.id is not None else None)

    def action_close(self) -> None:
        self.dismiss(None)
