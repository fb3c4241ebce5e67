"""The SQLite record: versioned schema, WAL, one transaction per answer, clear errors, nothing lost."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from simulator.progress.model import SessionKind, Source
from simulator.progress.schema import MIGRATIONS, SCHEMA_VERSION
from simulator.progress.store import Problem, ProgressError, open_store
from simulator.scenario.topics import Topic
from tests.progress.kit import T0, answer, question


@pytest.fixture
def db(tmp_path):
    return tmp_path / "smtpsim" / "progress.db"


def test_a_new_record_is_created_in_wal_mode_at_the_latest_schema(db):
    with open_store(db) as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"answers", "lessons", "sessions"} <= tables


def test_answers_lessons_and_sessions_read_back_as_written(db):
    q1, q2 = question(1, (Topic.PORTS, Topic.TLS_MODES)), question(2, (Topic.RETRIES,))
    with open_store(db) as store:
        sid = store.start_session(SessionKind.QUIZ, [q1.id, q2.id], T0)
        store.record_answer(answer(q1, True, T0, session=sid))
        store.record_answer(answer(q2, False, T0.replace(minute=5), Source.REVIEW, session=sid))
        store.record_lesson("greylisting", T0)
    with open_store(db) as store:
        got = store.answers()
        assert [(a.question_id, a.correct, a.source, a.topics, a.session) for a in got] == [
            (q1.id, True, Source.QUIZ, (Topic.PORTS, Topic.TLS_MODES), sid),
            (q2.id, False, Source.REVIEW, (Topic.RETRIES,), sid)]
        assert got[1].at == T0.replace(minute=5) and got[1].at.utcoffset() == T0.utcoffset()
        assert got[1].chosen == q2.distractors[0] and got[1].question == q2.stem
        assert [(f.lesson, f.at) for f in store.lessons()] == [("greylisting", T0)]
        info = store.session(sid)
        assert info.questions == (q1.id, q2.id) and info.answered == (q1.id, q2.id) and info.finished is None


def test_the_latest_quiz_left_half_way_is_found_and_a_finished_one_is_not(db):
    qs = [question(n) for n in range(4)]
    with open_store(db) as store:
        done = store.start_session(SessionKind.QUIZ, [q.id for q in qs[:2]], T0)
        for q in qs[:2]:
            store.record_answer(answer(q, True, session=done))
        store.finish_session(done, T0)
        left = store.start_session(SessionKind.REVIEW, [q.id for q in qs], T0.replace(minute=10))
        store.record_answer(answer(qs[0], False, session=left))
        info = store.unfinished_session()
        assert info is not None and info.id == left and info.kind is SessionKind.REVIEW
        assert info.unanswered == tuple(q.id for q in qs[1:])


def test_a_file_that_is_not_a_database_is_refused_and_left_as_it_was(db):
    db.parent.mkdir(parents=True)
    garbage = b"these are my notes, not a database\n" * 200
    db.write_bytes(garbage)
    with pytest.raises(ProgressError) as caught:
        open_store(db)
    assert caught.value.problem is Problem.CORRUPT
    message = str(caught.value)
    assert str(db) in message and "damaged" in message and "--profile" in message
    assert db.read_bytes() == garbage


def test_a_damaged_page_gives_the_damaged_message_and_the_file_is_not_rewritten(db):
    with open_store(db) as store:
        for n in range(300):
            store.record_answer(answer(question(n), n % 2 == 0))
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page:3 * page] = b"\xff" * page  # a page in the middle of the answers table
    db.write_bytes(bytes(data))
    with pytest.raises(ProgressError) as caught:
        with open_store(db) as store:
            store.answers()
    assert caught.value.problem is Problem.CORRUPT
    assert db.read_bytes() == bytes(data)


def test_a_record_from_a_newer_release_is_not_touched(db):
    with open_store(db):
        pass
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    raw.commit()
    raw.close()
    before = db.read_bytes()
    with pytest.raises(ProgressError) as caught:
        open_store(db)
    assert caught.value.problem is Problem.NEWER and "newer smtpsim" in str(caught.value)
    assert db.read_bytes() == before


def test_some_other_sqlite_file_is_not_taken_for_a_record(db):
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE recipes (name TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(ProgressError) as caught:
        open_store(db)
    assert caught.value.problem is Problem.FOREIGN
    assert sqlite3.connect(db).execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]


def test_a_locked_record_says_locked_within_the_timeout(db):
    with open_store(db):
        pass
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holding the write lock
    try:
        with open_store(db, timeout=0.2) as store:
            with pytest.raises(ProgressError) as caught:
                store.record_answer(answer(question(1), True))
        assert caught.value.problem is Problem.LOCKED and "locked by another program" in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_writer_waits_for_another_writers_short_transaction(db):
    with open_store(db):
        pass
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    with open_store(db, timeout=5) as store:
        store.record_answer(answer(question(1), True))  # waits for the commit, then writes
        assert len(store.answers()) == 1
    holder.close()


def test_a_folder_that_cannot_be_made_gives_one_clear_message(tmp_path):
    (tmp_path / "blocker").write_text("a file where the folder should be")
    target = tmp_path / "blocker" / "smtpsim" / "progress.db"
    with pytest.raises(ProgressError) as caught:
        open_store(target)
    assert caught.value.problem is Problem.UNREADABLE and str(target) in str(caught.value)


# -- migrations ------------------------------------------------------------------------------------
OLD = (MIGRATIONS[0],)
NEXT = (*MIGRATIONS, ("ALTER TABLE answers ADD COLUMN seconds_taken REAL",
                     "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"))


def test_an_older_record_is_migrated_keeping_its_answers_and_a_copy_is_made_first(db):
    with open_store(db, migrations=OLD) as store:
        for n in range(5):
            store.record_answer(answer(question(n), n != 2))
    with open_store(db, migrations=NEXT) as store:
        assert store.schema_version == len(NEXT)
        assert [a.correct for a in store.answers()] == [True, True, False, True, True]
    backup = db.with_name(f"{db.name}.v{len(OLD)}.bak")
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == len(OLD)
    assert copy.execute("SELECT count(*) FROM answers").fetchone()[0] == 5
    columns = [r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(answers)")]
    assert "seconds_taken" in columns


def test_a_migration_that_fails_changes_nothing(db):
    with open_store(db, migrations=OLD) as store:
        store.record_answer(answer(question(1), True))
    broken = (*MIGRATIONS, ("CREATE TABLE notes (id INTEGER PRIMARY KEY)", "THIS IS NOT SQL"))
    with pytest.raises(ProgressError):
        open_store(db, migrations=broken)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(OLD)
    assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").fetchone()[0] == 0
    assert raw.execute("SELECT count(*) FROM answers").fetchone()[0] == 1


def test_four_connections_opening_a_new_record_at_once_all_get_in_and_it_is_migrated_once(db):
    errors: list[BaseException] = []

    def opener(target) -> None:
        try:
            with open_store(target, timeout=5) as store:
                store.record_answer(answer(question(threading.get_ident() % 1000), True))
        except BaseException as exc:  # noqa: BLE001 - collected for the assert below
            errors.append(exc)

    # Many rounds: the race (two switching a new file to WAL at once) shows only now and then.
    for round_ in range(25):
        target = db.with_name(f"round-{round_}.db")
        threads = [threading.Thread(target=opener, args=(target,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    for round_ in range(25):
        with open_store(db.with_name(f"round-{round_}.db")) as store:
            assert store.schema_version == SCHEMA_VERSION and len(store.answers()) == 4
