"""A restart loses nothing that was acknowledged with 250: the queue and the mailboxes are on disk."""

from __future__ import annotations

import errno
import imaplib
import smtplib

import pytest

from livekit import BOB, BOB_PW, TIMEOUT, message, submit, tls, wait_for, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def test_a_message_acknowledged_then_stopped_is_delivered_after_the_restart(live, data_dir) -> None:
    first = live(hold_queue=True)  # accept, keep queued, deliver nothing
    assert submit(first, message("before the restart")) == {}
    assert len(first.queue.entries) == 1
    first.thread.stop()
    queued = list((data_dir / "submission-starttls" / "queue" / "new").iterdir())
    assert len(queued) == 1 and queued[0].read_bytes().startswith(b"X-Smtpsim-Envelope: {")  # on disk

    second = live()
    [fetched] = wait_for_mail(second)
    assert b"Subject: before the restart" in fetched
    wait_for(lambda: not second.queue.entries, what="the queue to empty")
    assert not list((data_dir / "submission-starttls" / "queue" / "new").iterdir())


def test_a_message_acknowledged_while_relaying_is_not_lost_by_a_stop(live) -> None:
    first = live()
    assert submit(first, message("in flight")) == {}
    first.thread.stop()  # right after the 250: delivered already, or still queued

    second = live()
    fetched = wait_for_mail(second)
    assert all(b"Subject: in flight" in m for m in fetched)


def test_mailboxes_keep_their_messages_uids_and_flags_across_restarts(live) -> None:
    first = live()
    submit(first, message("one"))
    submit(first, message("two"))
    wait_for_mail(first, 2)
    with imaplib.IMAP4_SSL("127.0.0.1", first.ports["imaps"], ssl_context=tls(first), timeout=TIMEOUT) as im:
        im.login(BOB, BOB_PW)
        uidvalidity = im.select("INBOX") and im.response("UIDVALIDITY")[1][0]
        im.fetch("1", "(BODY[])")  # sets \Seen on the first
        _typ, uids = im.uid("SEARCH", "ALL")
        im.logout()
    first.thread.stop()

    second = live()
    with imaplib.IMAP4_SSL("127.0.0.1", second.ports["imaps"], ssl_context=tls(second), timeout=TIMEOUT) as im:
        im.login(BOB, BOB_PW)
        typ, data = im.select("INBOX")
        assert typ == "OK" and data == [b"2"]
        assert im.response("UIDVALIDITY")[1][0] == uidvalidity
        assert im.uid("SEARCH", "ALL")[1] == uids
        assert im.search(None, "UNSEEN")[1] == [b"2"]
        typ, data = im.fetch("2", "(BODY.PEEK[])")
        assert b"Subject: two" in data[0][1]
        im.logout()


def test_half_written_and_foreign_queue_files_are_never_delivered(live, data_dir) -> None:
    first = live(hold_queue=True)
    first.thread.stop()
    queue = data_dir / "submission-starttls" / "queue"
    # A write cut short before the link into new/: the client never got its 250.
    half = queue / "tmp" / "1700000000.M1P1.host"
    half.write_bytes(b"Subject: never acknowledged\n\nx\n")
    # Something that is not a queue file of ours: set aside, not delivered.
    foreign = queue / "new" / "1700000001.M2P2.host"
    foreign.write_bytes(b"Subject: dropped in by hand\n\nx\n")
    # Progress of an entry that no longer exists.
    stray = data_dir / "submission-starttls" / "queue-state" / "0123456789.json"
    stray.write_text("{}")
    second = live()
    assert not half.exists() and not foreign.exists() and not stray.exists()
    assert (data_dir / "submission-starttls" / "queue-damaged" / foreign.name).is_file()
    assert not second.queue.entries


def test_when_the_queue_cannot_be_written_the_answer_is_451_not_250(live) -> None:
    mode = live()
    spool = mode.queue.spool

    def broken(entry, content):
        raise OSError(errno.EIO, "Input/output error")

    spool.write = broken  # type: ignore[method-assign]
    with pytest.raises(smtplib.SMTPDataError) as refused:
        submit(mode, message("disk broken"))
    assert refused.value.smtp_code == 451  # temporary: the client keeps the message and retries
    del spool.write  # the disk works again
    assert submit(mode, message("room again")) == {}
    [fetched] = wait_for_mail(mode)
    assert b"Subject: room again" in fetched
