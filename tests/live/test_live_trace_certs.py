"""The live trace a UI follows, and the certificates kept under the data directory."""

from __future__ import annotations

import imaplib
import re
import smtplib
import socket
import ssl
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

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
    msa = first.certs.for_name("smtp.example.org")
    server = msa.cert.read_bytes()
    for key in (msa.key, first.certs.ca_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first.thread.stop()
    second = live()
    assert second.certs.ca.read_bytes() == ca and second.certs.for_name("smtp.example.org").cert.read_bytes() == server
    other = live("mx-failover")  # another scenario: the same CA, its own certificates
    assert other.certs.ca.read_bytes() == ca
    assert _names(other.certs.for_name("mx2.example.net").cert.read_bytes()) == ("mx2.example.net", ["localhost",
                                                                                                   "mx2.example.net"])


def _names(pem: bytes) -> tuple[str, list[str]]:
    """(subject CN, sorted DNS subjectAltNames) of the first certificate in ``pem``."""
    cert = x509.load_pem_x509_certificate(pem)
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return str(cn), sorted(san.get_values_for_type(x509.DNSName))


def _reply(sock: socket.socket) -> bytes:
    data = b""
    while not re.search(rb"(^|\r\n)\d{3} [^\r\n]*\r\n$", data):
        chunk = sock.recv(1000)
        assert chunk, data
        data += chunk
    return data


def _presented(port: int, server_name: str | None, ca: str, *, starttls: bool = False) -> tuple[str, list[str]]:
    """The certificate a live listener presents, read off a real handshake (after SMTP STARTTLS if asked)."""
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = False  # we read the names ourselves
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
        if starttls:
            _reply(raw)
            for command in (b"EHLO laptop.example.org\r\n", b"STARTTLS\r\n"):
                raw.sendall(command)
                _reply(raw)
        with context.wrap_socket(raw, server_hostname=server_name) as tls_sock:
            der = tls_sock.getpeercert(binary_form=True)
    assert der is not None
    return _names(x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM))


def test_each_service_presents_the_certificate_of_its_own_name(live) -> None:
    # Issue 10: the submission server's certificate named imap.example.net.
    mode = live()
    ca = str(mode.certs.ca)
    assert _presented(mode.ports["msa-implicit"], None, ca) == ("smtp.example.org", ["localhost", "smtp.example.org"])
    assert _presented(mode.ports["msa-starttls"], None, ca, starttls=True)[0] == "smtp.example.org"
    assert _presented(mode.ports["imaps"], None, ca)[0] == "imap.example.net"
    assert _presented(mode.ports["pop3s"], None, ca)[0] == "imap.example.net"
    # The one MX listener: the first MX, or the MX the client names (SNI), as the relay does.
    assert _presented(mode.ports["mta"], None, ca, starttls=True)[0] == "mx1.example.net"
    assert _presented(mode.ports["mta"], "mx.example.org", ca, starttls=True)[0] == "mx.example.org"
    # A client that checks host names accepts the MSA's certificate for smtp.example.org, and only for it.
    strict = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", mode.ports["msa-implicit"]), timeout=TIMEOUT) as raw:
        with strict.wrap_socket(raw, server_hostname="smtp.example.org") as ok:
            assert ok.recv(100).startswith(b"220 smtp.example.org")
    with socket.create_connection(("127.0.0.1", mode.ports["msa-implicit"]), timeout=TIMEOUT) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            strict.wrap_socket(raw, server_hostname="imap.example.net")


def test_the_ca_can_only_vouch_for_names_reserved_for_testing(live) -> None:
    mode = live()
    ca = x509.load_pem_x509_certificate(mode.certs.ca.read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert permitted("mx1.example.net") and permitted("localhost") and permitted("127.0.0.1")
    assert not permitted("smtp.gmail.com") and not permitted("10.0.0.1") and not permitted("example.net.evil.com")
