"""The live trace a UI follows, and the certificates kept under the data directory."""

from __future__ import annotations

import imaplib
import smtplib
import stat

import pytest
from cryptography import x509

from livekit import ALICE, ALICE_PW, CLIENT_NAME, TIMEOUT, message, submit, tls, wait_for, wait_for_mail
from simulator.live.certs import permitted
from simulator.live.trace import LiveTrace
from simulator.trace.events import Kind, TLSMode, Trace

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def test_the_trace_grows_as_sessions_happen_and_tells_subscribers(live) -> None:
    mode = live()
    seen = []
    unsubscribe = mode.trace.subscribe(seen.append)
    before = len(mode.trace.events)
    submit(mode, message())
    wait_for_mail(mode)
    wait_for(lambda: any(e.text.startswith("stored in bob@example.net") for e in seen), what="the delivery event")
    assert len(mode.trace.events) > before and seen == mode.trace.events[before:before + len(seen)]
    assert [e.step for e in mode.trace.events] == list(range(len(mode.trace.events)))
    assert all(a.t <= b.t for a, b in zip(mode.trace.events, mode.trace.events[1:]))
    kinds = {e.kind for e in seen}
    assert {Kind.TCP, Kind.TLS, Kind.SMTP, Kind.QUEUE, Kind.DNS, Kind.DELIVER, Kind.IMAP} <= kinds
    # Explanations come from the simulation's narrators.
    ehlo = next(e for e in seen if e.text.startswith("250-STARTTLS"))
    assert "STARTTLS" in ehlo.explain and ehlo.rfc == "RFC 3207 §4"
    unsubscribe()
    count = len(seen)
    submit(mode, message("unwatched"))
    assert len(seen) == count

    snapshot = mode.trace.snapshot()
    assert isinstance(snapshot, Trace) and snapshot.scenario == "submission-starttls"
    assert [a.id for a in snapshot.actors][:2] == ["alice", "msa"]
    relay = [c for c in snapshot.connections if c.port == 25]
    assert relay and relay[0].client == "msa" and relay[0].server == "mx-net" and relay[0].tls is TLSMode.STARTTLS


def test_concurrent_sessions_are_distinguishable_and_logins_redraw_who_talks(live) -> None:
    mode = live()
    first = smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT)
    second = smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT)
    first.noop()
    second.noop()
    conns = {e.conn for e in mode.trace.events if e.text == "noop"}
    assert len(conns) == 2
    first.quit()
    second.quit()
    # Alice reads her own mailbox: the connection is redrawn as alice -> store-org after LOGIN.
    with imaplib.IMAP4_SSL("127.0.0.1", mode.ports["imaps"], ssl_context=tls(mode), timeout=TIMEOUT) as im:
        im.login(ALICE, ALICE_PW)
        im.logout()
    conn = next(c for c in mode.trace.connections.values() if c.port == 993)
    assert (conn.client, conn.server) == ("alice", "store-org")


def test_the_trace_keeps_memory_bounded() -> None:
    base = Trace("s", "t", "", 1, (), ())
    trace = LiveTrace(base, max_events=1000)
    for i in range(2500):
        trace.emit(Kind.NOTE, "a", "b", f"n{i}", "")
    assert len(trace.events) <= 1000
    assert trace.events[-1].step == 2499 and trace.events[0].step == trace.first_step
    assert trace.events_since(2400)[0].text == "n2400"


def test_certificates_are_made_once_and_reused(live, data_dir) -> None:
    first = live()
    ca = first.certs.ca.read_bytes()
    server = first.certs.cert.read_bytes()
    for key in (first.certs.key, first.certs.ca_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first.thread.stop()
    second = live()
    assert second.certs.ca.read_bytes() == ca and second.certs.cert.read_bytes() == server
    other = live("mx-failover")  # another scenario: the same CA, its own certificate
    assert other.certs.ca.read_bytes() == ca
    names = x509.load_pem_x509_certificate(other.certs.cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert "mx2.example.net" in names and "localhost" in names


def test_the_ca_can_only_vouch_for_names_reserved_for_testing(live) -> None:
    mode = live()
    ca = x509.load_pem_x509_certificate(mode.certs.ca.read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert permitted("mx1.example.net") and permitted("localhost") and permitted("127.0.0.1")
    assert not permitted("smtp.gmail.com") and not permitted("10.0.0.1") and not permitted("example.net.evil.com")
