"""Exactly once across a crash: killed between the MX's 250 and the queue noting it, nothing is delivered twice.

Live mode runs in a subprocess with ``SMTPSIM_CRASH_AT=relayed``: it dies at
once (``os._exit``, no cleanup, as a power cut) right after the MX listener
answered 250 and stored the message, before the queue could record it. The
restarted live mode finds the entry still queued and offers it to the MX
again; the MX recognises the sender's queue id and does not store a second
copy, so Bob has one message, and the queue empties.
"""

from __future__ import annotations

import signal
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest

from crashkit import start, wait
from simulator.live import crashpoints

pytestmark = [pytest.mark.socket, pytest.mark.timeout(90)]

ALICE, ALICE_PW = "alice@example.org", "correct horse battery staple"


def _bob_files(data_dir: Path) -> list[Path]:
    box = data_dir / "submission-starttls" / "mail" / "bob@example.net"
    return sorted(p for sub in ("new", "cur") for p in (box / sub).glob("*") if not p.name.startswith("."))


def _queued(data_dir: Path) -> list[Path]:
    return list((data_dir / "submission-starttls" / "queue" / "new").iterdir())


def test_a_crash_after_the_mx_said_250_does_not_deliver_twice(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first, info = start(data_dir, **{crashpoints.ENV: crashpoints.CrashPoint.RELAYED.value})
    try:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = ALICE, "bob@example.net", "exactly once"
        msg["Message-ID"] = "<once.1@laptop.example.org>"
        msg.set_content("Delivered once, whatever happens.\n")
        context = ssl.create_default_context(cafile=info["ca"])
        with smtplib.SMTP("127.0.0.1", info["ports"]["msa-starttls"], local_hostname="laptop.example.org",
                          timeout=10) as client:
            client.starttls(context=context)
            client.login(ALICE, ALICE_PW)
            assert client.send_message(msg) == {}
        # Killed at the crash point: the MX has stored the message, the queue has not noted it.
        assert first.wait(timeout=20) == crashpoints.EXIT_STATUS
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert len(_bob_files(data_dir)) == 1
    assert len(_queued(data_dir)) == 1  # still owed, as far as the queue knows

    second, _ = start(data_dir)
    try:
        wait(lambda: not _queued(data_dir), 20, "the restarted queue to deliver and forget the entry")
        files = _bob_files(data_dir)
        assert len(files) == 1, [f.name for f in files]  # offered again, stored once
        assert b"Subject: exactly once" in files[0].read_bytes()
    finally:
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=20) == 0
