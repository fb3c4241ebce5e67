"""What the quiz and the player call to remember answers: it never stops them working.

The record is opened on first use (the player's start-up does not wait for
SQLite). When it cannot be opened or written, the answer is kept in memory
and tried again with the next one; the caller gets a notice the first time
(say it once, clearly) and another when saving works again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.progress.model import Answer, LessonFinish, QuizSessionInfo, SessionKind, Source
from simulator.progress.paths import database_path, default_profile

if TYPE_CHECKING:
    from simulator.progress.report import ProgressReport
    from simulator.scenario.topics import Topic
    from simulator.progress.store import ProgressStore
    from simulator.quiz.model import Question
    from simulator.quiz.predict import Prediction

Now = Callable[[], datetime]


def local_now() -> datetime:
    return datetime.now().astimezone()


class Recorder:
    """Answers and lessons into the record at ``path``; ``problem`` says why not, while it cannot."""

    def __init__(self, path: Path | None = None, profile: str | None = None, *, now: Now = local_now,
                 timeout: float | None = None) -> None:
        self.profile = profile if profile is not None else default_profile()
        self.path = path if path is not None else database_path(self.profile)
        self.now = now
        self.timeout = timeout
        self.problem: str | None = None  # the message while progress is not being saved
        self.pending: list[Answer | LessonFinish] = []  # not saved yet, tried again with the next one
        self.saved = 0  # answers and lessons written by this recorder
        self.session: int | None = None
        self._store: ProgressStore | None = None

    # -- the store, opened once ---------------------------------------------------------------
    def store(self) -> ProgressStore:
        """The open record (ProgressError if it cannot be opened)."""
        if self._store is None:
            from simulator.progress.store import DEFAULT_TIMEOUT, open_store

            self._store = open_store(self.path, timeout=self.timeout if self.timeout is not None else DEFAULT_TIMEOUT)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- writing, never raising ----------------------------------------------------------------
    def start_session(self, kind: SessionKind, question_ids: Sequence[str]) -> str | None:
        """A new quiz; a notice if the record cannot be used."""
        from simulator.progress.store import ProgressError

        try:
            self.session = self.store().start_session(kind, question_ids, self.now())
        except (ProgressError, OSError) as exc:
            return self._failed(exc)
        return None

    def resume_session(self, session: QuizSessionInfo) -> None:
        self.session = session.id

    def finish_session(self) -> str | None:
        from simulator.progress.store import ProgressError

        notice = self._flush()
        if self.session is not None and not self.pending:
            try:
                self.store().finish_session(self.session, self.now())
            except (ProgressError, OSError) as exc:
                return self._failed(exc)
        return notice

    def answered(self, question: Question, chosen: str, source: Source = Source.QUIZ) -> str | None:
        """Record a quiz answer; a notice to show (the first failure, or saving working again), or None."""
        return self._save(Answer(question.id, source, question.scenario, question.kind.value, question.topics,
                                 question.stem, question.answer, chosen, self.now(), self.session))

    def predicted(self, scenario: str, prediction: Prediction, chosen: str) -> str | None:
        """Record a predict-mode answer."""
        return self._save(Answer(prediction.id, Source.PREDICT, scenario, prediction.kind, prediction.topics,
                                 prediction.question, prediction.answer, chosen, self.now(), None))

    def lesson_finished(self, lesson: str) -> str | None:
        return self._save(LessonFinish(lesson, self.now()))

    def _save(self, item: Answer | LessonFinish) -> str | None:
        self.pending.append(item)
        return self._flush()

    def _flush(self) -> str | None:
        from simulator.progress.store import ProgressError

        was_failing = self.problem is not None
        try:
            store = self.store()
            while self.pending:
                item = self.pending[0]
                if isinstance(item, Answer):
                    store.record_answer(item)
                else:
                    store.record_lesson(item.lesson, item.at)
                self.pending.pop(0)
                self.saved += 1
        except (ProgressError, OSError) as exc:  # OSError: the disk or the folder, outside SQLite
            return self._failed(exc)
        if was_failing:
            self.problem = None
            return "Progress is being saved again: the answers kept meanwhile are in the record now."
        return None

    def _failed(self, exc: Exception) -> str | None:
        first = self.problem is None
        self.problem = str(exc)
        return f"Progress is not being saved: {self.problem}." if first else None

    # -- reading ---------------------------------------------------------------------------------
    def report(self, topic: Topic | None = None) -> ProgressReport:
        """The report on everything recorded, or on the answers about ``topic`` (ProgressError if the
        record cannot be read). A record that does not exist yet is not created just to say it is empty.
        """
        from simulator.progress.report import build_report
        from simulator.scenario.library import lesson_path

        if self._store is None and not self.path.exists():
            answers, finishes = [], []
        else:
            store = self.store()
            answers, finishes = store.answers(), store.lessons()
        if topic is not None:
            answers = [a for a in answers if topic in a.topics]
        return build_report(answers, finishes, lesson_path(), today=self.now().date(), profile=self.profile,
                            database=str(self.path))

    def lessons_done(self) -> frozenset[str]:
        """The lessons finished at least once (empty when the record cannot be read)."""
        from simulator.progress.store import ProgressError

        if self._store is None and not self.path.exists():
            return frozenset()
        try:
            return frozenset(f.lesson for f in self.store().lessons())
        except (ProgressError, OSError):
            return frozenset()
