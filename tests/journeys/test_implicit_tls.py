"""Port 465: TLS before the first SMTP byte (RFC 8314 §3)."""

from simulator.trace import Kind, TLSMode

from helpers import in_order, kind, line


def test_handshake_comes_before_the_greeting(trace):
    ev = [e for e in trace("submission-implicit-tls").events if e.port == 465]
    in_order(
        ev,
        kind("tcp", "SYN", port=465),
        kind("tcp", "ACK", port=465),
        kind("tls", "ClientHello"),
        kind("tls", "TLS 1.3 established"),
        line("S", "220 smtp.example.org", tls=TLSMode.IMPLICIT),
        line("C", "EHLO", tls=TLSMode.IMPLICIT),
        line("C", "AUTH PLAIN", tls=TLSMode.IMPLICIT),
        line("S", "235 2.7.0"),
    )


def test_no_starttls_on_465_and_every_smtp_line_is_encrypted(trace):
    ev = [e for e in trace("submission-implicit-tls").events if e.port == 465 and e.kind is Kind.SMTP]
    assert ev and all(e.tls is TLSMode.IMPLICIT for e in ev)
    assert not any("STARTTLS" in e.text for e in ev)


def test_message_still_arrives(trace):
    ev = trace("submission-implicit-tls").events
    assert any(e.kind is Kind.DELIVER and "bob@example.net" in e.text for e in ev)
