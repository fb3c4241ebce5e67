"""What live mode adds to the sending domain's zone, merged with what the scenario publishes."""

from __future__ import annotations

import dns.name
import dns.rdatatype
import dns.zone

from simulator.live.authrecords import live_auth, split_strings, with_auth_records
from simulator.scenario.library import open_scenario
from simulator.scenario.model import Host, Role

MSA = Host("msa", Role.MSA, "smtp.example.org", "192.0.2.25", ("example.org",))
ZONE = """$ORIGIN example.org.
$TTL 3600
@ IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300
@ IN NS ns1.example.org.
"""


def _txt(zones: tuple[tuple[str, str], ...], origin: str, name: str) -> list[str]:
    text = dict(zones)[origin]
    zone = dns.zone.from_text(text, origin=dns.name.from_text(origin), relativize=False)
    rdataset = zone.get_rdataset(dns.name.from_text(name), dns.rdatatype.TXT)
    return sorted(b"".join(rd.strings).decode() for rd in rdataset) if rdataset else []


def test_without_records_the_domain_gets_spf_for_the_msa_and_dmarc_reject() -> None:
    out = with_auth_records((("example.org", ZONE),), MSA)
    assert _txt(out, "example.org", "example.org") == ["v=spf1 ip4:192.0.2.25 -all"]  # RFC 7208 §5.6
    assert _txt(out, "example.org", "_dmarc.example.org") == ["v=DMARC1; p=reject"]


def test_the_msa_host_name_gets_a_helo_record() -> None:
    # RFC 7208 §2.3: a record for the HELO name; a bounce (MAIL FROM:<>) is checked against it.
    out = with_auth_records((("example.org", ZONE),), MSA)
    assert _txt(out, "example.org", "smtp.example.org") == ["v=spf1 ip4:192.0.2.25 -all"]


def test_the_scenarios_own_records_are_kept() -> None:
    zones = (("example.org", ZONE + '@ IN TXT "v=spf1 ip4:198.51.100.1 ~all"\n@ IN TXT "site-verification=x"\n'
                                    '_dmarc IN TXT "v=DMARC1; p=none"\n'),)
    out = with_auth_records(zones, MSA)
    assert _txt(out, "example.org", "example.org") == ["site-verification=x", "v=spf1 ip4:198.51.100.1 ~all"]
    assert _txt(out, "example.org", "_dmarc.example.org") == ["v=DMARC1; p=none"]


def test_a_domain_without_a_zone_gets_one() -> None:
    out = with_auth_records((("example.net", ZONE.replace("example.org", "example.net")),), MSA)
    assert _txt(out, "example.org", "example.org") == ["v=spf1 ip4:192.0.2.25 -all"]


def test_the_msa_signs_and_every_mx_checks_in_live_mode() -> None:
    scenario = live_auth(open_scenario("submission-starttls"))
    assert [h.dkim_selector for h in scenario.hosts_with_role(Role.MSA)] == ["live"]
    assert scenario.hosts_with_role(Role.MTA) and all(h.mail_auth for h in scenario.hosts_with_role(Role.MTA))


def test_strings_are_cut_at_255_octets() -> None:
    strings = split_strings("x" * 600)
    assert [len(s) for s in strings] == [255, 255, 90] and b"".join(strings) == b"x" * 600
