"""The records authentication needs, in the scenario's zones, and the instructor's faults as zone rewrites.

An MSA with ``dkim_selector`` publishes its public key: the TXT record at
``<selector>._domainkey.<domain>`` is added to the zone of each of its
domains (the key is fixed test data, so the scenario file need not carry
400 characters of base64). The faults rewrite what is published:

- ``dkim-key-missing`` (an MSA): its key record is not published;
- ``spf-omits-msa`` (an MSA): the ``ip4:``/``ip6:`` terms of its domain's SPF
  record that cover its address are dropped, so SPF fails for it;
- ``dmarc-none`` / ``dmarc-quarantine`` / ``dmarc-reject`` (a domain): its
  ``_dmarc`` record says that policy (one is added if it had none).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

from simulator.delivery.faults import FaultBook
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Host, Role, Scenario

if TYPE_CHECKING:
    from simulator.delivery.authentication.dkimcheck import DKIMKey

AUTH_FAULTS = (FaultKind.DKIM_KEY_MISSING, FaultKind.SPF_OMITS_MSA, FaultKind.DMARC_NONE,
               FaultKind.DMARC_QUARANTINE, FaultKind.DMARC_REJECT)
DMARC_FAULTS = {FaultKind.DMARC_NONE: "none", FaultKind.DMARC_QUARANTINE: "quarantine",
                FaultKind.DMARC_REJECT: "reject"}


def _zone_of(zones: list[tuple[str, str]], name: str) -> int | None:
    """The index of the most specific zone that holds ``name``."""
    best, length = None, -1
    for i, (origin, _text) in enumerate(zones):
        if (name == origin or name.endswith("." + origin)) and len(origin) > length:
            best, length = i, len(origin)
    return best


# (MSA, one of its domains) -> the key it signs that domain's mail with, or None. The scenario's are
# fixed test data; live mode's is made per data directory (simulator.live.dkimkey).
KeyFor = Callable[[Host, str], "DKIMKey | None"]


def scenario_key(msa: Host, domain: str) -> DKIMKey | None:
    """The scenario's test key for ``msa`` signing for ``domain`` (None if it does not sign)."""
    if not msa.dkim_selector:
        return None
    from simulator.delivery.authentication.dkimcheck import signing_key  # only for a signing MSA

    return signing_key(domain, msa.dkim_selector)


def published(scenario: Scenario, *, without_key_of: str | None = None,
              key_for: KeyFor = scenario_key) -> list[tuple[str, str]]:
    """The scenario's zones with each signing MSA's key record added."""
    zones = list(scenario.zones)
    for msa in scenario.hosts_with_role(Role.MSA):
        if not msa.dkim_selector or msa.id == without_key_of:
            continue
        for domain in msa.domains:
            key = key_for(msa, domain)
            if key is None:
                continue
            i = _zone_of(zones, key.record_name)
            if i is not None:
                origin, text = zones[i]
                zones[i] = (origin, text.rstrip("\n") + "\n" + key.zone_line() + "\n")
    return zones


def affected_names(scenario: Scenario, kind: FaultKind, subject: str) -> list[str]:
    """The names whose answers the fault changes (for a DNS server that publishes the faults)."""
    if kind in DMARC_FAULTS:
        return ["_dmarc." + subject]
    msa = scenario.host(subject)
    if kind is FaultKind.DKIM_KEY_MISSING:
        return [f"{msa.dkim_selector}._domainkey.{d}" for d in msa.domains if msa.dkim_selector]
    return list(msa.domains)


def rewrite_for_auth(scenario: Scenario, kind: FaultKind, subject: str,
                     key_for: KeyFor = scenario_key) -> list[tuple[str, str]]:
    """The published zones as the fault ``kind`` on ``subject`` rewrites them."""
    if kind is FaultKind.DKIM_KEY_MISSING:
        return published(scenario, without_key_of=subject, key_for=key_for)
    zones = published(scenario, key_for=key_for)
    if kind in DMARC_FAULTS:
        owner = "_dmarc." + subject
        record = f'"v=DMARC1; p={DMARC_FAULTS[kind]}; rua=mailto:dmarc-reports@{subject}"'
        return _edit(zones, owner, lambda old: [record])
    try:
        msa = scenario.host(subject)
    except KeyError:
        return zones
    ip = ipaddress.ip_address(msa.ip)
    for domain in msa.domains:
        zones = _edit(zones, domain, lambda old: [_quote(_without(t, ip)) for t in old])
    return zones


def _covers(term: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    body = term.lstrip("+-~?")
    mech, _colon, arg = body.partition(":")
    if mech.lower() not in ("ip4", "ip6") or not arg:
        return False
    try:
        return ip in ipaddress.ip_network(arg, strict=False)
    except ValueError:
        return False


def _without(text: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if not text.lower().startswith("v=spf1"):
        return text
    return " ".join(t for t in text.split() if not _covers(t, ip))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _edit(zones: list[tuple[str, str]], owner: str,
          change: Callable[[list[str]], list[str]]) -> list[tuple[str, str]]:
    """Replace the TXT records at ``owner`` with ``change(old texts)`` (quoted TXT rdata)."""
    i = _zone_of(zones, owner)
    if i is None:
        return zones
    origin, text = zones[i]
    zone = dns.zone.from_text(text, origin=dns.name.from_text(origin), relativize=False, check_origin=False)
    name = dns.name.from_text(owner)
    node = zone.find_node(name, create=True)
    old = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT)
    texts = [b"".join(rd.strings).decode("ascii", "replace") for rd in old] if old is not None else []
    ttl = old.ttl if old is not None else 3600
    node.delete_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT)
    new = change(texts)
    if new:
        rdataset = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT, create=True)
        rdataset.update_ttl(ttl)
        for rdata in new:
            rdataset.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, rdata))
    out = list(zones)
    out[i] = (origin, zone.to_text(relativize=False))
    return out


def zone_fault_for(scenario: Scenario, faults: FaultBook | None) -> Callable[[str, str], tuple[FaultKind, str] | None]:
    """Which fault in force (if any) answers an authentication question from its rewritten zones."""

    def which(name: str, rdtype: str) -> tuple[FaultKind, str] | None:
        if not faults or rdtype != "TXT":
            return None
        if name.startswith("_dmarc."):
            domain = name.removeprefix("_dmarc.")
            for kind in DMARC_FAULTS:
                if faults.hit(kind, domain):
                    return (kind, domain)
            return None
        for msa in scenario.hosts_with_role(Role.MSA):
            if "._domainkey." in name:
                if any(name == f"{msa.dkim_selector}._domainkey.{d}" for d in msa.domains) and \
                        faults.hit(FaultKind.DKIM_KEY_MISSING, msa.id):
                    return (FaultKind.DKIM_KEY_MISSING, msa.id)
            elif name in msa.domains and faults.hit(FaultKind.SPF_OMITS_MSA, msa.id):
                return (FaultKind.SPF_OMITS_MSA, msa.id)
        return None

    return which
