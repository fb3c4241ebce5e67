"""The simulated resolver answers real dnspython queries through wire format."""

import dns.message
import dns.rcode
import dns.rdatatype

from simulator.dns import ZoneResolver, build_zones, dig_lines, make_query
from simulator.scenario.loader import _with_defaults

ZONE = """
@     IN MX 20 mx2
@     IN MX 10 mx1
mx1   IN A 203.0.113.25
mx2   IN A 203.0.113.26
mx2   IN AAAA 2001:db8::26
www   IN A 203.0.113.80
"""


def resolver():
    return ZoneResolver(build_zones([("example.net", _with_defaults("example.net", ZONE))]))


def test_query_is_a_real_dns_message_with_the_given_id():
    wire = make_query("example.net", "MX", 4242)
    msg = dns.message.from_wire(wire)
    assert msg.id == 4242
    assert msg.question[0].rdtype == dns.rdatatype.MX


def test_mx_answer_lists_both_exchanges_with_preferences_and_glue():
    answer = resolver().parse(resolver().respond(make_query("example.net", "MX", 1)))
    assert answer.rcode == "NOERROR"
    assert sorted(answer.mx) == [(10, "mx1.example.net"), (20, "mx2.example.net")]
    assert answer.glue("mx1.example.net") == ["203.0.113.25"]
    assert sorted(answer.glue("mx2.example.net")) == ["2001:db8::26", "203.0.113.26"]


def test_response_id_matches_query_and_flags_say_response_recursion_available():
    msg = dns.message.from_wire(resolver().respond(make_query("example.net", "MX", 777)))
    assert msg.id == 777
    assert "QR" in dns.flags.to_text(msg.flags) and "RA" in dns.flags.to_text(msg.flags)


def test_unknown_name_in_zone_is_nxdomain_with_soa():
    answer = resolver().parse(resolver().respond(make_query("nope.example.net", "MX", 1)))
    assert answer.rcode == "NXDOMAIN"
    assert answer.message.authority and answer.message.authority[0].rdtype == dns.rdatatype.SOA


def test_name_outside_every_zone_is_nxdomain():
    answer = resolver().parse(resolver().respond(make_query("example.com", "MX", 1)))
    assert answer.rcode == "NXDOMAIN"


def test_existing_name_without_the_type_is_nodata():
    answer = resolver().parse(resolver().respond(make_query("www.example.net", "MX", 1)))
    assert answer.rcode == "NOERROR"
    assert answer.records == ()
    assert answer.message.authority[0].rdtype == dns.rdatatype.SOA


def test_forced_servfail():
    msg = dns.message.from_wire(resolver().respond(make_query("example.net", "MX", 1), rcode="SERVFAIL"))
    assert msg.rcode() == dns.rcode.SERVFAIL


def test_dig_lines_look_like_dig():
    lines = dig_lines(resolver().respond(make_query("example.net", "MX", 9)))
    assert lines[0] == ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 9"
    assert lines[1].startswith(";; flags: qr rd ra; QUERY: 1, ANSWER: 2,")
    assert lines[2] == ";example.net.\tIN\tMX"
    assert ";; ANSWER SECTION:" in lines
    assert "example.net.\t3600\tIN\tMX\t10 mx1.example.net." in lines
