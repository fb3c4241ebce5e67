"""The progress database's schema, as numbered migrations; ``PRAGMA user_version`` says which ran.

A migration is a list of statements that takes the schema from version
``n - 1`` to ``n``; they run inside one transaction with the version bump,
so a migration either happens whole or not at all (SQLite's DDL is
transactional). Never edit a migration that has shipped: add the next one.
"""

from __future__ import annotations

from collections.abc import Sequence

Migration = Sequence[str]

MIGRATIONS: tuple[Migration, ...] = (
    # 1: answers, lessons finished, quiz sessions (for --resume).
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                -- quiz, review
            started_at REAL NOT NULL,          -- Unix seconds
            finished_at REAL,                  -- NULL: left half-way
            questions TEXT NOT NULL            -- JSON array of question ids, in the order asked
        )""",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id),
            question_id TEXT NOT NULL,
            source TEXT NOT NULL,              -- quiz, review, predict
            scenario TEXT NOT NULL,
            kind TEXT NOT NULL,
            topics TEXT NOT NULL,              -- space-separated topic values
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            chosen TEXT NOT NULL,
            correct INTEGER NOT NULL,
            answered_at REAL NOT NULL,         -- Unix seconds
            utc_offset INTEGER NOT NULL        -- seconds east of UTC then: the learner's local day
        )""",
        "CREATE INDEX answers_by_question ON answers (question_id, answered_at)",
        "CREATE INDEX answers_by_session ON answers (session_id)",
        """CREATE TABLE lessons (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            finished_at REAL NOT NULL,
            utc_offset INTEGER NOT NULL
        )""",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
