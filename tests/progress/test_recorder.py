"""The recorder never stops a quiz: a record it cannot write gets one notice, the answers wait in memory."""

from __future__ import annotations

import sqlite3

from simulator.progress.model import SessionKind, Source
from simulator.progress.recorder import Recorder
from simulator.progress.store import open_store
from tests.progress.kit import Clock, question


def test_answers_lessons_and_sessions_go_to_the_record_at_once(tmp_path):
    db = tmp_path / "p.db"
    rec = Recorder(db, "default", now=Clock())
    assert rec.start_session(SessionKind.QUIZ, [question(1).id, question(2).id]) is None
    assert rec.answered(question(1), "right 1") is None
    # Another connection sees it before the recorder does anything else: it was committed.
    assert sqlite3.connect(db).execute("SELECT question_id, correct FROM answers").fetchall() == [(question(1).id, 1)]
    rec.answered(question(2), "wrong 2 a", Source.REVIEW)
    rec.lesson_finished("greylisting")
    assert rec.finish_session() is None
    with open_store(db) as store:
        assert [(a.correct, a.source) for a in store.answers()] == [(True, Source.QUIZ), (False, Source.REVIEW)]
        assert store.session(rec.session).finished is not None
    assert rec.lessons_done() == frozenset({"greylisting"})


def test_a_record_that_cannot_be_opened_gives_one_notice_and_the_answers_are_kept(tmp_path):
    (tmp_path / "blocker").write_text("a file where the folder should be")
    rec = Recorder(tmp_path / "blocker" / "p.db", "default", now=Clock())
    first = rec.start_session(SessionKind.QUIZ, ["x"])
    assert first is not None and first.startswith("Progress is not being saved:") and "blocker" in first
    assert rec.answered(question(1), "right 1") is None  # said once, not with every answer
    assert rec.answered(question(2), "right 2") is None
    assert len(rec.pending) == 2 and rec.problem is not None


def test_a_lock_that_goes_away_loses_nothing_and_says_so(tmp_path):
    db = tmp_path / "p.db"
    with open_store(db):
        pass
    rec = Recorder(db, "default", now=Clock(), timeout=0.1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    notice = rec.answered(question(1), "right 1")
    assert notice is not None and "locked" in notice
    assert rec.answered(question(2), "wrong 2 a") is None and len(rec.pending) == 2
    holder.execute("ROLLBACK")
    holder.close()
    again = rec.answered(question(3), "right 3")
    assert again is not None and "saved again" in again and rec.problem is None and rec.pending == []
    with open_store(db) as store:
        assert [a.question_id for a in store.answers()] == [question(n).id for n in (1, 2, 3)]


def test_the_report_of_a_record_not_made_yet_does_not_make_it(tmp_path):
    db = tmp_path / "smtpsim" / "p.db"
    rep = Recorder(db, "lab", now=Clock()).report()
    assert rep.total.answered == 0 and rep.profile == "lab" and not db.exists() and not db.parent.exists()
