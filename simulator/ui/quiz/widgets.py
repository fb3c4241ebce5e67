"""The quiz's widgets: they take data and post messages; the screens own the score.

Text is built as Textual ``Content`` with theme variables (``$text-success``),
so both themes colour it; the trace excerpt is a Rich table whose styles come
from the stylesheet's component classes. Right and wrong are never colour alone:
always a glyph (✓, ✗), and a word wherever there is room for one.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.style import Style
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from simulator.quiz.model import Question
from simulator.ui.quiz.excerpt import Excerpt, render_excerpt
from simulator.ui.quiz.messages import ChoiceMade
from simulator.ui.quiz.session import QuizSession, Tally

LETTERS = "abcd"
RIGHT = "$text-success"
WRONG = "$text-error"
CODE = "$text-accent"


def inline_code(text: str, base: str = "", code: str = f"{CODE} bold") -> Content:
    """``text`` with its `backticked` parts (protocol lines) lit; the backticks stay, for monochrome."""
    parts = text.split("`")
    pieces: list[tuple[str, str] | str] = []
    for i, part in enumerate(parts):
        if not part:
            continue
        # An odd index is inside backticks (an unpaired backtick just lights the rest).
        pieces.append((f"`{part}`", code) if i % 2 else (part, base))
    return Content.assemble(*pieces)


class QuizStatus(Widget):
    """The top line: what this screen is on the left, score and time left on the right."""

    heading: reactive[str] = reactive("")
    detail: reactive[str] = reactive("")
    clock: reactive[str] = reactive("")  # "" when there is no timer
    urgent: reactive[bool] = reactive(False)  # the last minute

    def render(self) -> Content:
        width = self.content_size.width
        right = Content.assemble(
            self.detail,
            ("   time left " if self.clock else "", "$text-muted"),
            (self.clock, f"{WRONG} bold" if self.urgent else "bold"),
            " ",
        )
        left = Content.assemble((" smtpsim quiz ", "bold reverse"), " ", (self.heading, "bold"))
        room = max(0, width - right.cell_length)
        left = left.truncate(room, ellipsis=True, pad=True)
        return Content.assemble(left, right)


TOPICS = {  # Question.kind -> what it asks about
    "port": "ports",
    "tls-mode": "TLS modes",
    "reply-code": "reply codes",
    "next-command": "the SMTP dialogue",
    "mx-order": "MX records",
    "enhanced-code": "enhanced status codes",
    "temporary-or-permanent": "temporary or permanent",
    "ndr": "bounces (NDRs)",
    "null-sender": "the null sender",
    "read-protocol": "reading mail",
    "authored": "from the lesson",
}


def topic(kind: str) -> str:
    """What a question's generator asks about, in words."""
    return TOPICS.get(kind, kind.replace("-", " "))


class QuestionText(Widget):
    """The question itself."""

    text: reactive[str] = reactive("", layout=True)

    def render(self) -> Content:
        return inline_code(self.text)


class ChoiceList(OptionList):
    """The choices, keyed 1-4 and a-d; arrows and enter, or a click, work too. Posts :class:`ChoiceMade`.

    Once the screen shows the result the list is locked: the right choice is
    marked ✓, a wrong pick ✗, and its keys (enter too) are left to the screen.
    A long choice wraps under its own text, not under its key.
    """

    BINDINGS = [
        Binding("1,a", "choose(0)", "answer", key_display="1-4 a-d", tooltip="Answer with choice 1 (a)"),
        Binding("2,b", "choose(1)", "answer", show=False),
        Binding("3,c", "choose(2)", "answer", show=False),
        Binding("4,d", "choose(3)", "answer", show=False),
    ]

    locked: reactive[bool] = reactive(False, init=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.choices: tuple[str, ...] = ()
        self.result: tuple[str | None, str] | None = None  # (chosen, answer) once locked

    def set_choices(self, choices: Sequence[str]) -> None:
        """Show a new question's choices, unlocked, the first highlighted."""
        self.choices = tuple(choices)
        self.result = None
        self.locked = False
        self.set_options(Option(prompt) for prompt in self._prompts())
        self.highlighted = 0

    def show_result(self, chosen: str | None, answer: str) -> None:
        """Lock the list and mark the right choice, and the chosen one if it was wrong."""
        self.result = (chosen, answer)
        self.locked = True
        self._rebuild()
        if chosen in self.choices:
            self.highlighted = self.choices.index(chosen)

    def on_resize(self) -> None:
        self._rebuild()  # the wrapping depends on the width

    def _rebuild(self) -> None:
        for i, prompt in enumerate(self._prompts()):
            self.replace_option_prompt_at_index(i, prompt)
        self.refresh(layout=True)

    def _prompts(self) -> list[Content]:
        room = self.scrollable_content_region.width - self.get_component_styles("option-list--option").padding.width
        prompts = []
        for i, choice in enumerate(self.choices):
            mark, style = ("  ", "")
            if self.result is not None:
                chosen, answer = self.result
                mark, style = (("✓ ", f"{RIGHT} bold") if choice == answer else
                               ("✗ ", f"{WRONG} bold") if choice == chosen else ("  ", "$text-muted"))
            head = Content.assemble((mark, style), (f"{i + 1} {LETTERS[i]}) " if i < len(LETTERS) else "", "bold"))
            body = inline_code(choice, style if style == "$text-muted" else "")
            if room - head.cell_length >= 12 and body.cell_length > room - head.cell_length:
                body = Content("\n" + " " * head.cell_length).join(body.wrap(room - head.cell_length))
            prompts.append(Content.assemble(head, body))
        return prompts

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("choose", "select") and self.locked:
            return False  # enter goes on to the screen: next question
        if action == "choose" and isinstance(parameters[0], int) and parameters[0] >= len(self.choices):
            return False
        return True

    def watch_locked(self) -> None:
        self.set_class(self.locked, "-locked")
        self.refresh_bindings()

    def action_choose(self, index: int) -> None:
        self.highlighted = index
        self.post_message(ChoiceMade(index))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not self.locked:
            self.post_message(ChoiceMade(event.option_index))


def verdict(question: Question, chosen: str | None) -> list[Content]:
    """Right, or wrong (or not answered) and the right answer."""
    if chosen == question.answer:
        return [Content.assemble(("✓ Right: ", f"{RIGHT} bold"), inline_code(question.answer))]
    if chosen is None:
        first = Content.assemble(("✗ Not answered", f"{WRONG} bold"), " (the time ran out)")
    else:
        first = Content.assemble(("✗ Wrong: ", f"{WRONG} bold"), "you chose ", inline_code(chosen))
    return [first, Content.assemble(("✓ The answer: ", f"{RIGHT} bold"), inline_code(question.answer))]


class AnswerNotes(Widget):
    """Right or wrong, the right answer, the explanation and its RFC section.

    With ``with_question`` (the review) the question comes first; without
    ``with_verdict`` (under the marked choices) only the explanation shows.
    """

    def __init__(self, *, with_question: bool = False, with_verdict: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.with_question = with_question
        self.with_verdict = with_verdict
        self.question: Question | None = None
        self.chosen: str | None = None
        self.hint = ""  # shown while there is no question

    def show(self, question: Question, chosen: str | None) -> None:
        self.question, self.chosen = question, chosen
        self.refresh(layout=True)

    def clear(self, hint: str = "") -> None:
        """No question: just ``hint``."""
        self.question, self.chosen, self.hint = None, None, hint
        self.refresh(layout=True)

    def render(self) -> Content:
        q = self.question
        if q is None:
            return Content(self.hint)
        lines: list[Content] = []
        if self.with_question:
            lines += [inline_code(q.question, "bold"), Content("")]
        if self.with_verdict:
            lines += [*verdict(q, self.chosen), Content("")]
        lines.append(inline_code(q.explanation))
        if q.rfc:
            lines.append(Content.assemble(("See ", "$text-muted"), (q.rfc, "$text-primary italic bold")))
        return Content("\n").join(lines)


class TraceExcerpt(Widget):
    """A few trace lines around the step that shows the answer (▶), rendered with Rich."""

    COMPONENT_CLASSES = {
        "excerpt--caption", "excerpt--header", "excerpt--client", "excerpt--server", "excerpt--meta",
        "excerpt--current", "excerpt--marker", "excerpt--lock",
    }
    ROW_STYLES = frozenset({"excerpt--header", "excerpt--current"})

    excerpt: reactive[Excerpt | None] = reactive(None, layout=True, always_update=True)

    def watch_excerpt(self, excerpt: Excerpt | None) -> None:
        self.display = excerpt is not None

    def render(self) -> RenderableType:
        if self.excerpt is None:
            return ""
        styles: dict[str, Style] = {}
        for name in self.COMPONENT_CLASSES:
            # Blended over the widget's background, so translucent colours ($text-muted, $accent 30%)
            # come out right in both themes; text keeps only its colour, not to paint over the lit row.
            style = self.get_component_rich_style(name)
            if name not in self.ROW_STYLES:
                style = Style(color=style.color, bold=style.bold, italic=style.italic)
            styles[name.split("--", 1)[1]] = style
        return render_excerpt(self.excerpt, styles)


def bar(part: int, whole: int, width: int = 10) -> str:
    """A bar of ``width`` cells, ``█`` for the share right, ``░`` for the rest."""
    filled = round(width * part / whole) if whole else 0
    return "█" * filled + "░" * (width - filled)


def tally_lines(title: str, tallies: Sequence[Tally], width: int = 12) -> list[Content]:
    """A small table: label, right, of, percent and a bar."""
    lines = [Content.styled(f"{title:<{width}}{'right':>6}{'of':>4}{'%':>6}", "$text-muted bold")]
    for t in tallies:
        label = t.label if len(t.label) <= width - 1 else t.label[: width - 2] + "…"
        lines.append(Content.assemble(f"{label:<{width}}{t.right:>6}{t.total:>4}{t.percent:>5}%  ",
                                      (bar(t.right, t.total), RIGHT)))
    return lines


class ScoreSummary(Widget):
    """The score, the percentage, a row per difficulty; what the review holds."""

    def __init__(self, session: QuizSession, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session

    def render(self) -> Content:
        s = self.session
        lines = [
            Content.assemble((f"{s.right} of {len(s)} right", "bold"), "   ", (f"{s.percent}%", f"{CODE} bold"),
                             "   ", (bar(s.right, len(s), 20), RIGHT)),
            Content(""),
            *tally_lines("difficulty", s.by_difficulty()),
            Content(""),
        ]
        wrong = len(s.wrong())
        unanswered = len(s) - s.answered
        if s.timed_out:
            lines.append(Content.assemble(("Time's up: ", f"{WRONG} bold"),
                                          f"{unanswered} not answered, counted as wrong."))
        lines.append(Content.assemble(("r", "bold"), f": review the {wrong} wrong answer{'s' if wrong != 1 else ''}.")
                     if wrong else Content("Every answer right: nothing to review."))
        return Content("\n").join(lines)


class TopicSummary(Widget):
    """A row per topic (kind of question): where to revise."""

    def __init__(self, session: QuizSession, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session

    def render(self) -> Content:
        tallies = [Tally(topic(t.label), t.total, t.right) for t in self.session.by_kind()]
        tallies.sort(key=lambda t: (t.right / t.total, t.label))  # the weakest first
        return Content("\n").join(tally_lines("topic", tallies, 24))


class QuestionTally(Widget):
    """One line per question: ✓ or ✗ (· not yet, ▶ on screen), its number, difficulty, and its text or topic.

    During the quiz (``topics``) a line names the topic only, so it gives
    nothing away; the results show the questions themselves.
    """

    current: reactive[int | None] = reactive(None, always_update=True)

    def __init__(self, session: QuizSession, *, topics: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.topics = topics

    def render(self) -> Content:
        s = self.session
        width = len(str(len(s)))
        lines = []
        for i in range(len(s)):
            q = s.question(i)
            if i == self.current and not s.is_answered(i):
                mark = ("▶ ", f"{CODE} bold")
            elif not s.is_answered(i) and not s.finished:
                mark = ("· ", "$text-muted")
            else:
                mark = ("✓ ", f"{RIGHT} bold") if s.is_right(i) else ("✗ ", f"{WRONG} bold")
            text = Content(topic(q.kind)) if self.topics else inline_code(q.question, code=CODE)
            # One line each: the stylesheet cuts a long question with an ellipsis.
            line = Content.assemble(mark, (f"{i + 1:>{width}} {q.difficulty.name.lower():<7}", "$text-muted"), text)
            lines.append(line.stylize("bold", 0, len(line)) if i == self.current else line)
        return Content("\n").join(lines)
