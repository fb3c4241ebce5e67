"""Quizzes as JSON, Moodle GIFT, or Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence

from simulator.quiz.model import Question

# GIFT's special characters, escaped with a backslash inside any text.
_GIFT_SPECIAL = "\\~=#{}:"


def to_json(questions: Sequence[Question]) -> str:
    return json.dumps([q.to_json() for q in questions], indent=2, ensure_ascii=False)


def gift_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in _GIFT_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def to_gift(questions: Sequence[Question]) -> str:
    """One multiple-choice block per question; the explanation is the general feedback."""
    blocks = []
    for n, q in enumerate(questions, 1):
        lines = [f"// {q.scenario}: {q.kind} ({q.difficulty.name.lower()})",
                 f"::Q{n} {gift_escape(q.scenario)}::{gift_escape(q.question)} {{"]
        for choice in q.choices:
            mark = "=" if choice == q.answer else "~"
            lines.append(f"\t{mark}{gift_escape(choice)}")
        feedback = q.explanation + (f" ({q.rfc})" if q.rfc else "")
        lines.append(f"\t####{gift_escape(feedback)}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def to_markdown(questions: Sequence[Question]) -> str:
    letters = "abcdefgh"
    out = ["# smtpsim quiz", ""]
    for n, q in enumerate(questions, 1):
        out.append(f"**{n}.** {q.question}  ")
        out.append(f"*{q.scenario} · {q.difficulty.name.lower()}*")
        out.append("")
        for letter, choice in zip(letters, q.choices):
            out.append(f"- {letter}) {choice}")
        out.append("")
    out += ["## Answers", ""]
    for n, q in enumerate(questions, 1):
        letter = letters[q.choices.index(q.answer)]
        rfc = f" ({q.rfc})" if q.rfc else ""
        out.append(f"{n}. **{letter})** {q.answer}: {q.explanation}{rfc}")
    return "\n".join(out) + "\n"
