"""The receiving MX's checks of its client, on real sockets: reverse DNS, a blocklist, relaying.

Each refusal is read from what a real client (smtplib) was answered, and each
DNS question from live mode's trace and from live mode's own DNS server
(dnspython's client), and checked against the RFCs: 550 5.7.25 for reverse
DNS (RFC 7372 §3.3), 554 5.7.1 for a listed client with the list's name
(RFC 5782 §2.1), 550 5.7.1 for relaying to a domain the MX does not serve
(RFC 5321 §3.6.2, RFC 3463 X.7.1).
"""

from __future__ import annotations

import smtplib

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from tests.live.livekit import ALICE, BOB, CLIENT_NAME, TIMEOUT, message, submit, tls, wait_for, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def _mx_session(mode, rcpt: str) -> tuple[int, bytes]:
    """An outside client on the live MX port: EHLO, STARTTLS, MAIL, one RCPT; the RCPT reply."""
    with smtplib.SMTP("127.0.0.1", mode.ports["mta"], local_hostname=CLIENT_NAME, timeout=TIMEOUT) as client:
        client.starttls(context=tls(mode))
        client.ehlo()
        client.mail(ALICE)
        return client.rcpt(rcpt)


def _dig(mode, name: str, rdtype: str) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=mode.ports["dns"], timeout=5)


def test_live_relay_to_a_third_domain_is_denied_without_auth(live) -> None:
    mode = live("open-relay-denied")
    code, text = _mx_session(mode, "carol@example.com")
    assert code == 550 and text.split()[0] == b"5.7.1"  # X.7.1 delivery not authorized (RFC 3463 §3.8)
    code, _ = _mx_session(mode, BOB)  # its own domain: an MX takes it from anyone
    assert code == 250


def test_live_mx_refuses_a_relay_whose_ptr_does_not_confirm(live) -> None:
    mode = live("reverse-dns")
    # The live DNS server publishes the reverse zone: the PTR names a host that does not exist.
    ptr = _dig(mode, "25.2.0.192.in-addr.arpa", "PTR")
    names = [rd.target.to_text() for rrset in ptr.answer if rrset.rdtype == dns.rdatatype.PTR for rd in rrset]
    assert names == ["mail-old.example.org."]
    assert _dig(mode, "mail-old.example.org", "A").rcode() == dns.rcode.NXDOMAIN
    submit(mode, message())  # 587 + AUTH: the MSA accepts, then relays to the MX over loopback
    dsn = wait_for_mail(mode, 1, ALICE, "correct horse battery staple")[0]
    assert b"Status: 5.7.25" in dsn and b"550 5.7.25" in dsn  # RFC 3464 fields carrying RFC 7372 §3.3
    events = list(mode.trace.events)
    queries = [e.text for e in events if e.kind.value == "dns" and e.src == "mx-net"]
    assert queries[0].startswith(";25.2.0.192.in-addr.arpa.") and queries[0].endswith("PTR")
    assert queries[1].startswith(";mail-old.example.org.") and queries[1].endswith("A")
    refusals = [e.text for e in events if e.text.startswith("550 5.7.25")]
    assert refusals, "the MX's refusal is in the live trace"


def test_live_mx_refuses_a_listed_relay_and_names_the_list(live) -> None:
    mode = live("dnsbl-listed")
    listed = _dig(mode, "25.2.0.192.dnsbl.example", "A")
    assert [rd.address for rrset in listed.answer for rd in rrset] == ["127.0.0.2"]
    assert _dig(mode, "26.2.0.192.dnsbl.example", "A").rcode() == dns.rcode.NXDOMAIN  # not listed
    submit(mode, message())
    dsn = wait_for_mail(mode, 1, ALICE, "correct horse battery staple")[0]
    assert b"Status: 5.7.1" in dsn and b"554 5.7.1" in dsn and b"dnsbl.example" in dsn
    texts = wait_for(lambda: [e.text for e in mode.trace.events if e.src == "mx-net" and e.kind.value == "dns"])
    assert any(t.startswith(";25.2.0.192.dnsbl.example.") and t.endswith("A") for t in texts)
    assert any(t.startswith(";25.2.0.192.dnsbl.example.") and t.endswith("TXT") for t in texts)


def test_live_dns_server_publishes_the_ptr_missing_fault(live) -> None:
    from simulator.scenario.library import open_scenario
    from simulator.scenario.toggles import with_toggles
    from simulator.live import LiveMode, LiveOptions, LiveThread

    scenario = with_toggles(open_scenario("dnsbl-listed"), ["ptr-missing"])
    base = live("dnsbl-listed")
    assert _dig(base, "25.2.0.192.in-addr.arpa", "PTR").answer  # the shipped zone has the PTR
    mode = LiveMode(scenario, LiveOptions(listen="127.0.0.1", ephemeral=True, data_dir=base.options.data_dir / "f"))
    thread = LiveThread(mode)
    thread.start()
    try:
        assert _dig(mode, "25.2.0.192.in-addr.arpa", "PTR").rcode() == dns.rcode.NXDOMAIN
        submit(mode, message())
        dsn = wait_for_mail(mode, 1, ALICE, "correct horse battery staple")[0]
        assert b"Status: 5.7.25" in dsn
    finally:
        thread.stop()


def test_live_outside_client_is_checked_at_its_real_address(live) -> None:
    mode = live("reverse-dns")
    code, text = _mx_session(mode, BOB)
    assert code == 550 and text.split()[0] == b"5.7.25"  # RFC 7372 §3.3
    assert b"127.0.0.1" in text
    queries = [e.text for e in mode.trace.events if e.kind.value == "dns" and e.src == "mx-net"]
    assert queries[0].startswith(";1.0.0.127.in-addr.arpa.") and queries[0].endswith("PTR")  # RFC 1035 §3.5
