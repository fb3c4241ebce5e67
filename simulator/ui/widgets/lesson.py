"""The lesson card: the scenario's goals at its first step, the debrief at its last.

It lies over the transcript and explanation (a layer of its own, so nothing
under it moves) and goes as soon as the player steps away; esc hides it.
A note (live mode's connection details) stays while the player moves, until
it is put away.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.widgets import Static

from simulator.trace.events import Trace


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each on one line with single spaces."""
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


class LessonCard(Container):
    """Shows goals, a debrief or a note; ``kind`` is "goals", "debrief", "note" or "" (hidden)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = ""
        self.display = False
        self._text = Text()
        self._trace: Trace | None = None  # what it follows: the trace, the step, the faults on
        self._index = -1
        self._faults: tuple[str, ...] = ()
        self._put_away_at = -1  # esc was pressed at this step (of this trace)

    def follow(self, trace: Trace, index: int, faults: tuple[str, ...] = (), *, next_title: str = "",
               can_pick: bool = True) -> None:
        """The player is at ``index``: the goals at the first step, the debrief at the last, else nothing.

        ``next_title`` is the lesson ``s`` opens the picker on ("" after the last one);
        ``can_pick`` is False when there is no picker at all.
        """
        if trace is self._trace and index == self._index and faults == self._faults:
            return
        if self.kind == "note":  # a note stays up while the steps go by
            self._trace, self._index, self._faults = trace, index, faults
            return
        if trace is not self._trace or index != self._put_away_at:
            self._put_away_at = -1  # stepping away and back brings the card back
        self._trace, self._index, self._faults = trace, index, faults
        last = len(trace.events) - 1
        if self._put_away_at == index:
            self.hide()
        elif index == last and trace.debrief.strip():
            self.show_debrief(trace.title, trace.debrief, faults, next_title=next_title, can_pick=can_pick)
        elif index == 0 and trace.goals:
            self.show_goals(trace.title, trace.summary, trace.goals)
        else:
            self.hide()

    def put_away(self) -> bool:
        """Esc: hide the card until the player moves; False if there was none."""
        if not self.kind:
            return False
        self._put_away_at = self._index
        self.hide()
        return True

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lesson-box"):
            yield Static("", id="lesson-text")

    @property
    def text(self) -> str:
        """The card's words (for tests)."""
        return self._text.plain if self.kind else ""

    def show_goals(self, title: str, summary: str, goals: tuple[str, ...]) -> None:
        body = Text()
        body.append(title, "bold")
        body.append("\n" + summary + "\n\n")
        body.append("In this lesson you will\n", "bold")
        body.append("\n".join(f" • {goal}" for goal in goals))
        self._set("goals", body, "Lesson", "→ start · esc hide · ? keys")

    def show_debrief(self, title: str, debrief: str, faults: tuple[str, ...] = (), *, next_title: str = "",
                     can_pick: bool = True) -> None:
        body = Text()
        body.append(f"{title}: what happened\n", "bold")
        if faults:
            body.append(f"Faults were on ({', '.join(faults)}): this run went differently from the story "
                        "below, which tells the scenario as written.\n", "italic")
        body.append("\n".join(paragraphs(debrief)))
        if next_title:
            body.append("\n\nNext lesson: ", "bold")
            body.append(f"{next_title} (s)")
        hint = "esc hide · home: from the start"
        if can_pick:
            hint += " · s: next lesson" if next_title else " · s: scenarios"
        self._set("debrief", body, "Debrief", hint)

    def show_note(self, title: str, text: str, hint: str) -> None:
        """Lines as they are (ports and paths line up), until put away."""
        self._set("note", Text(text), title, hint)

    def hide(self) -> None:
        if self.kind:
            self.kind = ""
            self.display = False

    def _set(self, kind: str, body: Text, title: str, hint: str) -> None:
        self.kind = kind
        self._text = body
        box = self.query_one("#lesson-box")
        box.border_title = title
        box.border_subtitle = hint
        self.query_one("#lesson-text", Static).update(body)
        box.scroll_home(animate=False)
        self.display = True
