"""One question at a time: the question, its choices, then right or wrong and why."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from simulator.ui.quiz.confirm import ConfirmQuitScreen
from simulator.ui.quiz.excerpt import excerpt
from simulator.ui.quiz.messages import ChoiceMade, QuizOver
from simulator.ui.quiz.session import Countdown, QuizSession, format_mmss
from simulator.ui.quiz.widgets import (
    LETTERS,
    AnswerNotes,
    ChoiceList,
    QuestionTally,
    QuestionText,
    QuizStatus,
    TraceExcerpt,
    topic,
)

# Below this the screen is "-compact": the feedback shows fewer trace lines (the review has more).
COMPACT_WIDTH = 100
COMPACT_HEIGHT = 30
ROOMY_WIDTH = 130  # from here a progress column stands beside the question
TALL_HEIGHT = 40  # from here the feedback shows more of the trace
URGENT = 60  # seconds: the clock turns red
HINT = "Pick an answer: 1-4 or a-d, or ↑↓ and enter."


class QuestionScreen(Screen[None]):
    """Asks the session's questions in order; posts :class:`QuizOver` at the end or when time is up."""

    BINDINGS = [
        Binding("n,enter", "next", "next", key_display="n ⏎", tooltip="The next question (n, enter)"),
        Binding("q", "quit", "quit", tooltip="Leave the quiz (asks first)"),
    ]

    index: var[int] = var(0, init=False)  # the question on screen
    answered: var[bool] = var(False, init=False, always_update=True)  # has it been answered yet
    remaining: var[float | None] = var(None, init=False)  # seconds left, None without a timer

    def __init__(self, session: QuizSession, countdown: Countdown | None = None, *, saved: bool = False) -> None:
        super().__init__()
        self.session = session
        self.countdown = countdown
        self.saved = saved  # answers go to the progress record (the quit confirm says so)
        self.ticker: Timer | None = None  # the countdown's one-second interval

    def compose(self) -> ComposeResult:
        self._size_classes(*self.app.size)
        yield QuizStatus(id="quiz-status")
        with Horizontal(id="quiz-main"):
            with Vertical(id="ask"):
                with Vertical(id="question-box"):
                    yield QuestionText(id="question-text")
                yield ChoiceList(id="choices")
                with VerticalScroll(id="feedback"):
                    yield AnswerNotes(with_verdict=False, id="notes")
                    yield TraceExcerpt(id="excerpt")
                    yield Static(id="next-hint")
            # Roomy terminals only: where the quiz stands, by topic (nothing given away).
            yield QuestionTally(self.session, topics=True, id="progress")
        yield Footer()

    def on_mount(self) -> None:
        self.status = self.query_one(QuizStatus)
        self.choices = self.query_one(ChoiceList)
        self.notes = self.query_one(AnswerNotes)
        self.trace_excerpt = self.query_one(TraceExcerpt)
        self.feedback = self.query_one("#feedback", VerticalScroll)
        self.progress = self.query_one(QuestionTally)
        self.progress.border_title = "Progress"
        self.choices.border_subtitle = "1-4 · a-d · ↑↓ enter"
        self._load(self.index)
        if self.countdown is not None:
            self.countdown.start()
            self.remaining = self.countdown.remaining()
            self.ticker = self.set_interval(1, self.check_time, name="quiz countdown")

    def on_resize(self, event: Resize) -> None:
        self._size_classes(event.size.width, event.size.height)

    def _size_classes(self, width: int, height: int) -> None:
        self.set_class(width < COMPACT_WIDTH or height < COMPACT_HEIGHT, "-compact")
        self.set_class(width >= ROOMY_WIDTH, "-roomy")

    # -- the clock --------------------------------------------------------------------------

    def check_time(self) -> None:
        """Read the clock (every second, and whenever a test wants); end the quiz when time is out."""
        if self.countdown is None or self.session.finished:
            return
        self.remaining = self.countdown.remaining()
        if self.countdown.expired:
            self._end(timed_out=True)

    def watch_remaining(self, remaining: float | None) -> None:
        self.status.clock = "" if remaining is None else format_mmss(remaining)
        self.status.urgent = remaining is not None and remaining <= URGENT

    # -- questions and answers ----------------------------------------------------------------

    def _load(self, index: int) -> None:
        question = self.session.question(index)
        box = self.query_one("#question-box")
        box.border_title = f"{index + 1}. {topic(question.kind)}"
        # The scenario's title can give the answer away ("Wrong password: 535 5.7.8"), so it is
        # named only once the question is answered; questions carry the context they need.
        box.border_subtitle = question.difficulty.name.lower()
        # The trace lines a question shows (its exhibit) go under it, one code line each.
        exhibit = (f"`{line}`" for line in question.exhibit)
        self.query_one(QuestionText).text = "\n".join((question.question, *exhibit))
        self.choices.set_choices(question.choices)
        self.answered = self.session.is_answered(index)
        self.choices.focus()
        self.feedback.scroll_home(animate=False)

    def watch_index(self, index: int) -> None:
        self._load(index)

    def watch_answered(self, answered: bool) -> None:
        session, i = self.session, self.index
        question = session.question(i)
        self.set_class(answered, "-answered")
        self.progress.current = i
        self.feedback.set_class(answered and session.is_right(i), "-right")
        self.feedback.set_class(answered and not session.is_right(i), "-wrong")
        self._update_status()
        self.refresh_bindings()
        if not answered:
            self.feedback.border_title = ""
            self.notes.clear(HINT)
            self.trace_excerpt.excerpt = None
            return
        chosen = session.answers[i]
        self.query_one("#question-box").border_subtitle = (
            f"{question.difficulty.name.lower()} · from the lesson: {session.trace(i).title}")
        self.choices.show_result(chosen, question.answer)
        key = question.choices.index(question.answer)
        self.feedback.border_title = ("✓ Right" if session.is_right(i) else
                                      f"✗ Wrong: the answer is {key + 1} {LETTERS[key]})")
        self.notes.show(question, chosen)
        self.query_one("#next-hint", Static).update(
            "n or enter: " + ("your results" if i == len(session) - 1 else "the next question"))
        if question.step is None:
            self.trace_excerpt.excerpt = None
        else:
            before, after = self._excerpt_lines()
            self.trace_excerpt.excerpt = excerpt(session.trace(i), question.step, before, after)
        self.feedback.focus()

    def _excerpt_lines(self) -> tuple[int, int]:
        """How many trace lines to show before and after the step: as many as the screen has room for."""
        if self.has_class("-compact"):
            return 1, 4
        return (4, 10) if self.app.size.height >= TALL_HEIGHT else (2, 5)

    def _update_status(self) -> None:
        session = self.session
        self.status.heading = f"Question {self.index + 1} of {len(session)}"
        self.status.detail = f"score {session.right}/{session.answered}"

    def on_choice_made(self, message: ChoiceMade) -> None:
        message.stop()
        if self.answered or self.session.finished:
            return
        self.session.answer(self.index, self.session.question(self.index).choices[message.index])
        self.answered = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return self.answered
        return True

    def action_next(self) -> None:
        if not self.answered:
            return
        if self.index + 1 < len(self.session):
            self.index += 1
        else:
            self._end(timed_out=False)

    def _end(self, *, timed_out: bool) -> None:
        if self.session.finished:
            return
        self.session.finish(timed_out=timed_out)
        if self.ticker is not None:
            self.ticker.stop()
        self.post_message(QuizOver(self.session))

    # -- leaving ------------------------------------------------------------------------------

    def action_quit(self) -> None:
        def leave(confirmed: bool | None) -> None:
            if confirmed:
                self.app.exit(0)

        self.app.push_screen(ConfirmQuitScreen(self.session, saved=self.saved), leave)
