"""Scenario loading: good files load, bad ones say file, key, expected, found."""

import pytest

from simulator.scenario import ScenarioError, list_scenarios, load_scenario, parse_scenario
from simulator.scenario.library import resolve_scenario
from simulator.scenario.model import Role

MINIMAL = """
[scenario]
title = "t"
summary = "s"

[hosts.alice]
role = "mua"
hostname = "a.example.org"
ip = "192.0.2.10"
account = "alice@example.org"

[hosts.msa]
role = "msa"
hostname = "smtp.example.org"
ip = "192.0.2.25"

[hosts.dns]
role = "dns"
hostname = "ns.example.org"
ip = "192.0.2.53"

[accounts]
"alice@example.org" = { password = "pw" }

[[messages]]
from = "alice@example.org"
to = ["bob@example.net"]
"""


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="lab.toml")
    return str(info.value)


def test_minimal_scenario_loads_with_defaults():
    s = parse_scenario(MINIMAL, source="lab.toml")
    assert s.host("msa").ports == (587, 465)
    assert s.host("alice").role is Role.MUA
    assert s.messages[0].recipients == ("bob@example.net",)
    assert s.seed == 1


def test_every_shipped_scenario_loads():
    names = {s.name for s in list_scenarios()}
    assert {"submission-starttls", "submission-implicit-tls", "user-unknown"} <= names


def test_toml_syntax_error_names_the_file():
    msg = error_of("[scenario\n")
    assert msg.startswith("lab.toml: ") and "expected valid TOML" in msg


def test_missing_title():
    assert error_of(MINIMAL.replace('title = "t"\n', "")) == "lab.toml: scenario.title: expected a string, found nothing"


def test_wrong_type_names_key_expected_and_found():
    msg = error_of(MINIMAL.replace('ip = "192.0.2.25"', "ip = 25"))
    assert msg == "lab.toml: hosts.msa.ip: expected a non-empty string, found 25"


def test_bad_ip():
    msg = error_of(MINIMAL.replace('ip = "192.0.2.25"', 'ip = "300.1.1.1"'))
    assert msg == 'lab.toml: hosts.msa.ip: expected an IPv4 or IPv6 address, found "300.1.1.1"'


def test_bad_port_in_list_names_the_index():
    msg = error_of(MINIMAL.replace('ip = "192.0.2.25"', 'ip = "192.0.2.25"\nports = [587, "x"]'))
    assert msg == 'lab.toml: hosts.msa.ports[1]: expected a port number (1-65535), found "x"'


def test_unknown_role():
    msg = error_of(MINIMAL.replace('role = "msa"', 'role = "relay"'))
    assert msg == 'lab.toml: hosts.msa.role: expected one of mua, msa, dns, mta, store, attacker, found "relay"'


def test_unknown_key_is_refused_not_ignored():
    msg = error_of(MINIMAL.replace('ip = "192.0.2.25"', 'ip = "192.0.2.25"\nprot = 25'))
    assert msg.startswith("lab.toml: hosts.msa.prot: expected one of ") and 'found unknown key "prot"' in msg


def test_account_must_exist_for_a_mua():
    msg = error_of(MINIMAL.replace('account = "alice@example.org"', 'account = "eve@example.org"'))
    assert msg == 'lab.toml: hosts.alice.account: expected an address listed under [accounts], found "eve@example.org"'


def test_message_from_must_be_a_mua():
    msg = error_of(MINIMAL.replace('from = "alice@example.org"', 'from = "carol@example.org"'))
    assert msg == 'lab.toml: messages[0].from: expected the account of a host with role "mua", found "carol@example.org"'


def test_mta_without_store():
    extra = '\n[hosts.mx]\nrole = "mta"\nhostname = "mx.example.net"\nip = "203.0.113.25"\ndomains = ["example.net"]\n'
    msg = error_of(MINIMAL + extra)
    assert msg == "lab.toml: hosts.mx.store: expected the id of the store this MX delivers into, found nothing"


def _line_of(text: str, needle: str) -> int:
    """Where ``needle`` is in ``text``, counted by hand (1-based)."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def test_bad_zone_is_reported_with_its_key_and_line():
    text = MINIMAL + '\n[dns.zones]\n"example.net" = "@ IN MX ten mx1"\n'
    msg = error_of(text)
    line = _line_of(text, '"example.net" =')
    assert msg.startswith(f'lab.toml:{line}: dns.zones."example.net": expected a valid zone in master-file syntax')
    assert '(in "@ IN MX ten mx1")' in msg and "<string>" not in msg


ZONE = """
@     IN MX 10 mx1
; a comment, then a blank line

mx1   IN A  BAD
imap  IN A  203.0.113.143
"""


@pytest.mark.parametrize("bad", [
    "mx1   IN A  203.0.113.999",  # dnspython notices at the end of the line: it used to say the next one
    "mx1   IN BOGUS  1",  # ... and this one on the line itself
    "mx1   IN MX  ten mx1",
])
def test_an_inline_zone_error_names_the_toml_line_and_the_zone_line(bad):
    text = MINIMAL + '\n[dns.zones]\n"example.net" = """' + ZONE.replace("mx1   IN A  BAD", bad) + '"""\n'
    msg = error_of(text)
    line = _line_of(text, bad)
    assert msg.startswith(f'lab.toml:{line}: dns.zones."example.net": expected a valid zone')
    assert "line 4 of the zone" in msg  # the zone text starts after the opening quotes
    assert f'(in "{bad}")' in msg and "<string>" not in msg


def test_a_records_list_error_names_the_record():
    text = MINIMAL + ('\n[dns.zones."example.net"]\nrecords = [\n  "@ IN MX 10 mx1",\n'
                      '  "mx1 IN A 203.0.113.25",\n  "imap IN AAAA 203.0.113.143",\n]\n')
    msg = error_of(text)
    line = _line_of(text, "imap IN AAAA")
    assert msg.startswith(f'lab.toml:{line}: dns.zones."example.net".records[2]: expected a valid zone')
    assert '(in "imap IN AAAA 203.0.113.143")' in msg


def test_a_zone_file_error_names_the_zone_file_and_its_line(tmp_path):
    zone = "$TTL 600\n; comment\n@ IN MX 10 mx\n\nmx IN A 192.0.2\nwww IN A 192.0.2.80\n"
    (tmp_path / "org.zone").write_text(zone)
    text = MINIMAL + '\n[dns.zones]\n"example.org" = { file = "org.zone" }\n'
    (tmp_path / "lab.toml").write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "lab.toml")
    msg = str(info.value)
    key_line = _line_of(text, '"example.org" =')
    assert msg.startswith(f'lab.toml:{key_line}: dns.zones."example.org".file: expected a valid zone')
    assert f"org.zone:{_line_of(zone, 'mx IN A 192.0.2')}: " in msg and '(in "mx IN A 192.0.2")' in msg


def test_submit_port_must_be_a_submission_port_or_25():
    msg = error_of(MINIMAL.replace('account = "alice@example.org"', 'account = "alice@example.org"\nsubmit_port = 2525'))
    assert msg == ("lab.toml: hosts.alice.submit_port: expected 587 (STARTTLS), 465 (implicit TLS) or 25 "
                   "(straight to an MX), found 2525")


def test_a_client_sending_on_25_must_name_the_mx_it_sends_to():
    msg = error_of(MINIMAL.replace('account = "alice@example.org"', 'account = "alice@example.org"\nsubmit_port = 25'))
    assert msg == "lab.toml: hosts.alice.msa: expected the id of the MX this client sends to on port 25, found nothing"


def test_unknown_scenario_name_lists_known_ones():
    with pytest.raises(ScenarioError) as info:
        resolve_scenario("no-such-thing")
    assert "no such scenario" in str(info.value) and "submission-starttls" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "gone.toml")
    assert str(info.value).endswith(": no such file")


def test_binary_file(tmp_path):
    path = tmp_path / "bin.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "expected UTF-8 text" in str(info.value)


def test_zone_from_a_file_in_assets():
    s = parse_scenario(MINIMAL + '\n[dns.zones]\n"example.org" = { file = "example.org.zone" }\n', source="lab.toml")
    (origin, text), = s.zones
    assert origin == "example.org" and "IN MX  10 mx" in text


def test_zone_file_that_does_not_exist():
    msg = error_of(MINIMAL + '\n[dns.zones]\n"example.org" = { file = "nope.zone" }\n')
    assert msg == 'lab.toml: dns.zones."example.org".file: expected a zone file in assets/zones or beside the scenario, found "nope.zone"'


# -- an MX's checks of its clients (reverse_dns, dnsbl) ----------------------------------------------
_MX = ('\n[hosts.mx]\nrole = "mta"\nhostname = "mx.example.net"\nip = "203.0.113.25"\ndomains = ["example.net"]\n'
       'store = "st"\n{extra}\n[hosts.st]\nrole = "store"\nhostname = "imap.example.net"\nip = "203.0.113.143"\n'
       'domains = ["example.net"]\n')


def test_client_checks_are_off_unless_set_and_read_when_set():
    s = parse_scenario(MINIMAL + _MX.format(extra=""), source="lab.toml")
    assert not s.host("mx").reverse_dns and s.host("mx").dnsbl == ()
    text = MINIMAL + _MX.format(extra='reverse_dns = true\ndnsbl = ["DNSBL.example."]') + \
        '\n[dns.zones]\n"dnsbl.example" = "2.0.0.127 IN A 127.0.0.2"\n'
    s = parse_scenario(text, source="lab.toml")
    assert s.host("mx").reverse_dns and s.host("mx").dnsbl == ("dnsbl.example",)


def test_only_an_mx_checks_its_clients():
    msg = error_of(MINIMAL.replace('role = "msa"', 'role = "msa"\nreverse_dns = true'))
    assert msg == 'lab.toml: hosts.msa.reverse_dns: expected role = "mta" (only an MX checks its clients), found "msa"'


def test_reverse_dns_is_true_or_false():
    msg = error_of(MINIMAL + _MX.format(extra='reverse_dns = "yes"'))
    assert msg == 'lab.toml: hosts.mx.reverse_dns: expected true or false, found "yes"'


def test_a_blocklist_must_be_a_zone_of_the_scenario():
    msg = error_of(MINIMAL + _MX.format(extra='dnsbl = ["bl.example"]'))
    assert msg.startswith('lab.toml: hosts.mx.dnsbl: expected a blocklist zone under [dns.zones], found "bl.example"')


# -- who may send for a domain (dkim_selector, footer, mail_auth, forward) ---------------------------
def test_authentication_keys_are_off_unless_set_and_read_when_set():
    s = parse_scenario(MINIMAL + _MX.format(extra=""), source="lab.toml")
    assert not s.host("mx").mail_auth and s.host("mx").forward == () and s.host("msa").dkim_selector == ""
    text = MINIMAL.replace('role = "msa"', 'role = "msa"\ndkim_selector = "sim2026"\nfooter = "-- sent by us"') + \
        _MX.format(extra='mail_auth = true\nforward = { "Bob@example.net" = "bob@newmail.example" }')
    s = parse_scenario(text, source="lab.toml")
    assert s.host("msa").dkim_selector == "sim2026" and s.host("msa").footer == "-- sent by us"
    assert s.host("mx").mail_auth and s.host("mx").forward == (("bob@example.net", "bob@newmail.example"),)


def test_authentication_keys_name_the_role_they_belong_to():
    msg = error_of(MINIMAL.replace('role = "msa"', 'role = "msa"\nmail_auth = true'))
    assert msg == 'lab.toml: hosts.msa.mail_auth: expected role = "mta", found "msa"'
    msg = error_of(MINIMAL + _MX.format(extra='dkim_selector = "sim2026"'))
    assert msg == 'lab.toml: hosts.mx.dkim_selector: expected role = "msa", found "mta"'


def test_a_selector_needs_its_key_and_a_forward_an_address():
    msg = error_of(MINIMAL.replace('role = "msa"', 'role = "msa"\ndkim_selector = "nokey"'))
    assert msg == 'lab.toml: hosts.msa.dkim_selector: expected a selector with a key in assets/dkim/ (sim2026), found "nokey"'
    msg = error_of(MINIMAL + _MX.format(extra='forward = { "bob@example.net" = "nobody" }'))
    assert msg == 'lab.toml: hosts.mx.forward.bob@example.net: expected an email address to forward to, found "nobody"'
    msg = error_of(MINIMAL + _MX.format(extra='mail_auth = "yes"'))
    assert msg == 'lab.toml: hosts.mx.mail_auth: expected true or false, found "yes"'
