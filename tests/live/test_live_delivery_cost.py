"""Delivery costs the same into a full mailbox as into an empty one, and its disk work is off the event loop.

The work a delivery does is counted, not timed: the fsyncs, the octets
written, the files opened, and how many of the messages already in the
mailbox it looks at. Each of those must be the same at 10 and at 1000
messages. Then, in live mode, every fsync of a submission and of its
delivery must happen on a thread other than the event loop's, so that one
slow disk cannot stall every connection.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from livekit import message, submit, texts, wait_for, wait_for_mail
from simulator.live.maildir import MaildirStore

DATE = "28-Nov-2026 09:00:00 +0000"
MSG = b"From: a@example.org\r\nSubject: hi\r\nMessage-ID: <x@example.org>\r\n\r\nbody\r\n"


class CountingList(list):
    """A mailbox's message list that counts the messages anyone walks through."""

    walked = 0

    def __iter__(self):
        for item in super().__iter__():
            CountingList.walked += 1
            yield item


def _cost(store: MaildirStore, box, monkeypatch: pytest.MonkeyPatch, n: int) -> dict[str, int]:
    counts = {"fsync": 0, "written": 0, "opened": 0}
    real_fsync, real_write, real_open = os.fsync, os.write, os.open

    def fsync(fd: int) -> None:
        counts["fsync"] += 1
        real_fsync(fd)

    def write(fd: int, data) -> int:
        done = real_write(fd, data)
        counts["written"] += done
        return done

    def open_(path, flags, mode=0o777, *, dir_fd=None):
        counts["opened"] += 1
        return real_open(path, flags, mode, dir_fd=dir_fd)

    box.messages = CountingList(box.messages)
    CountingList.walked = 0
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", fsync)
        m.setattr(os, "write", write)
        m.setattr(os, "open", open_)
        store.deliver_once("bob", MSG, DATE, f"QUEUEID{n}.bob@example.net")
    counts["walked"] = CountingList.walked
    return counts


def test_a_delivery_does_the_same_work_at_10_and_at_1000_messages(tmp_path: Path, monkeypatch) -> None:
    store = MaildirStore(tmp_path)
    store.add_account("bob", "pw", address="bob@example.net")
    box = store.mailbox("bob")
    costs = {}
    for n in (10, 1000):
        while len(box.messages) < n:
            store.deliver_once("bob", MSG, DATE, f"fill{len(box.messages)}")
        costs[n] = _cost(store, box, monkeypatch, n)
    assert costs[10]["fsync"] == costs[1000]["fsync"] >= 2  # the file, then its directory (at least)
    # The same octets (the message and one UID line; the UID and the name's digits may grow a little).
    assert abs(costs[1000]["written"] - costs[10]["written"]) <= 8
    assert costs[10]["opened"] == costs[1000]["opened"]
    assert costs[10]["walked"] == costs[1000]["walked"] == 0  # no look at the messages already there
    # And the mailbox still opens with every UID ascending and the last one newest.
    again = MaildirStore(tmp_path)
    again.add_account("bob", "pw", address="bob@example.net")
    uids = [m.uid for m in again.mailbox("bob").messages]
    assert uids == sorted(uids) and len(set(uids)) == len(uids) == 1001


@pytest.mark.socket
@pytest.mark.timeout(60)
def test_no_fsync_of_a_submission_or_its_delivery_runs_on_the_event_loop(live, monkeypatch) -> None:
    threads: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        threads.append(threading.current_thread().name)
        real_fsync(fd)

    mode = live()
    monkeypatch.setattr(os, "fsync", fsync)
    assert submit(mode, message("off the loop")) == {}
    wait_for_mail(mode)
    monkeypatch.setattr(os, "fsync", real_fsync)
    # The queue file, the Maildir file, the UID list, the queue's removal: all synced, none on the loop.
    assert len(threads) >= 4
    assert "smtpsim-live" not in threads, threads


@pytest.mark.socket
@pytest.mark.timeout(60)
def test_while_the_queue_is_behind_a_new_submission_waits_unwritten_for_its_250(live) -> None:
    from simulator.live.queue import IN_FLOW_LIMIT

    mode = live()
    mode.thread.call(_set_due(mode, IN_FLOW_LIMIT + 1))  # as if that many deliveries were due
    result: list[dict] = []
    sender = threading.Thread(target=lambda: result.append(submit(mode, message("held back"))))
    sender.start()
    wait_for(lambda: any("the queue is behind" in t for t in texts(mode)), what="the flow-control note")
    queue_files = mode.root / "queue" / "new"
    assert sender.is_alive() and not result  # no 250 yet ...
    assert not any(queue_files.iterdir())  # ... and nothing written: it is not queued yet
    mode.thread.call(_one_delivered(mode))  # one delivery done: the longest-waiting submission goes on
    sender.join(timeout=20)
    assert result == [{}]
    [fetched] = wait_for_mail(mode)
    assert b"Subject: held back" in fetched
    mode.thread.call(_set_due(mode, 0))


def _one_delivered(mode):
    async def done() -> None:
        mode.queue._one_less_due()

    return done()


def _set_due(mode, value: int):
    async def set_it() -> None:
        mode.queue._due = value

    return set_it()
