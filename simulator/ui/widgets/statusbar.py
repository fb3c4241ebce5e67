"""The top line: the chapter, scenario title, the predict score, step n/N, simulated clock, playing or paused."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from simulator.ui.player import format_speed
from simulator.ui.tracemodel import format_clock
from simulator.ui.widgets.styles import CachedStyles


class StatusBar(CachedStyles, Widget):
    """One line; the title gives way first when space is short."""

    COMPONENT_CLASSES = {"statusbar--title", "statusbar--chapter", "statusbar--playing", "statusbar--paused"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = ""
        self.step = 0
        self.total = 0
        self.t = 0.0
        self.playing = False
        self.speed = 1.0
        self.score = ""  # "3/5" while predicting, else ""
        self.chapter = ""  # "§3/8 msa → mx-net:25 SMTP": where the step is

    def update_state(self, *, title: str | None = None, step: int | None = None, total: int | None = None,
                     t: float | None = None, playing: bool | None = None, speed: float | None = None,
                     score: str | None = None, chapter: str | None = None) -> None:
        changed = False
        for name, value in (("title", title), ("step", step), ("total", total), ("t", t), ("playing", playing),
                            ("speed", speed), ("score", score), ("chapter", chapter)):
            if value is not None and value != getattr(self, name):
                setattr(self, name, value)
                changed = True
        if changed:  # a step that changes none of it (playing=False again, say) draws nothing
            self.refresh()

    @property
    def status_text(self) -> str:
        state = f"▶ playing {format_speed(self.speed)}" if self.playing else f"❚❚ paused {format_speed(self.speed)}"
        score = f"predict {self.score}   " if self.score else ""
        return f"{score}step {self.step}/{self.total}   t={format_clock(self.t)}   {state}"

    def render(self) -> Text:
        width = self.content_size.width
        right = Text(self.status_text + " ",
                     self.span("statusbar--playing" if self.playing else "statusbar--paused"))
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" smtpsim ", "bold reverse")
        line.append(" ")
        room = max(0, width - right.cell_len - 1)
        if self.chapter:  # where we are comes before the lesson's name, which gives way first
            line.append(self.chapter, self.span("statusbar--chapter"))
            if room - line.cell_len >= 5 + 12:  # the title only if a useful part of it fits
                line.append("  ·  ")
                line.append(self.title, self.span("statusbar--title"))
        else:
            line.append(self.title, self.span("statusbar--title"))
        # The title gives way: cut it so the step, clock and state always show.
        line.truncate(room, overflow="ellipsis", pad=True)
        line.append(" ")
        line.append_text(right)
        return line
