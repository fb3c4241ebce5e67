"""Live mode signs and checks all mail: how it sets up the scenario's hosts and the sending domain's zone.

The hosts (``live_auth``): the MSA signs with live mode's own key, selector
``live`` (``simulator.live.dkimkey``), and every MX checks SPF, DKIM and
DMARC (``mail_auth``), whatever the scenario says: the same shared code as
in the simulation (``simulator.delivery.authentication``) then does both.

The zone of the MSA's domain (``example.org`` in the shipped scenarios)
gets, besides the scenario's records (``with_auth_records``):

- the key record at ``live._domainkey.example.org``: added with every
  signing MSA's key by ``simulator.delivery.authentication.zones.published``,
  which live mode hands its key;
- SPF (RFC 7208 §3), unless the scenario has a record:
  ``v=spf1 ip4:<the MSA's scenario address> -all``. The MX checks a
  connection from live mode's queue at the address of the scenario host it
  stands for (as its other checks of the client do, see
  ``simulator.delivery.connectcheck.scenario_address``), and a real outside
  client at its real address (127.0.0.1), which the record does not list:
  a forgery from a local client fails, as the scenario's would;
- an SPF record for the MSA's host name, the HELO identity (RFC 7208 §2.3),
  with the same address: a bounce has no MAIL FROM, so SPF, and DMARC with
  it, can only check the HELO name (RFC 7208 §2.4);
- DMARC (RFC 7489 §6.3), unless the scenario has a ``_dmarc`` record:
  ``v=DMARC1; p=reject``.

The records are added to the zone texts before any resolver is built, so the
DNS server, the queue's lookups and the MX's checks all read the same zones.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.zone

from simulator.live.dkimkey import SELECTOR
from simulator.scenario.model import Host, Role, Scenario
from simulator.trace.narrate.authrecords import is_spf_record

MAX_STRING = 255  # octets in one DNS character-string (RFC 1035 §3.3)
SPF_PREFIX = "v=spf1"
DMARC_RECORD = "v=DMARC1; p=reject"
TTL = 300


def live_auth(scenario: Scenario) -> Scenario:
    """The scenario with its MSA signing (selector ``live``) and every MX checking incoming mail."""
    hosts = []
    for host in scenario.hosts:
        if host.role is Role.MSA:
            host = replace(host, dkim_selector=SELECTOR)
        elif host.role is Role.MTA:
            host = replace(host, mail_auth=True)
        hosts.append(host)
    return replace(scenario, hosts=tuple(hosts))


def signing_domain(msa: Host) -> str:
    """The domain the MSA signs for (DKIM's d=): its first mail domain, else its host name's parent."""
    if msa.domains:
        return msa.domains[0].lower().rstrip(".")
    labels = msa.hostname.lower().rstrip(".").split(".")
    return ".".join(labels[1:]) if len(labels) > 2 else ".".join(labels)


def with_auth_records(zones: tuple[tuple[str, str], ...], msa: Host) -> tuple[tuple[str, str], ...]:
    """The scenario's zones with the MSA's domain's SPF and DMARC records, and one for its HELO name."""
    domain = signing_domain(msa)
    origin = _zone_of(zones, domain)
    texts = list(zones)
    if origin is None:
        # The scenario has no zone for the domain: make one, so that its records exist at all.
        texts.append((domain, f"$ORIGIN {domain}.\n$TTL {TTL}\n"
                              f"@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 7200 3600 1209600 300\n"
                              f"@ IN NS ns1.{domain}.\n"))
        origin = domain
    return tuple((name, _add_records(name, text, domain, msa) if name == origin else text) for name, text in texts)


def split_strings(text: str) -> list[bytes]:
    """``text`` as character-strings of at most 255 octets each."""
    data = text.encode("ascii")
    return [data[i:i + MAX_STRING] for i in range(0, len(data), MAX_STRING)] or [b""]


def _zone_of(zones: tuple[tuple[str, str], ...], domain: str) -> str | None:
    """The origin of the zone holding ``domain`` (the longest that is a parent of it)."""
    name = dns.name.from_text(domain)
    best: str | None = None
    for origin, _text in zones:
        if name.is_subdomain(dns.name.from_text(origin)) and (best is None or len(origin) > len(best)):
            best = origin
    return best


def _add_records(origin: str, text: str, domain: str, msa: Host) -> str:
    apex = dns.name.from_text(origin)
    zone = dns.zone.from_text(text, origin=apex, relativize=False, check_origin=True)
    owner = dns.name.from_text(domain)
    policy = f"{SPF_PREFIX} {_ip_mechanism(msa.ip)} -all"
    if not any(is_spf_record(r) for r in _txt_strings(zone, owner)):
        _add_txt(zone, owner, policy)
    # The HELO identity: the MSA's host name, when it is in this zone and publishes no TXT of its own.
    helo = dns.name.from_text(msa.hostname)
    if helo != owner and helo.is_subdomain(apex) and not _txt_strings(zone, helo):
        _add_txt(zone, helo, policy)
    dmarc = dns.name.from_text(f"_dmarc.{domain}")
    if not _txt_strings(zone, dmarc):
        _add_txt(zone, dmarc, DMARC_RECORD)
    return zone.to_text(relativize=False)


def _txt_strings(zone: dns.zone.Zone, name: dns.name.Name) -> list[str]:
    rdataset = zone.get_rdataset(name, dns.rdatatype.TXT)
    if rdataset is None:
        return []
    return [b"".join(rd.strings).decode("ascii", "replace") for rd in rdataset]


def _add_txt(zone: dns.zone.Zone, name: dns.name.Name, text: str) -> None:
    rdataset = zone.find_rdataset(name, dns.rdatatype.TXT, create=True)
    rdataset.add(dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, split_strings(text)),
                 rdataset.ttl if len(rdataset) else TTL)


def _ip_mechanism(ip: str) -> str:
    """``ip4:a.b.c.d`` or ``ip6:...`` (RFC 7208 §5.6)."""
    return f"ip{ipaddress.ip_address(ip).version}:{ip}"
