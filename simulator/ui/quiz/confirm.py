"""Leave the quiz half-way? Asked before ``q`` ends an exam in progress."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from simulator.ui.quiz.session import QuizSession


class ConfirmQuitScreen(ModalScreen[bool]):
    """Dismisses with True to leave, False to stay. Stay is the default (enter on its button)."""

    BINDINGS = [
        Binding("y,q", "leave", "leave", tooltip="Leave the quiz (y, q)"),
        Binding("n,escape", "stay", "stay", tooltip="Back to the question (n, escape)"),
    ]

    def __init__(self, session: QuizSession, *, saved: bool = False) -> None:
        super().__init__()
        self.session = session
        self.saved = saved

    def compose(self) -> ComposeResult:
        s = self.session
        with Vertical(id="confirm"):
            yield Static("Leave the quiz?", id="confirm-title")
            after = ("Your answers are saved: smtpsim quiz --resume asks the rest later." if self.saved else
                     "There are no results or review if you leave now.")
            yield Static(f"{s.answered} of {len(s)} answered, {s.right} right. {after}", id="confirm-text")
            with Horizontal(id="confirm-buttons"):
                yield Button("Stay (n)", id="stay", variant="primary")
                yield Button("Leave (y)", id="leave", variant="error")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "leave")

    def action_leave(self) -> None:
        self.dismiss(True)

    def action_stay(self) -> None:
        self.dismiss(False)
