"""A zone is parsed once per process for its text: every later run of the scenario reuses it."""

from __future__ import annotations

import uuid

import dns.name
import dns.rdatatype

from simulator.dns.zones import build_zones, parse_zone


def test_a_second_run_of_the_same_zones_does_not_parse_them_again():
    # A zone text never seen before in this process (a comment makes it unique).
    text = f"$ORIGIN zones-once.example.\n$TTL 3600\n@ IN SOA ns hostmaster 1 3600 600 86400 300\n@ IN NS ns\n" \
           f"ns IN A 192.0.2.53\n@ IN MX 10 mx\nmx IN A 192.0.2.26\n; {uuid.uuid4()}\n"
    zones = (("zones-once.example", text),)
    before = parse_zone.cache_info()
    first = build_zones(zones)
    middle = parse_zone.cache_info()
    second = build_zones(zones)
    after = parse_zone.cache_info()
    assert (middle.misses, middle.hits) == (before.misses + 1, before.hits)
    assert (after.misses, after.hits) == (middle.misses, middle.hits + 1)
    name = dns.name.from_text("zones-once.example.")
    assert second[name] is first[name]
    mx = second[name].get_rdataset(name, dns.rdatatype.MX)
    assert [(rd.preference, rd.exchange.to_text()) for rd in mx] == [(10, "mx.zones-once.example.")]
