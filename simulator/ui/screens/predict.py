"""Predict mode's question (key ``x`` turns the mode on): what comes next?

A panel at the bottom, so the transcript above stays in view: the question,
three or four choices, 1-4 or ↑↓ and enter to answer, esc to back out
without stepping. It dismisses with the chosen text; the player then steps,
scores the answer and shows the verdict with the step.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from simulator.quiz.predict import Prediction
from simulator.ui.screens.css import SCREENS_CSS

KIND_TITLES = {"reply-code": "which reply code?", "command": "which command?", "port": "which port?",
               "mx": "which MX first?"}


class PredictScreen(ModalScreen[str | None]):
    """Asks one :class:`Prediction`; dismisses with the choice, or None (esc)."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape", "back", "back", tooltip="Back out: no answer, no step"),
        *(Binding(str(n), f"choose({n - 1})", str(n), show=False) for n in range(1, 5)),
    ]

    def __init__(self, prediction: Prediction, score: str = "") -> None:
        super().__init__()
        self.prediction = prediction
        self.score = score

    def compose(self) -> ComposeResult:
        with Vertical(id="predict"):
            yield Static(Text(self.prediction.question), id="predict-question")
            yield OptionList(*(Option(Text.assemble((f"{n}  ", "bold"), choice), id=str(n - 1))
                               for n, choice in enumerate(self.prediction.choices, 1)), id="predict-choices")

    def on_mount(self) -> None:
        frame = self.query_one("#predict")
        score = f"  (score {self.score})" if self.score else ""
        frame.border_title = f"Predict the next step: {KIND_TITLES.get(self.prediction.kind, 'what next?')}{score}"
        frame.border_subtitle = "1-4 or ↑↓ enter answer · esc back"
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(int(event.option.id or 0))

    def action_choose(self, n: int) -> None:
        if 0 <= n < len(self.prediction.choices):
            self.dismiss(self.prediction.choices[n])

    def action_back(self) -> None:
        self.dismiss(None)


def verdict(prediction: Prediction, choice: str) -> Text:
    """What the explanation panel says about an answer: right or wrong in words, then why."""
    if prediction.is_right(choice):
        text = Text(f"✓ Right: {prediction.answer}")
    else:
        text = Text(f"✗ Not quite: you said {choice}, it is {prediction.answer}")
    text.append("\n" + prediction.why)
    return text
