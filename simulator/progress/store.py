"""The progress record in SQLite: one transaction per answer, a write-ahead log, clear errors.

Durability: the database is in WAL mode with ``synchronous=FULL``, and every
answer is its own transaction, committed before the quiz shows the verdict;
a process killed at any moment loses at most the answer it was writing.
Several processes may write at once (two terminals, the player and a quiz):
a writer waits up to ``timeout`` seconds for another's transaction to end.

Nothing here ever deletes, truncates or rewrites a database it cannot read:
every failure becomes one :class:`ProgressError` that says what is wrong with
which file and what to do, and the file is left as it was. Before a
migration touches a record that holds answers, a copy is made beside it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path

from simulator.progress.model import (
    Answer,
    LessonFinish,
    QuizSessionInfo,
    SessionKind,
    Source,
    topics_from_text,
    topics_to_text,
)
from simulator.progress.schema import MIGRATIONS, Migration

DEFAULT_TIMEOUT = 3.0  # seconds a writer waits for another process's transaction


class Problem(Enum):
    CORRUPT = "corrupt"
    LOCKED = "locked"
    READ_ONLY = "read-only"
    FULL = "full"
    UNREADABLE = "unreadable"
    NEWER = "newer"
    FOREIGN = "foreign"


class ProgressError(Exception):
    """The record cannot be read or written; ``str()`` is the one message to show."""

    def __init__(self, problem: Problem, path: Path, detail: str = "") -> None:
        self.problem = problem
        self.path = path
        self.detail = detail
        super().__init__(_message(problem, path, detail))


def _message(problem: Problem, path: Path, detail: str) -> str:
    why = f" ({detail})" if detail else ""
    if problem is Problem.CORRUPT:
        return (f"the progress record {path} is damaged{why}. It was left as it is: move it away "
                f"(for example to {path.name}.broken) to start a new record, or use --profile NAME")
    if problem is Problem.LOCKED:
        return (f"the progress record {path} is locked by another program{why}: close the other smtpsim "
                "(or sqlite3 shell) that holds it, and try again")
    if problem is Problem.READ_ONLY:
        return f"the progress record {path} cannot be written{why}: check the file's and its folder's permissions"
    if problem is Problem.FULL:
        return f"the disk that holds the progress record {path} is full"
    if problem is Problem.NEWER:
        return (f"the progress record {path} was written by a newer smtpsim{why}: update smtpsim, "
                "or use --profile NAME for a separate record")
    if problem is Problem.FOREIGN:
        return f"{path} is not an smtpsim progress record{why}: move it away, or use --profile NAME"
    return f"the progress record {path} cannot be opened{why}"


_BY_CODE = {
    "SQLITE_BUSY": Problem.LOCKED, "SQLITE_LOCKED": Problem.LOCKED,
    "SQLITE_CORRUPT": Problem.CORRUPT, "SQLITE_NOTADB": Problem.CORRUPT,
    "SQLITE_READONLY": Problem.READ_ONLY, "SQLITE_FULL": Problem.FULL,
    "SQLITE_CANTOPEN": Problem.UNREADABLE, "SQLITE_PERM": Problem.READ_ONLY,
}


def classify(exc: sqlite3.Error) -> Problem:
    """Which :class:`Problem` an sqlite3 error is (by its result code, else by its words)."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, problem in _BY_CODE.items():
        if code.startswith(prefix):
            return problem
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return Problem.LOCKED
    if "not a database" in text or "malformed" in text:
        return Problem.CORRUPT
    if "readonly" in text or "read-only" in text:
        return Problem.READ_ONLY
    if "full" in text:
        return Problem.FULL
    return Problem.UNREADABLE


def _aware(ts: float, offset: int) -> datetime:
    return datetime.fromtimestamp(ts, timezone(timedelta(seconds=offset)))


def _offset(at: datetime) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("progress times must be timezone-aware (datetime.now().astimezone())")
    return int(at.utcoffset().total_seconds())  # type: ignore[union-attr]


class ProgressStore:
    """An open progress record. Use :func:`open_store`; every method raises only :class:`ProgressError`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise ProgressError(classify(exc), self.path, str(exc)) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken with the write lock from the start (no upgrade deadlock)."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    self._db.rollback()
                raise
            self._db.commit()

    # -- writing ----------------------------------------------------------------------------
    def record_answer(self, answer: Answer) -> int:
        """Store one answer in its own transaction; its row id."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO answers (session_id, question_id, source, scenario, kind, topics, question, answer,"
                " chosen, correct, answered_at, utc_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (answer.session, answer.question_id, answer.source.value, answer.scenario, answer.kind,
                 topics_to_text(answer.topics), answer.question, answer.answer, answer.chosen, int(answer.correct),
                 answer.at.timestamp(), _offset(answer.at)))
            return int(cursor.lastrowid or 0)

    def record_lesson(self, lesson: str, at: datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO lessons (lesson, finished_at, utc_offset) VALUES (?, ?, ?)",
                       (lesson, at.timestamp(), _offset(at)))

    def start_session(self, kind: SessionKind, questions: Sequence[str], at: datetime) -> int:
        with self._write() as db:
            cursor = db.execute("INSERT INTO sessions (kind, started_at, questions) VALUES (?, ?, ?)",
                                (kind.value, at.timestamp(), json.dumps(list(questions))))
            return int(cursor.lastrowid or 0)

    def finish_session(self, session: int, at: datetime) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                       (at.timestamp(), session))

    # -- reading ----------------------------------------------------------------------------
    def answers(self) -> list[Answer]:
        """Every answer, oldest first."""
        with self._guard():
            rows = self._db.execute(
                "SELECT question_id, source, scenario, kind, topics, question, answer, chosen, answered_at,"
                " utc_offset, session_id FROM answers ORDER BY answered_at, id").fetchall()
        out = []
        for qid, source, scenario, kind, topics, question, key, chosen, ts, offset, session in rows:
            try:
                src = Source(source)
            except ValueError:
                continue  # written by a later release's new front end: not ours to count
            out.append(Answer(qid, src, scenario, kind, topics_from_text(topics), question, key, chosen,
                              _aware(ts, offset), session))
        return out

    def lessons(self) -> list[LessonFinish]:
        """Every time a lesson was finished, oldest first."""
        with self._guard():
            rows = self._db.execute("SELECT lesson, finished_at, utc_offset FROM lessons"
                                    " ORDER BY finished_at, id").fetchall()
        return [LessonFinish(lesson, _aware(ts, offset)) for lesson, ts, offset in rows]

    def session(self, session: int) -> QuizSessionInfo | None:
        with self._guard():
            row = self._db.execute("SELECT id, kind, started_at, finished_at, questions FROM sessions WHERE id = ?",
                                   (session,)).fetchone()
            if row is None:
                return None
            answered = [r[0] for r in self._db.execute(
                "SELECT question_id FROM answers WHERE session_id = ? ORDER BY id", (session,))]
        sid, kind, started, finished, questions = row
        local = datetime.now().astimezone().tzinfo
        try:
            order = json.loads(questions)
            if not isinstance(order, list):
                raise ValueError("not a list")
            return QuizSessionInfo(sid, SessionKind(kind), datetime.fromtimestamp(started, local),
                                   datetime.fromtimestamp(finished, local) if finished is not None else None,
                                   tuple(str(q) for q in order), tuple(answered))
        except (ValueError, TypeError, OverflowError) as exc:
            raise ProgressError(Problem.CORRUPT, self.path, f"quiz session {sid} cannot be read: {exc}") from exc

    def unfinished_session(self) -> QuizSessionInfo | None:
        """The latest quiz left half-way that still has questions to answer, if any."""
        with self._guard():
            ids = [r[0] for r in self._db.execute(
                "SELECT id FROM sessions WHERE finished_at IS NULL ORDER BY started_at DESC, id DESC LIMIT 5")]
        for sid in ids:
            info = self.session(sid)
            if info is not None and info.unanswered and info.answered:
                return info
        return None

    def quick_check(self) -> str:
        """SQLite's own consistency check: "ok" for a sound file."""
        with self._guard():
            return str(self._db.execute("PRAGMA quick_check").fetchone()[0])

    @property
    def schema_version(self) -> int:
        with self._guard():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])


def open_store(path: Path, *, timeout: float = DEFAULT_TIMEOUT,
               migrations: Sequence[Migration] = MIGRATIONS) -> ProgressStore:
    """Open (creating if need be) the record at ``path`` and bring its schema up to date."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise ProgressError(Problem.UNREADABLE, path, "a file stands where its folder should be") from exc
    except OSError as exc:
        raise ProgressError(Problem.UNREADABLE, path, exc.strerror or str(exc)) from exc
    if path.is_dir():
        raise ProgressError(Problem.UNREADABLE, path, "it is a folder")
    try:
        # Autocommit: the store opens its own transactions (BEGIN IMMEDIATE) where it writes.
        db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise ProgressError(classify(exc), path, str(exc)) from exc
    store = ProgressStore(db, path)
    try:
        with store._guard():
            _use_wal(db, timeout)
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            _migrate(db, path, migrations)
    except BaseException:
        db.close()
        raise
    return store


def _use_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Switch a new record to the write-ahead log (a record made earlier already uses it).

    SQLite answers "locked" at once, without waiting, when another process is
    switching the same new file at that moment: try again until ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if classify(exc) is not Problem.LOCKED or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _migrate(db: sqlite3.Connection, path: Path, migrations: Sequence[Migration]) -> None:
    latest = len(migrations)
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > latest:
        raise ProgressError(Problem.NEWER, path, f"schema {version}; this one knows up to {latest}")
    if version == latest:
        return
    if version > 0:
        _backup(db, path.with_name(f"{path.name}.v{version}.bak"))
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the lock: another process may have migrated meanwhile.
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version == 0 and db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
            raise ProgressError(Problem.FOREIGN, path, "it holds tables, but no smtpsim schema version")
        for migration in migrations[version:]:
            for statement in migration:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {latest:d}")
        db.commit()
    except BaseException:
        if db.in_transaction:
            db.rollback()
        raise


def _backup(db: sqlite3.Connection, target: Path) -> None:
    """A copy of the record as it is, before a migration changes it (kept if one exists already)."""
    if target.exists():
        return
    copy = sqlite3.connect(target)
    try:
        db.backup(copy)
    finally:
        copy.close()
