"""What live mode adds to the sending domain's zone so that receivers can check its mail.

For the MSA's domain (``example.org`` in the shipped scenarios), live mode's
DNS server publishes, besides the scenario's records:

- the DKIM key record of live mode's own key, ``live._domainkey.example.org``
  (RFC 6376 §3.6.2.1), cut into character-strings of at most 255 octets,
  since that is all one string holds (RFC 1035 §3.3.14); verifiers join them
  without spaces (RFC 6376 §3.6.2.2);
- SPF (RFC 7208 §3): the scenario's record if it has one, else
  ``v=spf1 ip4:<the MSA's scenario address> -all``, with the addresses live
  mode's relay really connects from (loopback) added: the live MX checks the
  address a connection comes from, and the relay's is 127.0.0.1, not the
  scenario's. A scenario record that does not let the MSA's own address
  send (a lesson about SPF failing) is left as it is, so live mode fails too;
- an SPF record for the MSA's host name, the HELO identity (RFC 7208 §2.3),
  with the same addresses: a bounce has no MAIL FROM, so SPF, and DMARC
  with it, can only check the HELO name (RFC 7208 §2.4);
- DMARC (RFC 7489 §6.1): the scenario's ``_dmarc`` record, else
  ``v=DMARC1; p=reject``.

The records are added to the zone texts before any resolver is built, so the
DNS server, the queue's lookups and the MX's checks all read the same zones.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.zone

from simulator.delivery.authentication import DKIMKey, spf_check
from simulator.delivery.connectcheck import Ask
from simulator.dns import DNSAnswer, ZoneResolver, build_zones, make_query
from simulator.scenario.model import Host

MAX_STRING = 255  # octets in one DNS character-string (RFC 1035 §3.3)
SPF_PREFIX = "v=spf1"
DMARC_RECORD = "v=DMARC1; p=reject"
TTL = 300


def with_auth_records(zones: tuple[tuple[str, str], ...], key: DKIMKey, msa: Host,
                      relay_ips: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The scenario's zones with the signing domain's DKIM key, SPF and DMARC records."""
    domain = key.domain
    relays = [ip for ip in relay_ips if ip != msa.ip]
    if not _spf_allows(zones, msa, domain):
        relays = []  # the lesson's own SPF record refuses the MSA: keep it so
    origin = _zone_of(zones, domain)
    texts = list(zones)
    if origin is None:
        # The scenario has no zone for the domain: make one, so that its records exist at all.
        texts.append((domain, f"$ORIGIN {domain}.\n$TTL {TTL}\n"
                              f"@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 7200 3600 1209600 300\n"
                              f"@ IN NS ns1.{domain}.\n"))
        origin = domain
    out = []
    for name, text in texts:
        if name == origin:
            text = _add_records(name, text, key, msa, relays)
        out.append((name, text))
    return tuple(out)


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


def _spf_allows(zones: tuple[tuple[str, str], ...], msa: Host, domain: str) -> bool:
    """Whether the scenario's SPF for ``domain`` lets the MSA send from its scenario address (or says nothing)."""
    resolver = ZoneResolver(build_zones(zones))
    steps = spf_check(msa.ip, f"postmaster@{domain}", msa.hostname)
    answer: DNSAnswer | None = None
    while True:
        try:
            step = steps.send(answer)
        except StopIteration as done:
            return done.value.result in ("pass", "none")
        answer = resolver.parse(resolver.respond(make_query(step.name, step.rdtype, 0))) \
            if isinstance(step, Ask) else None


def _add_records(origin: str, text: str, key: DKIMKey, msa: Host, relay_ips: list[str]) -> str:
    zone = dns.zone.from_text(text, origin=dns.name.from_text(origin), relativize=False, check_origin=True)
    domain = dns.name.from_text(key.domain)
    # The key: live mode's, whatever the scenario published under the same name.
    _replace_txt(zone, dns.name.from_text(key.record_name), [split_strings(key.record)])
    # SPF: the scenario's policy, plus where the relay connects from.
    records = _txt_strings(zone, domain)
    spf = [r for r in records if r.lower().startswith(SPF_PREFIX + " ") or r.lower() == SPF_PREFIX]
    others = [r for r in records if r not in spf]
    mechanisms = [_ip_mechanism(ip) for ip in relay_ips]
    if spf:
        policy = spf[0]  # more than one SPF record is a permerror (RFC 7208 §4.5); keep the first
        terms = policy.split()[1:]
        added = [m for m in mechanisms if m not in terms]
        policy = " ".join([SPF_PREFIX, *added, *terms])
    else:
        policy = " ".join([SPF_PREFIX, *_unique([_ip_mechanism(msa.ip), *mechanisms]), "-all"])
    _replace_txt(zone, domain, [split_strings(r) for r in [*others, policy]])
    # The HELO identity: the MSA's host name, when it is in this zone and says nothing of its own.
    helo = dns.name.from_text(msa.hostname)
    if helo != domain and helo.is_subdomain(dns.name.from_text(origin)) and not _txt_strings(zone, helo):
        record = " ".join([SPF_PREFIX, *_unique([_ip_mechanism(msa.ip), *mechanisms]), "-all"])
        _replace_txt(zone, helo, [split_strings(record)])
    # DMARC: the scenario's if it has one.
    dmarc = dns.name.from_text(f"_dmarc.{key.domain}")
    if not _txt_strings(zone, dmarc):
        _replace_txt(zone, dmarc, [split_strings(DMARC_RECORD)])
    return zone.to_text(relativize=False)


def _txt_strings(zone: dns.zone.Zone, name: dns.name.Name) -> list[str]:
    rdataset = zone.get_rdataset(name, dns.rdatatype.TXT)
    if rdataset is None:
        return []
    return [b"".join(rd.strings).decode("ascii", "replace") for rd in rdataset]


def _replace_txt(zone: dns.zone.Zone, name: dns.name.Name, records: list[list[bytes]]) -> None:
    rdataset = zone.find_rdataset(name, dns.rdatatype.TXT, create=True)
    ttl = rdataset.ttl if len(rdataset) else TTL
    rdataset.clear()
    for strings in records:
        rdataset.add(dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, strings), ttl)


def _ip_mechanism(ip: str) -> str:
    """``ip4:a.b.c.d`` or ``ip6:...`` (RFC 7208 §5.6)."""
    return f"ip{ipaddress.ip_address(ip).version}:{ip}"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
