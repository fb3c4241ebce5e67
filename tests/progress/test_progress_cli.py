"""``smtpsim quiz`` remembers, ``smtpsim progress`` tells: the real commands, the app headless under a script."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from simulator.cli.main import main
from simulator.progress.paths import database_path
from simulator.progress.store import open_store
from simulator.scenario.topics import Topic
from tests.progress.drive import scripted, wrong

pytestmark = [pytest.mark.ui, pytest.mark.timeout(120)]
QUIZ = ["quiz", "--scenario", "submission-starttls", "--scenario", "user-unknown", "--count", "6", "--seed", "3"]


def _progress(capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["progress", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_progress_json_after_a_scripted_quiz_shows_exactly_what_was_answered(monkeypatch, capsys):
    # Wrong on every other question, by position in the quiz.
    turn = iter(range(100))
    drive = scripted(monkeypatch, lambda q: q.answer if next(turn) % 2 else wrong(q))
    assert main(QUIZ) == 0
    out = capsys.readouterr().out
    assert len(drive.log) == 6
    right = sum(choice == q.answer for q, choice in drive.log)
    assert right == 3
    assert "Score 3/6 (50%)" in out and str(database_path()) in out  # the lines left in the terminal
    data = _progress(capsys)
    assert data["answers"]["answered"] == 6 and data["answers"]["right"] == 3 and data["answers"]["questions"] == 6
    assert data["answers"]["by_source"] == {"quiz": {"answered": 6, "right": 3, "percent": 50}}
    assert [(q["id"], q["last_chosen"], q["last_correct"]) for q in data["questions"]] == [
        (q.id, choice, choice == q.answer) for q, choice in drive.log]
    # Per topic, counted here from the questions asked.
    expected: Counter[str] = Counter()
    expected_right: Counter[str] = Counter()
    for q, choice in drive.log:
        for t in q.topics:
            expected[t.value] += 1
            expected_right[t.value] += choice == q.answer
    got = {t["topic"]: (t["answered"], t["right"]) for t in data["topics"]}
    assert got == {t.value: (expected[t.value], expected_right[t.value]) for t in Topic}
    assert len(data["days"]) == 1 and data["days"][0]["answered"] == 6
    # The three missed are due for review now; the three right come back tomorrow (box 2).
    assert data["review"]["due_now"] == 3 and data["review"]["learning"] == 6
    assert {q["id"] for q in data["questions"] if q["box"] == 1} == {q.id for q, c in drive.log if c != q.answer}
    assert data["lessons"]["done"] == 0
    assert any("smtpsim quiz --review" in line for line in drive.results)


def test_review_brings_back_what_was_missed_first(monkeypatch, capsys):
    first = scripted(monkeypatch, lambda q: wrong(q) if "587" in q.stem or q.kind.value != "port" else q.answer)
    assert main(QUIZ) == 0
    missed = [q.id for q, c in first.log if c != q.answer]
    assert missed
    review = scripted(monkeypatch, lambda q: q.answer)
    assert main(["quiz", "--review", "--count", "8"]) == 0
    asked = [q.id for q in review.asked]
    assert sorted(asked[:len(missed)]) == sorted(missed)  # due first
    answered_before = {q.id for q, _ in first.log}
    assert not set(asked[len(missed):]) & answered_before  # then only new ones
    data = _progress(capsys)
    assert data["answers"]["by_source"]["review"]["answered"] == 8
    boxes = {q["id"]: q["box"] for q in data["questions"]}
    assert all(boxes[qid] == 2 for qid in missed)  # wrong (box 1), then right: box 2


def test_a_quiz_left_half_way_is_resumed_where_it_stopped(monkeypatch, capsys):
    count = iter(range(100))
    first = scripted(monkeypatch, lambda q: q.answer if next(count) < 2 else None)  # two answers, then leave
    assert main(QUIZ) == 0
    assert "Left half-way: smtpsim quiz --resume" in capsys.readouterr().out
    second = scripted(monkeypatch, lambda q: q.answer)
    assert main(["quiz", "--resume"]) == 0
    assert [q.id for q in second.asked] == [q.id for q in first.asked[2:]]
    assert any("Resuming the quiz" in n for n in second.notices)
    with open_store(database_path()) as store:
        assert store.unfinished_session() is None
        assert len(store.answers()) == 6
    assert main(["quiz", "--resume"]) == 0
    assert "No quiz was left half-way" in capsys.readouterr().out


def test_a_new_quiz_says_one_was_left_half_way(monkeypatch, capsys):
    leave = iter([True, False])
    scripted(monkeypatch, lambda q: q.answer if next(leave) else None)
    assert main(QUIZ) == 0
    again = scripted(monkeypatch, lambda q: q.answer)
    assert main([*QUIZ[:-1], "4"]) == 0
    assert any("left a quiz half-way" in n and "--resume" in n for n in again.notices)


def test_a_damaged_record_leaves_the_quiz_usable_and_says_so_once(monkeypatch, capsys):
    db = database_path()
    db.parent.mkdir(parents=True)
    db.write_bytes(b"not sqlite at all " * 100)
    drive = scripted(monkeypatch, lambda q: q.answer)
    assert main(QUIZ) == 0
    assert len(drive.log) == 6  # every question asked and answered
    said = [n for n in drive.notices if "not being saved" in n]
    assert len(said) == 1 and "damaged" in said[0] and str(db) in said[0]
    assert db.read_bytes() == b"not sqlite at all " * 100
    capsys.readouterr()
    assert main(["progress"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err
    assert main(["quiz", "--review"]) == 1
    assert "damaged" in capsys.readouterr().err


def test_profiles_keep_separate_records(monkeypatch, capsys):
    scripted(monkeypatch, lambda q: q.answer)
    assert main([*QUIZ, "--profile", "lab-2"]) == 0
    assert _progress(capsys, "--profile", "lab-2")["answers"]["answered"] == 6
    assert _progress(capsys)["answers"]["answered"] == 0
    assert database_path("lab-2").exists() and not database_path().exists()
    monkeypatch.setenv("SMTPSIM_PROFILE", "lab-2")
    assert _progress(capsys)["answers"]["answered"] == 6
    with pytest.raises(SystemExit) as bad:
        main(["progress", "--profile", "../etc"])
    assert bad.value.code == 2 and "profile name" in capsys.readouterr().err


def test_no_save_records_nothing(monkeypatch, capsys):
    scripted(monkeypatch, lambda q: q.answer)
    assert main([*QUIZ, "--no-save"]) == 0
    assert not database_path().exists()


def test_progress_in_the_terminal_shows_the_chart(monkeypatch, capsys):
    scripted(monkeypatch, lambda q: wrong(q) if q.kind.value == "port" else q.answer)
    assert main(QUIZ) == 0
    capsys.readouterr()
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "Accuracy by topic" in out and "Score over time" in out and "Lessons (0 of" in out
    assert "█" in out and any(0x2800 < ord(ch) <= 0x28FF for ch in out)


def test_an_empty_record_says_how_to_start(capsys):
    assert main(["progress"]) == 0
    assert "No progress recorded yet" in capsys.readouterr().out
    assert not database_path().exists()


def test_progress_for_one_topic_counts_only_its_answers(monkeypatch, capsys):
    drive = scripted(monkeypatch, lambda q: q.answer)
    assert main(QUIZ) == 0
    on = [q for q, _ in drive.log if Topic.DELIVERY in q.topics]
    assert on and len(on) < len(drive.log)
    data = _progress(capsys, "--topic", "delivery")
    assert data["answers"]["answered"] == len(on)
    assert {q["id"] for q in data["questions"]} == {q.id for q in on}
    assert main(["progress", "--topic", "delivery"]) == 0
    assert "Only the answers on delivery and NDRs" in capsys.readouterr().out
