"""Turn a scenario's zone texts into dnspython zones."""

from __future__ import annotations

from collections.abc import Iterable

import dns.name
import dns.zone


def build_zones(zone_texts: Iterable[tuple[str, str]]) -> dict[dns.name.Name, dns.zone.Zone]:
    """``(origin, master-file text)`` pairs, already validated by the loader."""
    zones: dict[dns.name.Name, dns.zone.Zone] = {}
    for origin, text in zone_texts:
        name = dns.name.from_text(origin)
        zones[name] = dns.zone.from_text(text, origin=name, relativize=False, check_origin=True)
    return zones
