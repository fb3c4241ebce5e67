"""Quizzes as JSON, Moodle GIFT, or Markdown.

Questions mark protocol text with backticks (`MAIL FROM:<>`). Markdown has
code spans, so both text exports are Markdown: the Markdown file directly,
and GIFT through its ``[markdown]`` format marker, which Moodle applies to
the question text, the choices and the feedback alike. Outside code spans
the text is escaped so that ``<alice@example.org>`` or ``*`` stay text; an
exhibit (trace lines shown with the question) becomes a code block.

GIFT's own escaping (Moodle's qformat_gift) comes on top: ``~ = # { } :``
take a backslash, a backslash takes another, a newline is written ``\\n``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from simulator.quiz.model import Question

# GIFT's special characters, escaped with a backslash inside any text.
_GIFT_SPECIAL = "\\~=#{}:"
# Characters Markdown would read as markup in running text (a backslash escapes them).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")
# ... and at the start of a line: a heading, a list item ("587. The port" would start a list at 587).
_MD_LINE_START = re.compile(r"^([ \t]*)(#|[-+]\s|\d{1,9}(?=[.)]\s))", re.MULTILINE)


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


def code_span(code: str) -> str:
    """``code`` as one Markdown code span, whatever backticks it holds (CommonMark §6.1)."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") or (code.startswith(" ") and code.strip()) else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def markdown_text(text: str) -> str:
    """A question's text as Markdown: `backticked` parts become code spans, the rest is escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all of it is text (the backtick escaped below)
        parts = [text]
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(code_span(part))
        else:
            escaped = _MD_SPECIAL.sub(r"\\\1", part)
            out.append(escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    joined = "".join(out)
    return _MD_LINE_START.sub(_escape_line_start, joined)


def _escape_line_start(match: re.Match[str]) -> str:
    lead, mark = match.group(1), match.group(2)
    if mark[0].isdigit():
        return f"{lead}{mark}\\"  # the backslash goes before the "." or ")" that follows
    return f"{lead}\\{mark}"


def markdown_block(lines: Sequence[str]) -> str:
    """Trace lines as a fenced code block, fenced longer than any backtick run inside."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join((fence, *lines, fence))


def markdown_stem(q: Question) -> str:
    stem = markdown_text(q.question)
    return f"{stem}\n\n{markdown_block(q.exhibit)}" if q.exhibit else stem


def to_gift(questions: Sequence[Question]) -> str:
    """One multiple-choice block per question, in Markdown; the explanation is the general feedback."""
    blocks = []
    for n, q in enumerate(questions, 1):
        topics = ", ".join(t.value for t in q.topics)
        lines = [f"// {q.scenario}: {q.kind.value} ({q.difficulty.name.lower()}) id {q.id} topics {topics}",
                 f"::Q{n} {gift_escape(q.scenario)}::[markdown]{gift_escape(markdown_stem(q))} {{"]
        for choice in q.choices:
            mark = "=" if choice == q.answer else "~"
            lines.append(f"\t{mark}{gift_escape(markdown_text(choice))}")
        feedback = q.explanation + (f" ({q.rfc})" if q.rfc else "")
        lines.append(f"\t####{gift_escape(markdown_text(feedback))}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def to_markdown(questions: Sequence[Question]) -> str:
    letters = "abcdefgh"
    out = ["# smtpsim quiz", ""]
    for n, q in enumerate(questions, 1):
        out.append(f"**{n}.** {markdown_stem(q)}")
        out.append("")
        out.append(f"*{markdown_text(q.scenario)} · {q.difficulty.name.lower()}*")
        out.append("")
        for letter, choice in zip(letters, q.choices):
            out.append(f"- {letter}) {markdown_text(choice)}")
        out.append("")
    out += ["## Answers", ""]
    for n, q in enumerate(questions, 1):
        letter = letters[q.choices.index(q.answer)]
        rfc = f" ({q.rfc})" if q.rfc else ""
        out.append(f"{n}. **{letter})** {markdown_text(q.answer)}: {markdown_text(q.explanation + rfc)}")
    return "\n".join(out) + "\n"
