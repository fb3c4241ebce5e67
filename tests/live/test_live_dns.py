"""The live DNS server: dnspython's own client over UDP and TCP gets the scenario's MX."""

from __future__ import annotations

import socket

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def _mx(response: dns.message.Message) -> list[tuple[int, str]]:
    return [(rd.preference, rd.exchange.to_text()) for rrset in response.answer if rrset.rdtype == dns.rdatatype.MX
            for rd in rrset]


def test_mx_over_udp_and_tcp_is_the_scenarios(live) -> None:
    mode = live()
    query = dns.message.make_query("example.net", "MX")
    for ask in (dns.query.udp, dns.query.tcp):
        response = ask(query, "127.0.0.1", port=mode.ports["dns"], timeout=5)
        assert response.rcode() == dns.rcode.NOERROR
        assert _mx(response) == [(10, "mx1.example.net.")]
        glue = [rd.address for rrset in response.additional for rd in rrset]
        assert glue == ["203.0.113.25"]  # the scenario's address; live mode maps it to its MX listener


def test_several_mx_and_names_outside_the_zones(live) -> None:
    mode = live("mx-failover")
    response = dns.query.udp(dns.message.make_query("example.net", "MX"), "127.0.0.1", port=mode.ports["dns"], timeout=5)
    assert sorted(_mx(response)) == [(10, "mx1.example.net."), (20, "mx2.example.net.")]
    response = dns.query.tcp(dns.message.make_query("gmail.com", "MX"), "127.0.0.1", port=mode.ports["dns"], timeout=5)
    assert response.rcode() == dns.rcode.NXDOMAIN  # never asks anyone else


def test_a_null_mx_fault_is_what_the_domain_publishes(live) -> None:
    mode = live("null-mx")
    response = dns.query.udp(dns.message.make_query("example.net", "MX"), "127.0.0.1", port=mode.ports["dns"], timeout=5)
    assert _mx(response) == [(0, ".")]


def test_garbage_gets_formerr_or_silence(live) -> None:
    mode = live()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff", ("127.0.0.1", mode.ports["dns"]))
        reply, _ = sock.recvfrom(512)
        assert reply[:2] == b"\x12\x34"
        assert reply[2] & 0x80 and reply[3] & 0x0F == dns.rcode.FORMERR
        sock.sendto(b"xy", ("127.0.0.1", mode.ports["dns"]))  # not even a header: no answer
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            sock.recvfrom(512)
    # The server still answers afterwards.
    response = dns.query.udp(dns.message.make_query("example.org", "MX"), "127.0.0.1", port=mode.ports["dns"], timeout=5)
    assert response.rcode() == dns.rcode.NOERROR and _mx(response)
