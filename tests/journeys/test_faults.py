"""Each failure scenario shows the failure, the waits, the retries and the DSN."""

import email
from email import policy

import pytest

from simulator.trace import Kind, TLSMode

from helpers import in_order, kind, line


def dsns_fetched_by(trace, name, reader="alice"):
    """Every DSN the reader fetched over IMAP, parsed with email."""
    out = []
    for e in trace(name).events:
        if e.content and e.dst == reader and e.kind is Kind.IMAP:
            msg = email.message_from_bytes(e.text.encode(), policy=policy.default)
            if msg.get_content_type() == "multipart/report":
                out.append(msg)
    return out


def recipients_of(dsn):
    blocks = list(dsn.iter_parts())[1].get_payload()
    return blocks[0], {b["Final-Recipient"].split("; ")[1]: b for b in blocks[1:]}


def test_mx_failover_times_out_then_uses_the_backup(trace):
    ev = trace("mx-failover").events
    first, timeout, second = in_order(
        ev,
        kind("tcp", "SYN → port 25", dst="mx-net"),
        kind("tcp", "no answer after 30 s", dst="mx-net"),
        kind("tcp", "SYN → port 25", dst="mx-net2"),
    )
    assert timeout.t - first.t == pytest.approx(30.0)
    assert any(e.kind is Kind.DELIVER and "bob@example.net" in e.text and e.src == "mx-net2" for e in ev)
    assert not dsns_fetched_by(trace, "mx-failover")


def test_implicit_mx_uses_the_a_record(trace):
    ev = trace("implicit-mx").events
    in_order(
        ev,
        line("C", ";example.net.\tIN\tMX"),
        ("empty answer", lambda e: e.text.startswith(";; flags: qr rd ra; QUERY: 1, ANSWER: 0")),
        kind("queue", "no MX for example.net"),
        line("C", ";example.net.\tIN\tA"),
        line("S", "example.net.\t3600\tIN\tA\t203.0.113.25"),
        kind("tcp", "SYN → port 25", dst="mx-net"),
        kind("deliver", "stored in bob@example.net"),
    )


def test_null_mx_fails_at_once_without_connecting(trace):
    ev = trace("null-mx").events
    assert not any(e.kind is Kind.TCP and e.dst in ("mx-net",) for e in ev)
    (dsn,) = dsns_fetched_by(trace, "null-mx")
    _, rcpts = recipients_of(dsn)
    assert rcpts["bob@example.net"]["Status"] == "5.1.10"
    assert rcpts["bob@example.net"]["Action"] == "failed"
    assert "556 5.1.10" in rcpts["bob@example.net"]["Diagnostic-Code"]


def test_nxdomain_bounces_with_5_1_2_and_no_remote_mta(trace):
    ev = trace("nxdomain").events
    assert any(e.text.startswith(";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN") for e in ev)
    (dsn,) = dsns_fetched_by(trace, "nxdomain")
    per_message, rcpts = recipients_of(dsn)
    assert per_message["Reporting-MTA"] == "dns; smtp.example.org"
    block = rcpts["bob@exmaple.net"]
    assert block["Status"] == "5.1.2" and block["Remote-MTA"] is None


def test_servfail_waits_30_minutes_between_attempts_until_dns_recovers(trace):
    ev = trace("dns-temporary-failure").events
    servfails = [e for e in ev if "status: SERVFAIL" in e.text]
    assert len(servfails) == 2
    assert servfails[1].t - servfails[0].t >= 1800  # RFC 5321 §4.5.4.1
    delivered = next(e for e in ev if e.kind is Kind.DELIVER and "bob@" in e.text)
    assert delivered.t >= 3600
    assert not dsns_fetched_by(trace, "dns-temporary-failure")


def test_greylisting_451_then_accepted_on_retry(trace):
    ev = trace("greylisting").events
    first, retry_ok = in_order(
        ev,
        line("S", "451 4.7.1", port=25),
        line("S", "250 2.1.5", port=25),
    )
    assert retry_ok.t - first.t >= 1800
    assert sum(1 for e in ev if e.kind is Kind.DELIVER and "bob@" in e.text) == 1


def test_mailbox_full_is_temporary_then_delivered(trace):
    ev = trace("mailbox-full").events
    assert sum(1 for e in ev if e.text.startswith("452 4.2.2")) == 2
    assert any(e.kind is Kind.DELIVER and "bob@" in e.text for e in ev)


def test_message_too_large_refused_at_mail_with_size(trace):
    ev = trace("message-too-large").events
    in_order(
        ev,
        line("S", "250-SIZE 512", port=25),
        line("C", "MAIL FROM:<alice@example.org> SIZE=", port=25),
        line("S", "552 5.3.4", port=25),
    )
    # Refused before DATA: no content crossed port 25.
    assert not any(e.content and e.port == 25 and e.dst == "mx-net" for e in ev)
    (dsn,) = dsns_fetched_by(trace, "message-too-large")
    assert recipients_of(dsn)[1]["bob@example.net"]["Status"] == "5.3.4"


def test_retry_expired_warns_after_4_hours_and_gives_up_after_5_days(trace):
    ev = trace("retry-expired").events
    warning, final = dsns_fetched_by(trace, "retry-expired")
    _, w = recipients_of(warning)
    assert w["bob@example.net"]["Action"] == "delayed"
    assert w["bob@example.net"]["Will-Retry-Until"]
    assert warning["Subject"].startswith("Delayed Mail")
    _, f = recipients_of(final)
    assert f["bob@example.net"]["Action"] == "failed"
    # RFC 3463 X.4.7: the code of the actual problem (no MX host answered: 4.4.1), not 4.4.7.
    assert f["bob@example.net"]["Status"] == "4.4.1"
    warned = next(e for e in ev if e.text.startswith("delay warning"))
    gave_up = next(e for e in ev if "giving up after" in e.text)
    assert 4 * 3600 <= warned.t < 5 * 3600
    assert 4 * 86400 <= gave_up.t <= 5 * 86400 + 60
    attempts = [e.t for e in ev if e.kind is Kind.TCP and e.text.startswith("SYN → port 25") and e.dst == "mx-net"]
    assert all(b - a >= 1800 for a, b in zip(attempts, attempts[1:]))


def test_remote_bounce_comes_from_the_mx_itself(trace):
    ev = trace("remote-bounce").events
    in_order(
        ev,
        line("S", "250 2.0.0", port=25, src="mx-net"),
        kind("bounce", "final delivery to bob@example.net failed after 250", src="mx-net"),
        kind("tcp", "SYN → port 25", src="mx-net", dst="mx-org"),
        line("C", "MAIL FROM:<>", src="mx-net"),
    )
    (dsn,) = dsns_fetched_by(trace, "remote-bounce")
    per_message, rcpts = recipients_of(dsn)
    assert per_message["Reporting-MTA"] == "dns; mx1.example.net"
    assert rcpts["bob@example.net"]["Status"] == "5.2.2"


def test_starttls_stripping_three_ways(trace):
    ev = trace("starttls-stripped").events
    # 587: the client requires TLS, so it quits before AUTH.
    alice = [e for e in ev if e.port == 587]
    assert any(e.kind is Kind.NOTE and e.src == "mallory" for e in alice)
    assert not any(e.text.startswith("AUTH") for e in alice)
    assert any(e.text.startswith("not sent:") and e.src == "alice" for e in ev)
    # 465: nothing to strip; every SMTP line is inside TLS.
    carol = [e for e in ev if e.port == 465 and e.kind is Kind.SMTP]
    assert carol and all(e.tls is TLSMode.IMPLICIT for e in carol)
    # 25: silently in plaintext, message content readable on the wire.
    relay = [e for e in ev if e.port == 25 and e.dst == "mx-net"]
    assert not any(e.text == "STARTTLS" for e in relay)
    content = next(e for e in relay if e.content)
    assert content.tls is TLSMode.NONE and "Friday lunch, yes" in content.text


def test_bad_certificate_client_refuses_relay_accepts(trace):
    ev = trace("bad-certificate").events
    alert = next(e for e in ev if e.text.startswith("Alert: bad_certificate"))
    assert alert.src == "alice" and alert.port == 587
    assert not any(e.text.startswith("AUTH") and e.t < 60 for e in ev)  # no password sent
    relay_tls = next(e for e in ev if e.port == 25 and "established" in e.text)
    assert "NOT valid (expired)" in relay_tls.text
    assert sum(1 for e in ev if e.kind is Kind.DELIVER and "bob@" in e.text) == 1


def test_auth_failure_535_and_nothing_queued(trace):
    ev = trace("auth-failure").events
    in_order(ev, line("C", "AUTH PLAIN"), line("S", "535 5.7.8"), line("C", "QUIT"))
    assert not any(e.kind in (Kind.QUEUE, Kind.DELIVER, Kind.BOUNCE) for e in ev)
    assert not any(e.text.startswith("MAIL FROM") for e in ev)


def test_partial_delivery_one_dsn_lists_only_the_failed(trace):
    ev = trace("partial-delivery").events
    (dsn,) = dsns_fetched_by(trace, "partial-delivery")
    _, rcpts = recipients_of(dsn)
    assert set(rcpts) == {"bbo@example.net", "carol@example.net"}
    assert rcpts["bbo@example.net"]["Status"] == "5.1.1"
    assert rcpts["carol@example.net"]["Status"] == "5.2.2"
    assert sum(1 for e in ev if e.kind is Kind.DELIVER and "bob@example.net" in e.text) == 1


def test_pop3_retrieval_uses_stls_then_retr(trace):
    ev = trace("pop3-retrieval").events
    in_order(
        ev,
        line("C", "STLS", port=110),
        kind("tls", "TLS 1.3 established", port=110),
        line("C", "USER bob@example.net", tls=TLSMode.STARTTLS),
        line("C", "PASS ", tls=TLSMode.STARTTLS),
        line("C", "RETR 1"),
        ("content", lambda e: e.content and e.kind is Kind.POP3 and "Lunch on Friday?" in e.text),
        line("S", ".", port=110),
    )
    assert not any(e.kind is Kind.IMAP for e in ev)


def test_packet_loss_is_retransmitted(tmp_path):
    from simulator.run import run_scenario
    from simulator.scenario.library import resolve_scenario
    from simulator.scenario.loader import load_scenario

    text = resolve_scenario("submission-starttls").read_text()
    path = tmp_path / "lossy.toml"
    path.write_text(text + '\n[[faults]]\nkind = "loss"\nlink = "msa-mx-net"\nrate = 0.3\n\n'
                    '[[faults]]\nkind = "latency"\nlink = "alice-msa"\nseconds = 0.2\n')
    ev = run_scenario(load_scenario(path)).events
    lost = [e for e in ev if e.text.startswith("segment lost")]
    assert lost and all(e.port == 25 for e in lost)
    syn, synack = [e for e in ev if e.port == 587 and e.kind is Kind.TCP][:2]
    assert synack.t - syn.t == pytest.approx(0.21)
    assert any(e.kind is Kind.DELIVER for e in ev)
