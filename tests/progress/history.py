"""A fixed five-evening history for the progress screen's snapshots and tests (dates fixed, no clock)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from simulator.progress.recorder import Recorder
from simulator.progress.store import open_store
from simulator.scenario.topics import Topic
from tests.progress.kit import T0, Clock, answer, question

# (day offset, topic, right, wrong): better each evening; DNS stays weak; no evening on day 2.
EVENINGS = [
    (0, Topic.PORTS, 2, 3), (0, Topic.TLS_MODES, 1, 2), (0, Topic.DNS_RECORDS, 0, 2),
    (1, Topic.PORTS, 3, 1), (1, Topic.DELIVERY, 2, 2), (1, Topic.SMTP_DIALOGUE, 3, 1),
    (3, Topic.PORTS, 4, 0), (3, Topic.TLS_MODES, 3, 1), (3, Topic.DNS_RECORDS, 1, 2), (3, Topic.RETRIES, 2, 1),
    (4, Topic.DELIVERY, 4, 1), (4, Topic.TEMPORARY_PERMANENT, 3, 1), (4, Topic.ATTACKS, 2, 0),
    (4, Topic.DNS_RECORDS, 1, 1),
]
LESSONS_DONE = ["submission-starttls", "submission-implicit-tls", "pop3-retrieval", "user-unknown", "greylisting"]
TODAY = T0 + timedelta(days=4, hours=1)


def fill(db: Path) -> Recorder:
    """Write the history into ``db``; a recorder on it whose clock stands at the fifth evening."""
    n = 0
    with open_store(db) as store:
        for day, topic, right, wrong in EVENINGS:
            at = T0 + timedelta(days=day)
            for i in range(right + wrong):
                n += 1
                q = question(n % 23, (topic,), scenario="lab")  # some questions come back on later days
                store.record_answer(answer(q, i < right, at + timedelta(minutes=n)))
        for i, lesson in enumerate(LESSONS_DONE):
            store.record_lesson(lesson, T0 + timedelta(days=i % 4, minutes=30))
    return Recorder(db, "default", now=Clock(TODAY))


