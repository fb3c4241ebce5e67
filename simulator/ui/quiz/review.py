"""The wrong answers, each with the right one, why, and the trace lines that show it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Static

from simulator.ui.quiz.excerpt import excerpt
from simulator.ui.quiz.session import QuizSession
from simulator.ui.quiz.widgets import AnswerNotes, QuizStatus, TraceExcerpt, topic

AUTHORED = "A question written for this scenario: the explanation above is the answer's source."


class ReviewCard(Vertical):
    """One wrong answer: the question, the pick, the right answer, the explanation, the trace lines."""

    def __init__(self, session: QuizSession, index: int) -> None:
        super().__init__(classes="review-card")
        self.session = session
        self.index = index

    def compose(self) -> ComposeResult:
        yield AnswerNotes(with_question=True)
        question = self.session.question(self.index)
        if question.step is None:
            yield Static(AUTHORED, classes="review-authored")
        else:
            yield Static("The steps that show the right answer:", classes="review-steps")
            yield TraceExcerpt()

    def on_mount(self) -> None:
        s, i = self.session, self.index
        question = s.question(i)
        self.border_title = f"Question {i + 1} of {len(s)} · {topic(question.kind)}"
        self.border_subtitle = f"{question.difficulty.name.lower()} · {s.trace(i).title} · {question.scenario}"
        self.query_one(AnswerNotes).show(question, s.answers[i])
        if question.step is not None:
            self.query_one(TraceExcerpt).excerpt = excerpt(s.trace(i), question.step)


class ReviewScreen(Screen[None]):
    """The review; ``escape`` goes back to the results."""

    BINDINGS = [
        Binding("escape", "back", "results", key_display="esc", tooltip="Back to the results"),
        Binding("n,j", "move(1)", "next", tooltip="The next wrong answer (n, j)"),
        Binding("p,k", "move(-1)", "previous", tooltip="The previous wrong answer (p, k)"),
    ]

    card: var[int] = var(0, init=False)  # which card is lit

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session
        self.wrong = session.wrong()

    def compose(self) -> ComposeResult:
        yield QuizStatus(id="quiz-status")
        with VerticalScroll(id="review"):
            for i in self.wrong:
                yield ReviewCard(self.session, i)
            if not self.wrong:
                yield Static("Every answer was right: nothing to review.", id="review-empty")
        yield Footer()

    def on_mount(self) -> None:
        s = self.session
        status = self.query_one(QuizStatus)
        n = len(self.wrong)
        status.heading = f"Review: {n} wrong answer{'s' if n != 1 else ''}"
        status.detail = f"score {s.right}/{len(s)}  {s.percent}%"
        self.query_one("#review").focus()
        self.watch_card(self.card)

    @property
    def cards(self) -> list[ReviewCard]:
        return list(self.query(ReviewCard))

    def watch_card(self, card: int) -> None:
        for i, widget in enumerate(self.cards):
            widget.set_class(i == card, "-current")

    def action_move(self, step: int) -> None:
        cards = self.cards
        if not cards:
            return
        self.card = max(0, min(len(cards) - 1, self.card + step))
        self.query_one("#review", VerticalScroll).scroll_to_widget(cards[self.card], top=True, animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()
