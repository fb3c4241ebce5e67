"""Turn a scenario's zone texts into dnspython zones."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import dns.name
import dns.zone


@functools.lru_cache(maxsize=256)
def parse_zone(origin: str, text: str) -> dns.zone.Zone:
    """One zone from its master-file text (``origin`` without the final dot); raises dnspython's errors.

    Parsed once per process for the same text: the loader parses each zone to validate it and every
    run's resolver needs the same zone again. Nothing of ours changes a zone once it is parsed
    (the resolver only reads; faults rewrite the text, which is another key).
    """
    return dns.zone.from_text(text, origin=dns.name.from_text(origin + "."), relativize=False, check_origin=True)


def build_zones(zone_texts: Iterable[tuple[str, str]]) -> dict[dns.name.Name, dns.zone.Zone]:
    """``(origin, master-file text)`` pairs, already validated by the loader."""
    zones: dict[dns.name.Name, dns.zone.Zone] = {}
    for origin, text in zone_texts:
        zone = parse_zone(origin, text)
        zones[zone.origin] = zone  # type: ignore[index]  # from_text always sets the origin
    return zones
