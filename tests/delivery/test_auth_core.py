"""The SPF/DKIM/DMARC core (simulator/delivery/authentication) against the RFCs and the libraries themselves.

Expected values are worked out here: the body hash by hand from RFC 6376
§3.4.4's relaxed body rules with hashlib, the Authentication-Results header
parsed back with the authres package, the signature checked by dkimpy's own
``dkim.verify`` with a plain dict for DNS.
"""

from __future__ import annotations

import base64
import hashlib
import re

import authres
import dkim
import pytest

from simulator.delivery import authentication as A
from simulator.delivery.connectcheck import Ask, Say, drive
from simulator.dns import ZoneResolver, build_zones, make_query

KEY = A.signing_key("example.org")
T0 = 1_700_000_000  # a fixed simulated time of signing (2023-11-14)
MSA_IP, FORWARDER_IP, ROGUE_IP = "192.0.2.25", "198.51.100.80", "203.0.113.66"


def zones(spf: str = f"v=spf1 ip4:{MSA_IP} -all", dmarc: str | None = "v=DMARC1; p=reject; rua=mailto:dmarc@example.org",
          key: bool = True, extra: str = "") -> ZoneResolver:
    org = "$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
    org += f'@ IN TXT "{spf}"\n@ IN TXT "google-site-verification=abc"\n'
    if key:
        org += KEY.zone_line() + "\n"
    if dmarc:
        org += f'_dmarc IN TXT "{dmarc}"\n'
    org += extra
    return ZoneResolver(build_zones([("example.org", org)]))


def run(check, resolver: ZoneResolver) -> list[Ask | Say]:
    seen: list[Ask | Say] = []

    def ask(step: Ask):
        seen.append(step)
        return resolver.parse(resolver.respond(make_query(step.name, step.rdtype, 1)))

    drive(check, ask, seen.append)
    return seen


BODY = "Hi Bob,\r\n\r\nLunch  at noon?   \r\n\r\n\r\n"


def message(body: str = BODY, sender: str = "alice@example.org") -> bytes:
    return (f"From: Alice <{sender}>\r\nTo: bob@example.net\r\nSubject: Lunch\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <1@example.org>\r\n\r\n" + body).encode()


def signed(body: str = BODY) -> bytes:
    raw = message(body)
    return A.sign(raw, KEY, T0) + raw


def relaxed_body_hash(body: str) -> str:
    """RFC 6376 §3.4.4, written out: strip WSP at line ends, squeeze WSP runs, drop trailing empty lines."""
    lines = [re.sub(r"[ \t]+", " ", line).rstrip(" \t") for line in body.split("\r\n")]
    while lines and lines[-1] == "":
        lines.pop()
    canon = "".join(line + "\r\n" for line in lines)
    return base64.b64encode(hashlib.sha256(canon.encode()).digest()).decode()


def tags(header: bytes) -> dict[str, str]:
    value = header.split(b":", 1)[1].decode()
    return {k.strip(): re.sub(r"\s+", "", v) for k, v in (p.split("=", 1) for p in value.split(";") if "=" in p)}


def test_signature_verifies_with_dkimpy_and_a_plain_dict():
    raw = signed()
    published = {KEY.record_name.encode() + b".": KEY.record.encode()}
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: published.get(name))
    sig = tags(raw.split(b"\r\n\r\n")[0].split(b"\r\nFrom:")[0])
    assert sig["a"] == "rsa-sha256" and sig["c"] == "relaxed/relaxed"
    assert sig["d"] == "example.org" and sig["s"] == A.DEFAULT_SELECTOR
    assert sig["t"] == str(T0)  # the simulated time, not the wall clock
    assert sig["bh"] == relaxed_body_hash(BODY)
    assert "from" in sig["h"].lower().split(":")


def test_signing_is_deterministic():
    assert A.sign(message(), KEY, T0) == A.sign(message(), KEY, T0)  # RSASSA-PKCS1-v1_5 has no randomness


def test_key_record_is_split_into_255_octet_strings_and_joined_back():
    line = KEY.zone_line()
    strings = re.findall(r'"([^"]*)"', line)
    assert len(strings) >= 2 and all(len(s) <= 255 for s in strings)  # RFC 1035 §3.3
    assert "".join(strings) == KEY.record
    resolver = zones()
    answer = resolver.parse(resolver.respond(make_query(KEY.record_name, "TXT", 7)))
    assert A.txt_joined(answer) == [KEY.record]  # RFC 6376 §3.6.2.2: concatenated with nothing between


def test_the_ordinary_journey_passes_all_three():
    check = A.AuthCheck("mx.example.net", MSA_IP, "smtp.example.org", "alice@example.org", signed())
    steps = run(check, zones())
    asked = [(s.name, s.rdtype) for s in steps if isinstance(s, Ask)]
    assert asked == [("example.org", "TXT"), (KEY.record_name, "TXT"), ("_dmarc.example.org", "TXT")]
    assert check.spf.result == "pass" and [r.result for r in check.dkim] == ["pass"]
    assert check.dmarc.result == "pass" and check.dmarc.spf_aligned and check.dmarc.dkim_aligned
    assert check.refusal is None
    parsed = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + check.header.replace("\r\n", ""))
    assert parsed.authserv_id == "mx.example.net"
    got = {r.method: r.result for r in parsed.results}
    assert got == {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
    dkim_result = next(r for r in parsed.results if r.method == "dkim")
    assert {p.type + "." + p.name: p.value for p in dkim_result.properties}["header.d"] == "example.org"


def test_spoofed_sender_fails_spf_has_no_dkim_and_dmarc_rejects():
    check = A.AuthCheck("mx.example.net", ROGUE_IP, "rogue.example", "alice@example.org", message())
    run(check, zones())
    assert check.spf.result == "fail"  # -all, and 203.0.113.66 is not ip4:192.0.2.25 (RFC 7208 §4.6.2)
    assert [r.result for r in check.dkim] == ["none"]
    assert check.dmarc.result == "fail" and check.dmarc.disposition == "reject"
    assert (check.refusal.code, check.refusal.enhanced) == (550, "5.7.1")  # RFC 7489 §10.3
    assert "DMARC" in check.refusal.message and "example.org" in check.refusal.message


def test_a_changed_body_fails_the_body_hash_and_shows_both_hashes():
    raw = signed()
    footer = b"--\r\nScanned by gateway.example.net\r\n"
    changed = raw + footer
    check = A.AuthCheck("mx.example.net", MSA_IP, "smtp.example.org", "alice@example.org", changed)
    run(check, zones())
    (result,) = check.dkim
    assert result.result == "fail" and result.reason == "body hash did not verify"
    assert result.body_hash_claimed == relaxed_body_hash(BODY)
    assert result.body_hash_computed == relaxed_body_hash(BODY + footer.decode())
    assert check.dmarc.result == "pass"  # SPF still passes, aligned


def test_forwarding_breaks_spf_but_dkim_carries_dmarc():
    check = A.AuthCheck("mx.newmail.example", FORWARDER_IP, "mx.example.net", "alice@example.org", signed())
    run(check, zones())
    assert check.spf.result == "fail"
    assert [r.result for r in check.dkim] == ["pass"]
    assert check.dmarc.result == "pass" and not check.dmarc.spf_aligned and check.dmarc.dkim_aligned
    assert check.refusal is None  # DMARC passed, so the SPF fail alone does not refuse


def test_key_missing_is_a_permanent_error_and_dmarc_falls_back_on_spf():
    check = A.AuthCheck("mx.example.net", MSA_IP, "smtp.example.org", "alice@example.org", signed())
    run(check, zones(key=False))
    assert check.dkim[0].result == "permerror" and check.dkim[0].reason == "no key for signature"
    assert check.dmarc.result == "pass" and check.dmarc.spf_aligned


@pytest.mark.parametrize("policy, refused", [("none", False), ("quarantine", False), ("reject", True)])
def test_each_dmarc_policy(policy, refused):
    check = A.AuthCheck("mx.example.net", ROGUE_IP, "rogue.example", "alice@example.org", message())
    run(check, zones(dmarc=f"v=DMARC1; p={policy}"))
    assert check.dmarc.result == "fail" and check.dmarc.disposition == policy
    assert (check.refusal is not None) is refused


def test_without_dmarc_an_spf_fail_is_refused_with_5_7_23():
    check = A.AuthCheck("mx.example.net", ROGUE_IP, "rogue.example", "alice@example.org", message())
    run(check, zones(dmarc=None))
    assert check.dmarc.result == "none"
    assert (check.refusal.code, check.refusal.enhanced) == (550, "5.7.23")  # RFC 7372 §3.2


@pytest.mark.parametrize("qualifier, result", [("-", "fail"), ("~", "softfail"), ("?", "neutral"), ("+", "pass")])
def test_the_all_qualifier_decides_for_unlisted_clients(qualifier, result):
    gen = A.spf_check(ROGUE_IP, "alice@example.org", "rogue.example")
    seen: list = []
    resolver = zones(spf=f"v=spf1 ip4:{MSA_IP} {qualifier}all")
    answer = None
    try:
        while True:
            step = gen.send(answer)
            seen.append(step)
            answer = resolver.parse(resolver.respond(make_query(step.name, step.rdtype, 1)))
    except StopIteration as stop:
        assert stop.value.result == result  # RFC 7208 §4.6.2


def test_spf_mx_mechanism_asks_dns_for_the_mx_and_its_address():
    resolver = zones(spf="v=spf1 mx -all", extra="@ IN MX 10 mx\nmx IN A 192.0.2.26\n")
    check = A.AuthCheck("mx.example.net", "192.0.2.26", "mx.example.org", "alice@example.org", message())
    steps = run(check, resolver)
    asked = [(s.name, s.rdtype) for s in steps if isinstance(s, Ask)]
    assert asked[:3] == [("example.org", "TXT"), ("example.org", "MX"), ("mx.example.org", "A")]
    assert check.spf.result == "pass"


def test_no_answer_for_spf_is_a_temporary_refusal():
    check = A.AuthCheck("mx.example.net", MSA_IP, "smtp.example.org", "alice@example.org", message())
    drive(check, lambda step: None, lambda say: None)
    assert check.spf.result == "temperror"
    assert check.refusal.code // 100 == 4


def test_alignment_relaxed_and_strict():
    assert A.aligned("example.org", "mail.example.org", "r")  # RFC 7489 §3.1.1: same organizational domain
    assert not A.aligned("example.org", "mail.example.org", "s")
    assert A.aligned("example.org", "EXAMPLE.org", "s")
    assert not A.aligned("example.org", "example.net", "r")


def test_dmarc_falls_back_to_the_organizational_domain_and_uses_sp():
    resolver = zones(dmarc="v=DMARC1; p=reject; sp=quarantine")
    raw = message(sender="alice@news.example.org")
    check = A.AuthCheck("mx.example.net", ROGUE_IP, "rogue.example", "alice@news.example.org", raw)
    steps = run(check, resolver)
    asked = [s.name for s in steps if isinstance(s, Ask) and s.name.startswith("_dmarc")]
    assert asked == ["_dmarc.news.example.org", "_dmarc.example.org"]  # RFC 7489 §6.6.3
    assert check.dmarc.record_domain == "example.org" and check.dmarc.policy == "quarantine"


def test_record_explanations_name_each_term():
    text = A.spf_record(f"v=spf1 ip4:{MSA_IP} mx -all")
    assert "ip4:192.0.2.25" in text and "-all" in text and "fail" in text
    assert "p=reject" in A.dmarc_record("v=DMARC1; p=reject; rua=mailto:d@example.org")
    assert "public key" in A.dkim_key_record(KEY.record)


def test_verification_judges_t_against_the_given_time_not_the_wall_clock():
    # Signed in 2096: dkimpy's own verify, reading the wall clock, calls that the future.
    later = 4_000_000_000
    raw = message()
    raw = A.sign(raw, KEY, later) + raw
    published = {KEY.record_name.encode() + b".": KEY.record.encode()}
    assert not dkim.verify(raw, dnsfunc=lambda name, timeout=5: published.get(name))
    check = A.AuthCheck("mx.example.net", MSA_IP, "smtp.example.org", "alice@example.org", raw, now=later + 60)
    run(check, zones())
    assert [r.result for r in check.dkim] == ["pass"]
    early = A.AuthCheck("mx.example.net", MSA_IP, "smtp.example.org", "alice@example.org", raw,
                        now=later - 2 * 36000)  # more than dkimpy's 10 hours of slop before signing
    run(early, zones())
    assert early.dkim[0].result == "permerror" and "future" in early.dkim[0].reason



def test_verification_judges_x_against_the_given_time():
    # RFC 6376 §3.5: x= is when the signature expires. It is checked before the cryptography, so an x= put
    # into a signature (which breaks b=) shows which clock judged it: past at the given time is a permerror.
    raw = message()
    header = A.sign(raw, KEY, T0)
    expires = T0 + 3600
    with_x = header.replace(b"v=1; ", b"v=1; x=%d; " % expires, 1) + raw
    assert b"x=%d;" % expires in with_x

    def verdict(now: int):
        check = A.AuthCheck("mx.example.net", MSA_IP, "smtp.example.org", "alice@example.org", with_x, now=now)
        run(check, zones())
        return check.dkim[0]

    expired = verdict(expires + 2 * 36000)  # past x= by more than dkimpy's 10 hours of slop
    assert expired.result == "permerror" and "past" in expired.reason
    in_time = verdict(T0 + 60)
    assert in_time.result == "fail" and "past" not in in_time.reason  # judged on: b= no longer matches

# RFC 7208 Appendix A: its DNS setup, and A.1's records with the hosts that pass.
_SOA = "@ IN SOA ns hostmaster 1 7200 900 1209600 300\n@ IN NS ns\n"
_APPENDIX_A = [
    ("example.com", "$TTL 3600\n" + _SOA + "ns IN A 192.0.2.1\n@ IN MX 10 mail-a\n@ IN MX 20 mail-b\n"
     "@ IN A 192.0.2.10\n@ IN A 192.0.2.11\namy IN A 192.0.2.65\nbob IN A 192.0.2.66\n"
     "mail-a IN A 192.0.2.129\nmail-b IN A 192.0.2.130\nwww IN CNAME example.com.\n"),
    ("example.org", "$TTL 3600\n" + _SOA + "ns IN A 192.0.2.2\n@ IN MX 10 mail-c\nmail-c IN A 192.0.2.140\n"),
    ("2.0.192.in-addr.arpa", "$TTL 3600\n" + _SOA.replace("ns", "ns.example.com.") +
     "10 IN PTR example.com.\n11 IN PTR example.com.\n65 IN PTR amy.example.com.\n66 IN PTR bob.example.com.\n"
     "129 IN PTR mail-a.example.com.\n130 IN PTR mail-b.example.com.\n140 IN PTR mail-c.example.org.\n"),
    ("0.0.10.in-addr.arpa", "$TTL 3600\n" + _SOA.replace("ns", "ns.example.com.") + "4 IN PTR bob.example.com.\n"),
]


@pytest.mark.parametrize("record, passing, failing", [
    ("v=spf1 +all", ["192.0.2.10", "10.0.0.4"], []),
    ("v=spf1 a -all", ["192.0.2.10", "192.0.2.11"], ["192.0.2.65", "192.0.2.129"]),
    ("v=spf1 a:example.org -all", [], ["192.0.2.10", "192.0.2.140"]),
    ("v=spf1 mx -all", ["192.0.2.129", "192.0.2.130"], ["192.0.2.10", "192.0.2.140"]),
    ("v=spf1 mx:example.org -all", ["192.0.2.140"], ["192.0.2.129"]),
    ("v=spf1 mx/30 mx:example.org/30 -all", ["192.0.2.131", "192.0.2.143"], ["192.0.2.132", "192.0.2.10"]),
    ("v=spf1 ptr -all", ["192.0.2.65"], ["192.0.2.140", "10.0.0.4"]),
    ("v=spf1 ip4:192.0.2.128/28 -all", ["192.0.2.129", "192.0.2.143"], ["192.0.2.65", "192.0.2.144"]),
])
def test_rfc7208_appendix_a1_simple_examples(record, passing, failing):
    zones = list(_APPENDIX_A)
    zones[0] = (zones[0][0], zones[0][1] + f'@ IN TXT "{record}"\n')
    resolver = ZoneResolver(build_zones(zones))

    def result(ip: str) -> str:
        gen = A.spf_check(ip, "someone@example.com", "client.example.net")
        answer = None
        try:
            while True:
                step = gen.send(answer)
                answer = resolver.parse(resolver.respond(make_query(step.name, step.rdtype, 1)))
        except StopIteration as stop:
            return stop.value.result

    assert [result(ip) for ip in passing] == ["pass"] * len(passing)
    assert [result(ip) for ip in failing] == ["fail"] * len(failing)


def test_results_forged_in_the_mx_s_name_are_removed_and_others_kept():
    forged = (b"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=alice@example.org;\r\n"
              b"\tdkim=pass header.d=example.org\r\n"
              b"Authentication-Results: mx.elsewhere.example; spf=pass smtp.mailfrom=alice@example.org\r\n")
    raw = forged + message()
    kept = A.without_claims_of(raw, "mx.example.net")
    import email

    parsed = email.message_from_bytes(kept)
    values = [" ".join(v.split()) for v in parsed.get_all("Authentication-Results")]
    assert values == ["mx.elsewhere.example; spf=pass smtp.mailfrom=alice@example.org"]  # RFC 8601 §5
    assert kept.endswith(message()) and parsed["Subject"] == "Lunch"
