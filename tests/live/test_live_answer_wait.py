"""While a message's queue file is written (on the writer thread), the session keeps reading unless the
client sends more; what it sends then waits, reading pauses, and it is answered after the 250, in order
(simulator/live/server.py, ``_await_answer`` and ``data_received``)."""

from __future__ import annotations

import smtplib
import threading

import pytest

from livekit import ALICE, ALICE_PW, BOB, CLIENT_NAME, TIMEOUT, message, tls, wait_for
from simulator.live.spool import Spool

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def test_a_command_sent_while_the_disk_answers_waits_for_the_250(live, monkeypatch) -> None:
    entered, release = threading.Event(), threading.Event()
    original = Spool.write

    def held_write(self: Spool, entry, content: bytes) -> None:  # runs on the writer thread
        entered.set()
        assert release.wait(TIMEOUT)
        original(self, entry, content)

    monkeypatch.setattr(Spool, "write", held_write)
    mode = live()
    client = smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT)
    try:
        client.starttls(context=tls(mode))
        client.login(ALICE, ALICE_PW)
        assert client.mail(ALICE)[0] == 250
        assert client.rcpt(BOB)[0] == 250
        assert client.docmd("DATA")[0] == 354
        body = message("held", body="No line of this body starts with a dot.\n").as_bytes().replace(b"\n", b"\r\n")
        client.send(body + b"\r\n.\r\n")
        assert entered.wait(TIMEOUT)  # the queue file is being written; no 250 yet
        (session,) = [s for s in mode.hub.sessions if s.service.port == 587]
        assert session._awaiting
        assert session.transport.is_reading()  # nothing more came: reading was not paused for nothing
        client.send(b"NOOP\r\n")  # pipelined behind the message (RFC 2920 §3.1)
        wait_for(lambda: not session.transport.is_reading(), what="reading paused once more came")
        release.set()
        code, text = client.getreply()  # the message's answer first ...
        assert code == 250 and b"queued" in text.lower()
        assert client.getreply()[0] == 250  # ... then the NOOP's
        wait_for(lambda: session.transport.is_reading(), what="reading resumed after the answer")
        assert client.quit()[0] == 221
    finally:
        release.set()
        client.close()
    assert len(mode.world.accepted) == 1  # queued once
