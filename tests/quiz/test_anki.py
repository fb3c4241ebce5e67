"""``smtpsim quiz --format anki``: a valid deck, one note per question, stable GUIDs, topics as tags.

The .apkg is opened as Anki opens it: a zip holding the SQLite collection
``collection.anki2`` (notes: guid, mid, tags, flds separated by 0x1f; col: the
note types and decks as JSON).
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from html import unescape
from pathlib import Path

import pytest

from simulator.cli.main import main
from simulator.quiz.anki import DECK_ID, DECK_NAME, FIELDS, MODEL_ID
from simulator.quiz.build import pooled_bank
from simulator.scenario import list_scenarios
from simulator.scenario.library import open_scenario
from simulator.scenario.topics import Topic

LESSONS = ["submission-starttls", "user-unknown", "greylisting"]
ARGS = [a for name in LESSONS for a in ("--scenario", name)]


def export(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["quiz", *ARGS, "--format", "anki", "--output", str(out), *extra]) == 0
    return out


def notes(apkg: Path, tmp_path: Path) -> tuple[list[tuple[str, int, str, list[str]]], dict, dict]:
    """(guid, model id, tags, fields) of every note, and the collection's models and decks."""
    with zipfile.ZipFile(apkg) as z:
        assert z.testzip() is None
        assert set(z.namelist()) == {"collection.anki2", "media"}
        assert json.loads(z.read("media")) == {}
        target = tmp_path / f"{apkg.stem}.anki2"
        target.write_bytes(z.read("collection.anki2"))
    db = sqlite3.connect(target)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = [(guid, mid, tags, flds.split("\x1f")) for guid, mid, tags, flds in
            db.execute("SELECT guid, mid, tags, flds FROM notes ORDER BY id")]
    models, decks = (json.loads(v) for v in db.execute("SELECT models, decks FROM col").fetchone())
    cards = db.execute("SELECT count(*), count(DISTINCT nid) FROM cards").fetchone()
    assert cards[0] == cards[1] == len(rows)  # one card per note
    return rows, models, decks


def bank():
    return [q for q, _ in pooled_bank([open_scenario(n) for n in LESSONS])]


def test_the_deck_is_valid_with_one_note_per_question_and_topics_as_tags(tmp_path, capsys):
    apkg = export(tmp_path, "deck.apkg")
    assert "an Anki deck of" in capsys.readouterr().out
    rows, models, decks = notes(apkg, tmp_path)
    questions = bank()
    assert len(rows) == len(questions)  # without --count: the whole bank of those lessons
    assert str(MODEL_ID) in models and [f["name"] for f in models[str(MODEL_ID)]["flds"]] == list(FIELDS)
    assert str(DECK_ID) in decks and decks[str(DECK_ID)]["name"] == DECK_NAME
    by_id = {q.id: q for q in questions}
    for guid, mid, tags, fields in rows:
        assert mid == MODEL_ID
        q = by_id[fields[FIELDS.index("Id")]]
        assert set(tags.split()) == {t.value for t in q.topics} | {f"difficulty::{q.difficulty.name.lower()}"}
        assert all(Topic(t) for t in tags.split() if not t.startswith("difficulty::"))
        text = lambda name: unescape(re.sub(r"<[^>]+>", "", fields[FIELDS.index(name)]))  # noqa: E731
        assert text("Answer").endswith(q.answer.replace("`", ""))
        assert text("Explanation") == q.explanation.replace("`", "")
        assert text("RFC") == q.rfc
        assert text("Lesson") == q.scenario
        for line in q.exhibit:
            assert unescape(line) in unescape(fields[0])
    assert len({guid for guid, *_ in rows}) == len(rows)


def test_code_is_marked_up_and_markup_in_text_is_escaped(tmp_path):
    rows, _, _ = notes(export(tmp_path, "deck.apkg"), tmp_path)
    joined = "".join(f for *_, fields in rows for f in fields)
    assert "<code>" in joined
    assert "<alice@example.org>" not in joined and "&lt;alice@example.org&gt;" in joined


def test_a_second_export_has_the_same_guids_even_with_the_choices_reshuffled(tmp_path):
    first, _, _ = notes(export(tmp_path, "one.apkg"), tmp_path)
    second, _, _ = notes(export(tmp_path, "two.apkg", "--seed", "99"), tmp_path)
    guid_of = lambda rows: {fields[FIELDS.index("Id")]: guid for guid, _, _, fields in rows}  # noqa: E731
    assert guid_of(first) == guid_of(second)
    # The seed did change the deck (choice order), so the GUIDs do not come from the fields.
    assert [f[1] for *_, f in first] != [f[1] for *_, f in second]


def test_a_narrowed_export_is_a_subset_with_the_same_guids(tmp_path):
    whole, _, _ = notes(export(tmp_path, "all.apkg"), tmp_path)
    ports, _, _ = notes(export(tmp_path, "ports.apkg", "--topic", "ports"), tmp_path)
    assert 0 < len(ports) < len(whole)
    assert {g for g, *_ in ports} <= {g for g, *_ in whole}
    assert all("ports" in tags.split() for _, _, tags, _ in ports)


def test_anki_needs_an_output_file_and_a_bad_folder_gets_one_message(tmp_path, capsys):
    assert main(["quiz", "--format", "anki"]) == 2
    assert "--output FILE.apkg" in capsys.readouterr().err
    assert main(["quiz", *ARGS, "--format", "anki", "--output", str(tmp_path / "no" / "such" / "d.apkg")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the Anki deck" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_topic_narrows_the_text_formats_and_output_writes_the_file(tmp_path, capsys):
    assert main(["quiz", "--topic", "dns-records", "--topic", "retries", "--count", "8", "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got and all({"dns-records", "retries"} & set(q["topics"]) for q in got)
    out = tmp_path / "bank.gift"
    assert main(["quiz", *ARGS, "--format", "gift", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count("::Q") == 10


def test_an_unknown_topic_names_the_list(capsys):
    with pytest.raises(SystemExit) as bad:
        main(["quiz", "--topic", "spam", "--format", "json"])
    assert bad.value.code == 2
    err = capsys.readouterr().err
    assert "--topic expects one of ports, tls-modes" in err and "'spam'" in err


def test_the_whole_shipped_bank_exports(tmp_path):
    out = tmp_path / "all.apkg"
    assert main(["quiz", "--format", "anki", "--output", str(out)]) == 0
    rows, _, _ = notes(out, tmp_path)
    assert len(rows) == len(pooled_bank(list_scenarios()))
