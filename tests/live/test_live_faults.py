"""The scenario's faults apply to live mail: greylisting is retried, an unknown user bounces."""

from __future__ import annotations

import email
import email.policy

import pytest

from livekit import ALICE, ALICE_PW, message, submit, texts, wait_for, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def test_a_greylisted_send_is_retried_by_the_queue_and_arrives(live) -> None:
    # 451 first; the queue retries after 30 scenario minutes = 0.9 s at x2000, past the
    # 5-minute greylisting delay (0.15 s), and the same RCPT then gets 250.
    mode = live("greylisting", time_scale=2000)
    assert submit(mode, message("greylisted")) == {}
    [fetched] = wait_for_mail(mode, timeout=20)
    assert b"Subject: greylisted" in fetched
    lines = texts(mode)
    greylisted = [i for i, t in enumerate(lines) if t.startswith("451 4.7.1")]
    accepted = [i for i, t in enumerate(lines) if t.startswith("250 2.1.5")]
    assert greylisted and accepted[-1] > greylisted[0]
    assert any("deferred" in t and "next attempt" in t for t in lines)
    assert any("retry #" in t for t in lines)
    wait_for(lambda: not mode.queue.entries, what="the queue to empty")


def test_a_user_unknown_send_produces_a_dsn_fetched_over_imap(live) -> None:
    mode = live("user-unknown")
    msg = message("to a typo", to="bbo@example.net")
    assert submit(mode, msg) == {}  # the MSA accepts: it cannot know yet

    [dsn_bytes] = wait_for_mail(mode, user=ALICE, password=ALICE_PW)
    dsn = email.message_from_bytes(dsn_bytes, policy=email.policy.SMTP)
    assert dsn["Return-Path"] == "<>"  # RFC 5321 §4.5.5: a bounce has the null sender
    assert dsn.get_content_type() == "multipart/report"
    assert dsn.get_param("report-type") == "delivery-status"
    assert dsn["Subject"] == "Undelivered Mail Returned to Sender"
    status = next(p for p in dsn.walk() if p.get_content_type() == "message/delivery-status")
    fields = status.as_string()
    assert "Final-Recipient: rfc822; bbo@example.net" in fields
    assert "Action: failed" in fields and "Status: 5.1.1" in fields
    assert "Remote-MTA: dns; mx1.example.net" in fields
    original = next(p for p in dsn.walk() if p.get_content_type() == "text/rfc822-headers")
    assert f"Message-ID: {msg['Message-ID']}" in original.get_content()
    # The MX said 550 at RCPT, and the bounce went with MAIL FROM:<> through example.org's MX.
    lines = texts(mode)
    assert any(t.startswith("550 5.1.1 <bbo@example.net>") for t in lines)
    assert "MAIL FROM:<>" in " ".join(lines)
    wait_for(lambda: not mode.queue.entries, what="the queue to empty")


def test_mail_for_a_domain_outside_the_scenario_bounces_and_never_leaves(live) -> None:
    mode = live()
    assert submit(mode, message("far away", to="someone@gmail.com")) == {}
    [dsn_bytes] = wait_for_mail(mode, user=ALICE, password=ALICE_PW)
    assert b"Status: 5.1.2" in dsn_bytes  # NXDOMAIN from the scenario's zones
    assert not any("connecting to" in t and "gmail" in t for t in texts(mode))
