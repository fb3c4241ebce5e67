"""A damaged queue file is set aside with one note; the rest of the queue is delivered.

Two messages are queued (``--hold-queue``: accepted, not delivered), live
mode stops, and one queue file is cut short, as a disk error or a careless
copy would leave it; a third file is garbage. The next start moves both to
``queue-damaged/``, says so once for each in the trace, and delivers the
intact message.
"""

from __future__ import annotations

import email
import email.policy

import pytest

from livekit import BOB, message, submit, texts, wait_for, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def test_a_truncated_and_a_corrupt_queue_file_are_quarantined_and_the_rest_goes_on(live, data_dir) -> None:
    first = live(hold_queue=True)
    assert submit(first, message("intact")) == {}
    assert submit(first, message("cut short")) == {}
    first.thread.stop()
    queue = data_dir / "submission-starttls" / "queue" / "new"
    files = {}
    for path in queue.iterdir():
        subject = email.message_from_bytes(path.read_bytes().split(b"\n", 1)[1], policy=email.policy.default)["Subject"]
        files[subject] = path
    cut = files["cut short"]
    cut.write_bytes(cut.read_bytes()[:-40])  # the envelope line is whole; the end of the message is not
    garbage = queue / "ABCDEF0123"
    garbage.write_bytes(b"X-Smtpsim-Envelope: {\"id\": \"ABCDEF01")  # an envelope line cut short

    second = live()
    [fetched] = wait_for_mail(second)
    assert b"Subject: intact" in fetched
    damaged = data_dir / "submission-starttls" / "queue-damaged"
    assert sorted(p.name for p in damaged.iterdir()) == sorted([cut.name, garbage.name])
    notes = [t for t in texts(second) if "moved to queue-damaged/" in t]
    assert len(notes) == 2
    assert any(cut.name in t and "truncated" in t for t in notes)
    assert any(garbage.name in t for t in notes)
    wait_for(lambda: not second.queue.entries, what="the queue to empty")
    assert len(second.store.mailbox(BOB).messages) == 1  # the cut-short message was not delivered
