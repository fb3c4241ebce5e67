"""550 5.1.1 at RCPT, and the RFC 3464 DSN that comes back."""

import email
from email import policy

from simulator.trace import Kind

from helpers import in_order, kind, line


def fetched_dsn(trace):
    ev = trace("user-unknown").events
    fetch = next(e for e in ev if e.content and e.dst == "alice" and e.kind is Kind.IMAP)
    return email.message_from_bytes(fetch.text.encode(), policy=policy.default)


def test_refusal_then_bounce_with_null_sender_then_fetch(trace):
    ev = trace("user-unknown").events
    in_order(
        ev,
        line("C", "RCPT TO:<bbo@example.net>", port=25),
        line("S", "550 5.1.1 <bbo@example.net>", port=25),
        kind("bounce", "DSN for", src="msa"),
        line("C", ";example.org.\tIN\tMX", port=53),
        kind("tcp", "SYN", src="msa", dst="mx-org", port=25),
        line("C", "MAIL FROM:<>", port=25),
        line("C", "RCPT TO:<alice@example.org>", port=25),
        kind("deliver", "stored in alice@example.org's INBOX"),
        kind("tcp", "SYN", src="alice", dst="store-org", port=993),
        line("C", "a005 FETCH 1 BODY[]", dst="store-org"),
    )
    # No retry for a permanent failure.
    assert sum(1 for e in ev if e.port == 25 and e.text.startswith("RCPT TO:<bbo@")) == 1


def test_dsn_structure_rfc3464(trace):
    msg = fetched_dsn(trace)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    assert "could not" in parts[0].get_content()
    assert msg["From"].addresses[0].username == "MAILER-DAEMON"
    assert msg["To"] == "alice@example.org"
    assert msg["Auto-Submitted"] == "auto-replied"


def test_dsn_fields(trace):
    status = list(fetched_dsn(trace).iter_parts())[1]
    per_message, per_recipient = status.get_payload()
    assert per_message["Reporting-MTA"] == "dns; smtp.example.org"
    assert per_message["Arrival-Date"]
    assert per_recipient["Final-Recipient"] == "rfc822; bbo@example.net"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.1.1"
    assert per_recipient["Remote-MTA"] == "dns; mx1.example.net"
    assert per_recipient["Diagnostic-Code"].startswith("smtp; 550 5.1.1")
    assert per_recipient["Last-Attempt-Date"]


def test_dsn_carries_the_original_headers(trace):
    headers = list(fetched_dsn(trace).iter_parts())[2].get_content()
    assert "Subject: Lunch on Friday?" in headers
    assert "To: bbo@example.net" in headers
    assert "Message-ID: <" in headers


def test_dsn_is_delivered_with_return_path_of_null_sender(trace):
    ev = trace("user-unknown").events
    fetch = next(e for e in ev if e.content and e.dst == "alice" and e.kind is Kind.IMAP)
    assert fetch.text.startswith("Return-Path: <>")
