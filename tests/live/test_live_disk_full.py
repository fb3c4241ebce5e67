"""A full disk while spooling or storing: 452 4.3.1, and nothing half-written left behind.

The disk fills up in the middle of a write: the fault hook lets the write
put part of its octets down, then fail with ENOSPC, as a real full disk does
(no real full disk needed). The MSA answers 452 4.3.1 (RFC 5321 §4.2.3:
insufficient system storage; RFC 3463 §3.4: X.3.1 mail system full), which
is temporary: the client keeps the message. The MX answers the same to the
queue, which retries. Once there is room, each message arrives once.
"""

from __future__ import annotations

import errno
import os
import smtplib
from pathlib import Path

import pytest

from livekit import message, submit, texts, wait_for, wait_for_mail
from simulator.live import durable

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def fill_disk(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Writes to files whose path contains ``where`` put half their octets down, then fail: ENOSPC."""
    real = durable.write_all

    def write_all(fd: int, data: bytes) -> None:
        if where in os.readlink(f"/proc/self/fd/{fd}"):
            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(durable, "write_all", write_all)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for sub in ("tmp", "new", "cur") if (folder / sub).exists() for p in (folder / sub).iterdir())


def test_a_full_disk_while_spooling_answers_452_4_3_1_and_keeps_nothing(live, monkeypatch) -> None:
    mode = live()
    fill_disk(monkeypatch, "/queue/")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        submit(mode, message("no room"))
    assert refused.value.smtp_code == 452
    assert refused.value.smtp_error.startswith(b"4.3.1 ")
    assert leftovers(mode.root / "queue") == []  # neither a half file in tmp/ nor anything in new/
    assert not mode.queue.entries
    monkeypatch.undo()  # room again: the client's retry goes through, once
    assert submit(mode, message("room again")) == {}
    [fetched] = wait_for_mail(mode)
    assert b"Subject: room again" in fetched


def test_a_full_disk_while_storing_answers_452_and_the_queue_retries(live, monkeypatch) -> None:
    mode = live(time_scale=2000)  # the 30-minute retry takes 0.9 s
    fill_disk(monkeypatch, "/mail/bob@example.net/")
    assert submit(mode, message("stored later")) == {}
    wait_for(lambda: any(t.startswith("452 4.3.1") for t in texts(mode)), what="the MX's 452 4.3.1")
    inbox = mode.root / "mail" / "bob@example.net"
    assert leftovers(inbox) == []
    monkeypatch.undo()
    [fetched] = wait_for_mail(mode, timeout=20)
    assert b"Subject: stored later" in fetched
    wait_for(lambda: not mode.queue.entries, what="the queue to empty")
    assert len(leftovers(inbox)) == 1  # once, and nothing else


def test_a_full_disk_on_the_uid_list_unlinks_the_message_it_could_not_list(live, monkeypatch) -> None:
    mode = live(time_scale=2000)
    inbox = mode.root / "mail" / "bob@example.net"
    before = (inbox / "smtpsim-uidlist").read_bytes()
    fill_disk(monkeypatch, "/smtpsim-uidlist")
    assert submit(mode, message("listed later")) == {}
    wait_for(lambda: any(t.startswith("452 4.3.1") for t in texts(mode)), what="the MX's 452 4.3.1")
    assert leftovers(inbox) == []  # the linked file was taken back: no message without a UID
    assert (inbox / "smtpsim-uidlist").read_bytes() == before  # and no half line
    monkeypatch.undo()
    [fetched] = wait_for_mail(mode, timeout=20)
    assert b"Subject: listed later" in fetched
