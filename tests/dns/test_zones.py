"""A zone the loader parsed to validate it is the zone the run's resolver gets: parsed once."""

from __future__ import annotations

import dns.name
import dns.rdatatype

from simulator.dns.zones import build_zones, parse_zone
from simulator.scenario.loader import parse_scenario

SCENARIO = '''
[scenario]
title = "zones once"
summary = "t"
[hosts.alice]
role = "mua"
hostname = "alice.zones-once.example"
ip = "192.0.2.10"
account = "alice@zones-once.example"
[hosts.msa]
role = "msa"
hostname = "smtp.zones-once.example"
ip = "192.0.2.25"
domains = ["zones-once.example"]
[hosts.dns]
role = "dns"
hostname = "resolver.zones-once.example"
ip = "192.0.2.53"
[accounts]
"alice@zones-once.example" = "pw"
[dns.zones]
"zones-once.example" = "@ IN MX 10 mx\\nmx IN A 192.0.2.26\\n"
'''


def test_the_run_gets_the_zone_the_loader_validated_without_parsing_it_again():
    scenario = parse_scenario(SCENARIO, source="zones-once.toml", name="zones-once")
    before = parse_zone.cache_info()
    zones = build_zones(scenario.zones)
    after = parse_zone.cache_info()
    assert (after.misses, after.hits) == (before.misses, before.hits + 1)
    zone = zones[dns.name.from_text("zones-once.example.")]
    mx = zone.get_rdataset("zones-once.example.", dns.rdatatype.MX)
    assert [(rd.preference, rd.exchange.to_text()) for rd in mx] == [(10, "mx.zones-once.example.")]
