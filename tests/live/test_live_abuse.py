"""Live mode against abuse: duplicate recipients, sender spoofing, password guessing, known passwords."""

from __future__ import annotations

import smtplib

import pytest

from livekit import ALICE, ALICE_PW, BOB, CLIENT_NAME, TIMEOUT, message, tls

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def _logged_in(mode, user: str = ALICE, password: str = ALICE_PW) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT)
    client.starttls(context=tls(mode))
    client.login(user, password)
    return client


def test_a_hundred_rcpts_for_bob_are_queued_once(live) -> None:
    mode = live(hold_queue=True)
    with _logged_in(mode) as client:
        assert client.send_message(message(), ALICE, [BOB] * 100) == {}
    assert [entry.recipients for entry in mode.queue.entries.values()] == [(BOB,)]


def test_a_hundred_rcpts_on_the_mx_port_store_one_copy(live) -> None:
    mode = live()
    with smtplib.SMTP("127.0.0.1", mode.ports["mta"], local_hostname=CLIENT_NAME, timeout=TIMEOUT) as client:
        assert client.send_message(message(), ALICE, [BOB] * 100) == {}
    assert len(mode.store.mailbox("bob@example.net").messages) == 1  # stored before the 250
    assert [entry.recipients for entry in mode.queue.entries.values()] == []
