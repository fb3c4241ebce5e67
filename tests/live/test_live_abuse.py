"""Live mode against abuse: duplicate recipients, sender spoofing, password guessing, known passwords."""

from __future__ import annotations

import email
import email.policy
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
    # A sender from a domain that publishes no SPF or DMARC: alice's example.org says p=reject for
    # mail that does not come from its MSA (docs/live.md, "DKIM, SPF and DMARC").
    msg = message()
    msg.replace_header("From", "Carol <carol@example.com>")
    with smtplib.SMTP("127.0.0.1", mode.ports["mta"], local_hostname=CLIENT_NAME, timeout=TIMEOUT) as client:
        assert client.send_message(msg, "carol@example.com", [BOB] * 100) == {}
    assert len(mode.store.mailbox("bob@example.net").messages) == 1  # stored before the 250
    assert [entry.recipients for entry in mode.queue.entries.values()] == []


# --- item 6: the submission server binds the sender to the login (RFC 6409 §6.1, §6.3) ---------------------


def test_logged_in_as_alice_mail_from_bob_is_refused_553_5_7_1_and_nothing_is_queued(live) -> None:
    mode = live(hold_queue=True)
    with _logged_in(mode) as client:
        code, text = client.mail("bob@example.net")
        assert code == 553
        assert text.startswith(b"5.7.1 ") and b"alice@example.org" in text
        # The backscatter route is closed too: no transaction, so no bounce for bob.
        assert client.rcpt("nobody@example.net")[0] == 503
        assert client.mail(ALICE)[0] == 250  # the session goes on with the user's own address
    assert mode.queue.entries == {}


def test_a_from_header_naming_someone_else_is_refused_550_5_7_1_after_the_data(live) -> None:
    mode = live(hold_queue=True)
    msg = message()
    msg.replace_header("From", "Bob <bob@example.net>")
    with _logged_in(mode) as client, pytest.raises(smtplib.SMTPDataError) as refused:
        client.send_message(msg, ALICE, [BOB])
    assert refused.value.smtp_code == 550 and refused.value.smtp_error.startswith(b"5.7.1 ")
    assert mode.queue.entries == {}


def test_the_received_field_names_the_authenticated_sender(live) -> None:
    mode = live(hold_queue=True)
    msg = message()
    msg.replace_header("From", "Alice Example <Alice@Example.ORG>")  # the same address, other case
    with _logged_in(mode) as client:
        assert client.send_message(msg, ALICE, [BOB]) == {}
    [entry] = mode.queue.entries.values()
    content = mode.queue.spool.content(entry)
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    received = " ".join(parsed["Received"].split())  # unfolded (RFC 5322 §2.2.3)
    # Postfix's smtpd_sasl_authenticated_header: a comment before "by" (RFC 5321 §4.4 allows CFWS there).
    assert "(Authenticated sender: alice@example.org) by smtp.example.org" in received
