"""DNS for the simulation, built on dnspython: zones, a resolver, dig-style text."""

from simulator.dns.resolver import DNSAnswer, ZoneResolver, dig_lines, make_query
from simulator.dns.zones import build_zones

__all__ = ["DNSAnswer", "ZoneResolver", "build_zones", "dig_lines", "make_query"]
