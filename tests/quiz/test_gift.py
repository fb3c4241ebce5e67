"""GIFT and Markdown exports, read back by readers that do not share the exporter's code.

``moodle_read`` follows Moodle's own GIFT importer (question/format/gift/format.php,
``readquestion`` for multiple choice): comment lines dropped, ``\\\\`` and the
escapes ``\\: \\# \\= \\{ \\} \\~ \\n`` replaced by placeholders first, the title
cut at the first ``::``, the answers between the first ``{`` and ``}``, the
general feedback after the last ``####``, a ``[format]`` marker at the start
of the question text, answers split at ``~`` (``=`` marks the right one) and
their own feedback at ``#``. Every other backslash stays for the format to read.

The texts come out as Markdown (the ``[markdown]`` marker), which markdown-it
renders: protocol text must come out as ``<code>``, never as literal backticks.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from simulator.quiz.export import gift_escape, to_gift, to_json, to_markdown
from simulator.quiz.model import Difficulty, Question, QuestionKind
from tests.quiz.bankkit import questions

NASTY = Question(
    scenario="lab: {x}",
    kind=QuestionKind.AUTHORED,
    difficulty=Difficulty.HARD,
    question="Which reply = 550 ~ says #no {user}: at all to `RCPT TO:<a_b@x.org>` *now*?",
    choices=("550 5.1.1 {a}", "2+2=4 ~ish", "#hash: tag", "`MAIL FROM:<>` \\ back"),
    answer="550 5.1.1 {a}",
    explanation="587. RCPT {to} got 550: it = permanent # failure ~ really <b>",
    rfc="RFC 5321 §4.2",
    exhibit=("S: 250-SIZE 1024", "C: MAIL FROM:<a@x.org> SIZE=2048", "S: 552 5.3.4 `too` big"),
)

_ESCAPES = {"\\:": "\x01058", "\\#": "\x01035", "\\=": "\x01061", "\\{": "\x01123", "\\}": "\x01125",
            "\\~": "\x01126", "\\n": "\x01010"}
_BACK = {":": "\x01058", "#": "\x01035", "=": "\x01061", "{": "\x01123", "}": "\x01125", "~": "\x01126",
         "\n": "\x01010"}


def _pre(text: str) -> str:
    text = text.replace("\\\\", "\x01092")
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace("\x01092", "\\")


def _post(text: str) -> str:
    for char, placeholder in _BACK.items():
        text = text.replace(placeholder, char)
    return text


def _with_format(text: str, default: str = "moodle") -> tuple[str, str]:
    fmt = default
    if text.startswith("["):
        end = text.index("]")
        if text[1:end] in ("html", "moodle", "plain", "markdown"):
            fmt, text = text[1:end], text[end + 1:]
    return _post(text).strip(), fmt


def moodle_read(block: str) -> dict:
    lines = [" " if ln.strip().startswith("//") else ln for ln in block.split("\n")]
    text = _pre("\n".join(lines).strip())
    assert text.startswith("::")
    text = text[2:]
    end = text.index("::")
    title, text = _post(text[:end]), text[end + 2:].strip()
    start, finish = text.index("{"), text.index("}")
    assert text.endswith("}") and finish == len(text) - 1, "one answer block, at the end"
    answers, stem = text[start + 1: finish].strip(), text[:start]
    general = ""
    if "####" in answers:
        cut = answers.rindex("####")
        general, answers = answers[cut + 4:], answers[:cut].strip()
    question, fmt = _with_format(stem)
    choices = []
    for piece in answers.replace("=", "~=").split("~"):
        piece = piece.strip()
        if not piece:
            continue
        right = piece.startswith("=")
        body = piece[1:] if right else piece
        answer, _, feedback = body.partition("#")
        choices.append((right, _with_format(answer.strip(), fmt)[0]))
    return {"title": title, "format": fmt, "question": question, "choices": choices,
            "feedback": _with_format(general, fmt)[0]}


def gift_blocks(text: str) -> list[str]:
    return [b for b in text.strip().split("\n\n") if b.strip()]


class _Text(HTMLParser):
    """The visible text of rendered HTML, and the text inside <code>."""

    def __init__(self) -> None:
        super().__init__()
        self.text, self.code, self._in_code = [], [], 0

    def handle_starttag(self, tag, attrs):
        self._in_code += tag == "code"

    def handle_endtag(self, tag):
        self._in_code -= tag == "code"

    def handle_data(self, data):
        self.text.append(data)
        if self._in_code:
            self.code.append(data)


def render(markdown: str) -> _Text:
    parsed = _Text()
    parsed.feed(MarkdownIt("commonmark").render(markdown))
    return parsed


def visible(markdown: str) -> str:
    return html.unescape("".join(render(markdown).text)).strip()


def test_gift_escapes_every_special_character():
    assert gift_escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"


def test_gift_round_trips_through_moodles_reading():
    (block,) = gift_blocks(to_gift([NASTY]))
    read = moodle_read(block)
    assert read["title"] == "Q1 lab: {x}"
    assert read["format"] == "markdown"
    assert [c for c in read["choices"] if c[0]] == [(True, read["choices"][[c[0] for c in read["choices"]].index(True)][1])]
    shown = [visible(text) for _, text in read["choices"]]
    assert shown == [c.replace("`", "") for c in NASTY.choices]
    assert [visible(t) for right, t in read["choices"] if right] == [NASTY.answer]
    assert visible(read["feedback"]) == NASTY.explanation + " (RFC 5321 §4.2)"


def test_gift_question_text_renders_code_as_code():
    read = moodle_read(gift_blocks(to_gift([NASTY]))[0])
    page = render(read["question"])
    text = html.unescape("".join(page.text))
    outside = html.unescape("".join(t for t in page.text if t not in page.code))
    assert "`" not in outside  # no literal backticks: the code span became <code>
    assert "RCPT TO:<a_b@x.org>" in page.code
    # The exhibit is a code block, line for line, backticks and all.
    block = "".join(page.code)
    for line in NASTY.exhibit:
        assert line in block
    assert text.startswith(NASTY.question.replace("`", ""))


def test_the_whole_bank_reads_back_through_moodles_importer():
    qs = questions()
    blocks = gift_blocks(to_gift(qs))
    assert len(blocks) == len(qs)
    for q, block in zip(qs, blocks):
        read = moodle_read(block)
        assert read["format"] == "markdown"
        assert visible(read["question"]).startswith(q.question.replace("`", "")), q.question
        assert [visible(t) for _, t in read["choices"]] == [c.replace("`", "") for c in q.choices]
        assert [visible(t) for right, t in read["choices"] if right] == [q.answer.replace("`", "")]
        assert "`" not in visible(read["question"]) and "`" not in visible(read["feedback"])
        for code in re.findall(r"`([^`]+)`", q.question):
            assert code in render(read["question"]).code


def test_no_choice_could_be_read_as_a_weight_or_a_format():
    # GIFT has no escape for "%50%" at the start of an answer, nor for a leading "[html]".
    for q in questions():
        for choice in q.choices:
            assert not re.match(r"%-?\d", choice) and not choice.startswith("[")


def test_markdown_export_renders_code_as_code_and_keys_the_right_letter():
    md = to_markdown([NASTY])
    page = render(md)
    text = html.unescape("".join(page.text))
    outside = html.unescape("".join(t for t in page.text if t not in page.code))
    assert "`" not in outside
    assert "RCPT TO:<a_b@x.org>" in page.code and "MAIL FROM:<>" in page.code
    assert "<b>" in outside  # an angle bracket in running text stays text, not a tag
    assert "*now*" in outside and "a_b" in "".join(page.code)  # asterisks stay as typed: no emphasis
    assert "1. **a)** 550 5.1.1 {a}" in md or "**a)** 550 5.1.1 {a}" in md
    assert "587. RCPT" in text  # the explanation did not become a list starting at 587


def test_markdown_export_of_the_bank_has_no_literal_backticks():
    page = render(to_markdown(questions()))
    assert len(page.code) > 100
    outside = html.unescape("".join(t for t in page.text if t not in page.code))
    assert "`" not in outside


def test_json_has_the_required_fields():
    (item,) = json.loads(to_json([NASTY]))
    assert {"id", "question", "exhibit", "choices", "answer", "explanation", "scenario", "topics", "kind"} <= item.keys()
    assert item["answer"] in item["choices"] and len(item["choices"]) >= 3
    assert item["id"] == NASTY.id and item["exhibit"] == list(NASTY.exhibit)
