"""GIFT export against the format's rules (Moodle's GIFT format documentation).

An independent tokenizer reads the export back: special characters ~ = # { } :
inside texts must be backslash-escaped, each question is ::title::text {...},
= marks the right answer, ~ each wrong one, #### the general feedback.
"""

from simulator.quiz.export import gift_escape, to_gift, to_json, to_markdown
from simulator.quiz.model import Difficulty, Question

NASTY = Question(
    scenario="lab: {x}",
    kind="authored",
    difficulty=Difficulty.HARD,
    question="Which reply = 550 ~ says #no {user}: at all?",
    choices=("550 5.1.1 {a}", "2+2=4 ~ish", "#hash: tag", "plain"),
    answer="550 5.1.1 {a}",
    explanation="RCPT {to} got 550: it = permanent # failure ~ really",
    rfc="RFC 5321 §4.2",
)


def split_raw(text: str, seps: str):
    """Split raw GIFT text on unescaped separators; pieces stay escaped."""
    pieces, found, start, i = [], [], 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in seps:
            pieces.append(text[start:i])
            found.append(text[i])
            start = i + 1
        i += 1
    pieces.append(text[start:])
    return pieces, found


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append("\n" if text[i + 1] == "n" else text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def parse_gift(text: str):
    out = []
    for block in text.strip().split("\n\n"):
        body = "\n".join(ln for ln in block.splitlines() if not ln.startswith("//"))
        assert body.startswith("::")
        title_and_rest, colons = split_raw(body[2:], ":")
        # The title is closed by the first unescaped "::".
        assert colons[:2] == [":", ":"] and title_and_rest[1] == ""
        title = title_and_rest[0]
        rest = body[2 + len(title) + 2:]
        parts, braces = split_raw(rest, "{}")
        assert braces == ["{", "}"], f"exactly one unescaped answer block: {braces}"
        question, answers = parts[0].strip(), parts[1]
        answers, _, feedback = answers.partition("####")
        tokens, marks = split_raw(answers, "=~")
        choices = [(m, unescape(t.strip())) for m, t in zip(marks, tokens[1:])]
        out.append((unescape(title), unescape(question), choices, unescape(feedback.strip()) or None))
    return out


def test_gift_escapes_every_special_character():
    assert gift_escape("a~b=c#d{e}f:g\\h") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h"


def test_gift_round_trips_through_an_independent_reader():
    (title, question, choices, feedback), = parse_gift(to_gift([NASTY]))
    assert title == "Q1 lab: {x}"
    assert question == NASTY.question
    assert [c for _, c in choices] == list(NASTY.choices)
    assert [m for m, c in choices if c == NASTY.answer] == ["="]
    assert all(m == "~" for m, c in choices if c != NASTY.answer)
    assert feedback == NASTY.explanation + " (RFC 5321 §4.2)"


def test_no_unescaped_special_character_leaks_into_text():
    body = "\n".join(ln for ln in to_gift([NASTY]).splitlines() if not ln.startswith("//"))
    parts, braces = split_raw(body, "{}")
    assert braces == ["{", "}"]  # only the answer block's own braces are unescaped
    assert parts[0].rstrip().endswith("at all?")


def test_json_has_the_required_fields():
    import json

    (item,) = json.loads(to_json([NASTY]))
    assert {"question", "choices", "answer", "explanation", "scenario"} <= item.keys()
    assert item["answer"] in item["choices"] and len(item["choices"]) >= 3


def test_markdown_keys_the_right_letter():
    md = to_markdown([NASTY])
    assert "- a) 550 5.1.1 {a}" in md and "1. **a)** 550 5.1.1 {a}" in md
