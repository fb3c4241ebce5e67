"""The records live mode adds to the sending domain's zone, merged with what the scenario publishes."""

from __future__ import annotations

from pathlib import Path

import dns.name
import dns.rdatatype
import dns.zone

from simulator.live.authrecords import split_strings, with_auth_records
from simulator.live.dkimkey import ensure_dkim_key
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
    return [b"".join(rd.strings).decode() for rd in rdataset] if rdataset else []


def test_a_scenario_spf_record_keeps_its_terms_and_gains_loopback(tmp_path: Path) -> None:
    key = ensure_dkim_key(tmp_path, "example.org")
    zones = (("example.org", ZONE + 'smtp IN A 192.0.2.25\n@ IN TXT "v=spf1 a:smtp.example.org ~all"\n'
                                     '@ IN TXT "site-verification=x"\n'),)
    out = with_auth_records(zones, key, MSA, ["127.0.0.1"])
    records = _txt(out, "example.org", "example.org")
    assert sorted(records) == ["site-verification=x", "v=spf1 ip4:127.0.0.1 a:smtp.example.org ~all"]


def test_a_lesson_whose_spf_refuses_the_msa_is_left_alone(tmp_path: Path) -> None:
    key = ensure_dkim_key(tmp_path, "example.org")
    zones = (("example.org", ZONE + '@ IN TXT "v=spf1 ip4:198.51.100.1 -all"\n'),)
    out = with_auth_records(zones, key, MSA, ["127.0.0.1"])
    assert _txt(out, "example.org", "example.org") == ["v=spf1 ip4:198.51.100.1 -all"]
    assert _txt(out, "example.org", "smtp.example.org") == ["v=spf1 ip4:192.0.2.25 -all"]


def test_the_msa_host_name_gets_a_helo_record(tmp_path: Path) -> None:
    # RFC 7208 §2.3: a record for the HELO name; a bounce (MAIL FROM:<>) is checked against it.
    key = ensure_dkim_key(tmp_path, "example.org")
    out = with_auth_records((("example.org", ZONE),), key, MSA, ["127.0.0.1"])
    assert _txt(out, "example.org", "smtp.example.org") == ["v=spf1 ip4:192.0.2.25 ip4:127.0.0.1 -all"]


def test_a_scenario_dmarc_record_is_kept(tmp_path: Path) -> None:
    key = ensure_dkim_key(tmp_path, "example.org")
    zones = (("example.org", ZONE + '_dmarc IN TXT "v=DMARC1; p=none"\n'),)
    out = with_auth_records(zones, key, MSA, ["::1"])
    assert _txt(out, "example.org", "_dmarc.example.org") == ["v=DMARC1; p=none"]
    assert _txt(out, "example.org", "example.org") == ["v=spf1 ip4:192.0.2.25 ip6:::1 -all"]


def test_the_key_replaces_a_record_at_the_same_selector(tmp_path: Path) -> None:
    key = ensure_dkim_key(tmp_path, "example.org")
    zones = (("example.org", ZONE + 'live._domainkey IN TXT "v=DKIM1; k=rsa; p=AAAA"\n'),)
    out = with_auth_records(zones, key, MSA, ["127.0.0.1"])
    assert _txt(out, "example.org", "live._domainkey.example.org") == [key.record]


def test_a_domain_without_a_zone_gets_one(tmp_path: Path) -> None:
    key = ensure_dkim_key(tmp_path, "example.org")
    out = with_auth_records((("example.net", ZONE.replace("example.org", "example.net")),), key, MSA,
                            ["127.0.0.1"])
    assert _txt(out, "example.org", "live._domainkey.example.org") == [key.record]


def test_strings_are_cut_at_255_octets() -> None:
    strings = split_strings("x" * 600)
    assert [len(s) for s in strings] == [255, 255, 90] and b"".join(strings) == b"x" * 600
