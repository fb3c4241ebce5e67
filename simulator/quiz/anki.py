"""Quizzes as an Anki deck (.apkg), with genanki: one note per question, stable across exports.

A note's GUID is derived from the question's id (its stem and key, see
``Question.id``), so importing a newer deck updates the notes already in
Anki (the explanation reworded, the choices reshuffled) instead of adding
copies; the note type and the deck have fixed ids for the same reason.
Topics become tags. Protocol text marked with backticks becomes ``<code>``;
an exhibit (the trace lines a question shows) a ``<pre>`` block.

genanki is imported here only, when a deck is written.
"""

from __future__ import annotations

import html
import itertools
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from simulator.quiz.model import Question

# Chosen once, at random, and never changed: Anki knows the note type and the deck by these.
MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
DECK_NAME = "smtpsim: email delivery"
GUID_NAMESPACE = "smtpsim-question"
FIELDS = ("Question", "Choices", "Answer", "Explanation", "RFC", "Lesson", "Id")
LETTERS = "abcdefgh"

FRONT = "<div class=stem>{{Question}}</div>{{Choices}}"
BACK = ("{{FrontSide}}<hr id=answer><div class=answer>{{Answer}}</div>"
        "<div class=why>{{Explanation}}</div>{{#RFC}}<div class=rfc>{{RFC}}</div>{{/RFC}}"
        "<div class=lesson>smtpsim lesson: {{Lesson}}</div>")
CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
code, pre { font-family: monospace; }
pre { background: #f3f3f3; color: #222; padding: 6px; white-space: pre-wrap; }
.nightMode pre { background: #2b2b2b; color: #ddd; }
ol.choices { list-style-type: lower-alpha; }
.answer { font-weight: bold; }
.rfc, .lesson { font-size: 14px; opacity: 0.7; margin-top: 6px; }
"""


class AnkiError(Exception):
    """The deck could not be written (the message names the file and why)."""


def html_text(text: str) -> str:
    """A question's text as HTML: `backticked` parts in ``<code>``, the rest escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all text
        parts = [text]
    out = []
    for i, part in enumerate(parts):
        out.append(f"<code>{html.escape(part)}</code>" if i % 2 else html.escape(part))
    return "".join(out).replace("\n", "<br>")


def note_guid(question: Question) -> str:
    """The note's GUID: from the question's id alone, so a newer export updates it."""
    import genanki

    return str(genanki.guid_for(GUID_NAMESPACE, question.id))


def note_fields(question: Question) -> list[str]:
    stem = html_text(question.question)
    if question.exhibit:
        stem += "<pre>" + html.escape("\n".join(question.exhibit)) + "</pre>"
    choices = "<ol class=choices>" + "".join(f"<li>{html_text(c)}</li>" for c in question.choices) + "</ol>"
    letter = LETTERS[question.choices.index(question.answer)]
    return [stem, choices, f"{letter}) {html_text(question.answer)}", html_text(question.explanation),
            html.escape(question.rfc), html.escape(question.scenario), question.id]


def tags(question: Question) -> list[str]:
    """Anki tags: the topics (their values have no spaces), then the difficulty."""
    return [t.value for t in question.topics] + [f"difficulty::{question.difficulty.name.lower()}"]


def build_deck(questions: Sequence[Question]):  # -> genanki.Deck (genanki has no type hints)
    import genanki

    model = genanki.Model(MODEL_ID, "smtpsim question", fields=[{"name": f} for f in FIELDS],
                          templates=[{"name": "Question", "qfmt": FRONT, "afmt": BACK}], css=CSS)
    deck = genanki.Deck(DECK_ID, DECK_NAME, description="Exam-prep questions generated from smtpsim's traces.")
    for q in questions:
        deck.add_note(genanki.Note(model=model, fields=note_fields(q), tags=tags(q), guid=note_guid(q)))
    return deck


def write_apkg(questions: Sequence[Question], output: Path, timestamp: float | None = None) -> None:
    """Write the deck to ``output`` whole or not at all (a temporary file renamed into place)."""
    import genanki

    package = genanki.Package(build_deck(questions))
    stamp = time.time() if timestamp is None else timestamp
    target = output.resolve()
    try:
        with tempfile.TemporaryDirectory(prefix="smtpsim-anki-") as work:
            # genanki's own write_to_file leaves its temporary database behind; this does not.
            collection = Path(work) / "collection.anki2"
            db = sqlite3.connect(collection)
            try:
                package.write_to_db(db.cursor(), stamp, itertools.count(int(stamp * 1000)))
                db.commit()
            finally:
                db.close()
            fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            os.close(fd)
            try:
                with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as apkg:
                    apkg.write(collection, "collection.anki2")
                    apkg.writestr("media", "{}")
                os.replace(partial, target)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise AnkiError(f"cannot write the Anki deck {output}: {exc.strerror or exc}") from exc
