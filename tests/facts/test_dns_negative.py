"""Negative DNS answers carry the zone's SOA, with the negative-caching TTL (RFC 2308 §3, §5)."""

from __future__ import annotations

import dns.message
import dns.rcode
import dns.rdatatype

from simulator.dns import ZoneResolver, build_zones, make_query
from simulator.scenario.loader import _with_defaults
from simulator.trace.events import Direction, Kind
from tests.facts.conftest import trace_of

ZONE = """
$TTL 3600
@     IN SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 600
@     IN NS  ns1
@     IN MX  10 mx1
mx1   IN A   203.0.113.25
www   IN A   203.0.113.80
"""


def _answer(qname: str, rdtype: str = "MX", **kw) -> dns.message.Message:
    resolver = ZoneResolver(build_zones([("example.net", _with_defaults("example.net", ZONE))]))
    return dns.message.from_wire(resolver.respond(make_query(qname, rdtype, 1), **kw))


def _soa(message: dns.message.Message):
    (rrset,) = [r for r in message.authority if r.rdtype == dns.rdatatype.SOA]
    return rrset


def test_name_error_in_a_zone_carries_its_soa_with_min_of_ttl_and_minimum():
    msg = _answer("nope.example.net")
    assert msg.rcode() == dns.rcode.NXDOMAIN
    soa = _soa(msg)
    assert soa.name.to_text() == "example.net."
    assert soa.ttl == min(3600, 600) == 600  # the SOA's TTL is 3600, its MINIMUM 600


def test_nodata_carries_the_soa_too():
    msg = _answer("www.example.net", "MX")
    assert msg.rcode() == dns.rcode.NOERROR and not msg.answer
    assert _soa(msg).ttl == 600


def test_minimum_above_the_ttl_leaves_the_ttl():
    zone = ZONE.replace("1209600 600", "1209600 86400")
    resolver = ZoneResolver(build_zones([("example.net", _with_defaults("example.net", zone))]))
    msg = dns.message.from_wire(resolver.respond(make_query("nope.example.net", "MX", 1)))
    assert _soa(msg).ttl == 3600


def test_a_domain_no_zone_holds_gets_the_top_level_domains_soa():
    msg = _answer("exmaple.net")
    assert msg.rcode() == dns.rcode.NXDOMAIN
    soa = _soa(msg)
    assert soa.name.to_text() == "net."
    (rd,) = soa
    assert soa.ttl == min(900, rd.minimum)


def test_servfail_carries_no_soa():
    msg = _answer("example.net", rcode="SERVFAIL")
    assert msg.rcode() == dns.rcode.SERVFAIL and not msg.authority


def test_an_ordinary_soa_query_keeps_the_zones_own_ttl():
    msg = _answer("example.net", "SOA")
    assert msg.answer[0].ttl == 3600


def _dns_lines(name: str):
    return [e for e in trace_of(name).events if e.kind is Kind.DNS and e.dir is Direction.SERVER]


def test_the_nxdomain_lesson_shows_the_soa_the_student_is_asked_to_read():
    lesson = trace_of("nxdomain")
    assert any("SOA" in goal for goal in lesson.goals)
    lines = _dns_lines("nxdomain")
    texts = [e.text for e in lines]
    header = next(t for t in texts if "status: NXDOMAIN" in t)
    flags = texts[texts.index(header) + 1]
    assert "AUTHORITY: 1" in flags
    soa = next(e for e in lines if "\tSOA\t" in e.text)
    assert texts.index(";; AUTHORITY SECTION:") < texts.index(soa.text)
    name, ttl, _cls, _type, data = soa.text.split("\t")
    minimum = int(data.split()[6])
    assert int(ttl) == min(900, minimum)  # the SOA record's own TTL for net. is 900 (resolver.py)
    assert f"{ttl} s" in soa.explain and "MINIMUM" in soa.explain and "exmaple.net does not exist" in soa.explain
    assert soa.rfc == "RFC 2308 §3"
    assert "does not exist" in next(e for e in lines if e.text == header).explain


def test_the_implicit_mx_lesson_shows_nodata_with_the_soa():
    lines = _dns_lines("implicit-mx")
    soa = next(e for e in lines if "\tSOA\t" in e.text)
    name, ttl, _cls, _type, data = soa.text.split("\t")
    fields = data.split()
    assert int(ttl) == min(3600, int(fields[6]))  # $TTL 3600 from the loader's defaults
    assert "no MX record" in soa.explain
    header = next(e for e in lines if e.text.startswith(";; ->>HEADER"))
    assert "NODATA" in header.explain and header.rfc == "RFC 2308 §2.2"


def test_null_mx_reads_as_no_mail_at_all():
    line = next(e for e in _dns_lines("null-mx") if e.text.endswith("\tMX\t0 ."))
    assert "null MX" in line.explain and "accepts no mail" in line.explain
    assert "may go to" not in line.explain and "preference 0." not in line.explain
    assert line.rfc == "RFC 7505 §3"
