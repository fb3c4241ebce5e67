"""DKIM in live mode: the data directory's key, published by the live DNS server, with SPF and DMARC.

Expected values come from the RFCs: the key record's tags (RFC 6376 §3.6.1), its name
(§3.6.2.1), character-strings of at most 255 octets joined without spaces (§3.6.2.2).
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
import re
import smtplib
import stat

import dkim
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from cryptography.hazmat.primitives import serialization

from simulator.live import LiveMode, LiveOptions, LiveThread
from simulator.scenario.faults import Fault, FaultKind, Target
from simulator.scenario.library import open_scenario
from tests.live.livekit import ALICE, BOB, TIMEOUT, message, submit, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]

KEY_NAME = "live._domainkey.example.org"


def _txt(mode, name: str) -> list[list[bytes]]:
    """Each TXT record at ``name`` as its character-strings, asked of the live DNS server over UDP."""
    response = dns.query.udp(dns.message.make_query(name, "TXT"), "127.0.0.1", port=mode.ports["dns"], timeout=5)
    assert response.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(response.rcode())
    return [list(rd.strings) for rrset in response.answer if rrset.rdtype == dns.rdatatype.TXT for rd in rrset]


def _tags(record: str) -> dict[str, str]:
    """tag=value; pairs (RFC 6376 §3.2), whitespace around them ignored."""
    return {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in record.split(";") if p.strip())}


def test_the_dns_server_publishes_the_data_directorys_key(live, data_dir) -> None:
    mode = live()
    [strings] = _txt(mode, KEY_NAME)
    assert len(strings) > 1 and all(len(s) <= 255 for s in strings)  # a 2048-bit key needs two strings
    tags = _tags(b"".join(strings).decode("ascii"))
    assert tags["v"] == "DKIM1" and tags["k"] == "rsa"
    published = serialization.load_der_public_key(base64.b64decode(tags["p"]))
    # The private key on disk, read as any tool would: the published key is its public half.
    key_file = data_dir / "dkim" / "example.org.live.pem"
    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert private.key_size == 2048
    assert published.public_numbers() == private.public_key().public_numbers()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_key_is_the_same_after_a_restart(live) -> None:
    first = live()
    before = _txt(first, KEY_NAME)
    first.thread.stop()
    second = live()  # the same data directory
    assert _txt(second, KEY_NAME) == before


def test_spf_and_dmarc_of_the_sending_domain(live) -> None:
    mode = live()
    spf = [b"".join(r).decode() for r in _txt(mode, "example.org") if b"".join(r).startswith(b"v=spf1")]
    # One record (two would be a permerror, RFC 7208 §4.5): the MSA's scenario address may send, nothing else.
    assert spf == ["v=spf1 ip4:192.0.2.25 -all"]
    [dmarc] = _txt(mode, "_dmarc.example.org")
    assert _tags(b"".join(dmarc).decode())["v"] == "DMARC1" and _tags(b"".join(dmarc).decode())["p"] == "reject"


# --- a message through the live MSA, checked by an outside verifier and by the live MX ------------------


def _dnsfunc(mode):
    """dkimpy's DNS hook, answered by live mode's DNS server over UDP (dnspython), as any resolver would."""

    def get_txt(name: bytes, timeout: int = 5) -> bytes | None:
        query = dns.message.make_query(name.decode("ascii"), "TXT")
        response, _tcp = dns.query.udp_with_fallback(query, "127.0.0.1", port=mode.ports["dns"], timeout=timeout)
        for rrset in response.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                return b"".join(next(iter(rrset)).strings)  # RFC 6376 §3.6.2.2: joined, no spaces
        return None

    return get_txt


def _uncomment(text: str) -> str:
    """``text`` without RFC 5322 §3.2.2 comments (nested parentheses, backslash escapes), quotes kept."""
    out, depth, quoted, escaped = [], 0, False, False
    for ch in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
            if depth == 0:
                out.append(ch)
        elif quoted:
            quoted = ch != '"'
            out.append(ch)
        elif ch == '"' and depth == 0:
            quoted = True
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _auth_results(value: str) -> tuple[str, dict[str, tuple[str, dict[str, str]]]]:
    """An Authentication-Results value (RFC 8601 §2.2): authserv-id, and per method its result and properties."""
    parts = [p.strip() for p in _uncomment(value).split(";")]
    authserv_id = parts[0].split()[0]  # an optional authres-version may follow
    methods: dict[str, tuple[str, dict[str, str]]] = {}
    for resinfo in parts[1:]:
        # CFWS may surround "=" and "." (methodspec, propspec): take it out, then split on spaces.
        tokens = re.sub(r"\s*([=.])\s*", r"\1", resinfo).split()
        method, _, result = tokens[0].partition("=")
        props = {}
        for token in tokens[1:]:
            key, _, pvalue = token.partition("=")
            props[key.lower()] = pvalue.strip('"')
        methods[method.split("/")[0].lower()] = (result.lower(), props)
    return authserv_id, methods


def test_a_message_from_the_live_msa_verifies_outside_and_at_the_mx(live) -> None:
    mode = live()
    msg = message("Signed in live mode")
    assert submit(mode, msg) == {}
    [delivered] = wait_for_mail(mode)
    # (a) dkimpy's own verifier, asking live mode's DNS server: the signature is good.
    assert dkim.verify(delivered, dnsfunc=_dnsfunc(mode))
    parsed = email.message_from_bytes(delivered, policy=email.policy.default)
    [signature] = parsed.get_all("DKIM-Signature")
    sig = _tags(re.sub(r"\s+", "", str(signature)))
    assert sig["d"] == "example.org" and sig["s"] == "live" and sig["a"] == "rsa-sha256"
    assert sig["c"] == "relaxed/relaxed"
    assert "from" in sig["h"].lower().split(":")
    # (b) the live MX checked it on arrival and said so, first thing on top (RFC 8601 §2.1).
    [results] = parsed.get_all("Authentication-Results")
    authserv_id, methods = _auth_results(str(results))
    assert authserv_id == "mx1.example.net"  # RFC 8601 §2.5: the MX that did the checks
    assert methods["spf"][0] == "pass"
    # RFC 8601 §2.7.2: SPF does not authenticate local-parts, so the pvalue SHOULD be MAIL FROM's
    # domain alone, without "alice@".
    assert methods["spf"][1]["smtp.mailfrom"] == "example.org"
    assert methods["dkim"][0] == "pass" and methods["dkim"][1]["header.d"] == "example.org"
    assert methods["dmarc"][0] == "pass" and methods["dmarc"][1]["header.from"] == "example.org"  # RFC 7489 §11.1


def test_a_forgery_on_the_mx_port_is_refused_per_dmarc_and_bounces_nowhere(live) -> None:
    mode = live()
    forged = message("Not really from Alice")  # From: alice@example.org, unsigned
    # An outside client is checked at its real address, 127.0.0.1, which example.org's SPF does not list.
    with smtplib.SMTP("127.0.0.1", mode.ports["mta"], local_hostname="forger.example", timeout=TIMEOUT) as client:
        client.ehlo()
        assert client.mail(ALICE)[0] == 250
        assert client.rcpt(BOB)[0] == 250
        code, text = client.data(forged.as_bytes(policy=email.policy.SMTP))  # CRLF line ends
    # RFC 7489 §10.3: rejected in the SMTP session (a 5xy), with the word DMARC in the reply.
    assert code // 100 == 5 and b"DMARC" in text
    # Rejected, not accepted and bounced: no DSN back to the forged sender, nothing for Bob.
    assert mode.queue is not None and not mode.queue.entries
    assert len(mode.store.mailbox(BOB).messages) == 0 and len(mode.store.mailbox(ALICE).messages) == 0


def test_results_that_claim_to_be_the_mxs_are_removed_on_arrival(live) -> None:
    mode = live()
    # RFC 8601 §5: an MTA deletes results bearing its own authserv-id that came with the message.
    raw = (b"Authentication-Results: mx1.example.net; dkim=pass\r\n header.d=example.org\r\n"
           b"Authentication-Results: elsewhere.example; spf=pass smtp.mailfrom=far.example\r\n"
           b"From: someone@far.example\r\nTo: bob@example.net\r\nSubject: trust me\r\n\r\nhello\r\n")
    with smtplib.SMTP("127.0.0.1", mode.ports["mta"], local_hostname="mx.far.example", timeout=TIMEOUT) as client:
        client.ehlo()
        assert client.mail("someone@far.example")[0] == 250 and client.rcpt(BOB)[0] == 250
        assert client.data(raw)[0] == 250
    [delivered] = wait_for_mail(mode)
    parsed = email.message_from_bytes(delivered, policy=email.policy.default)
    found = [_auth_results(str(v)) for v in parsed.get_all("Authentication-Results")]
    assert [authserv_id for authserv_id, _ in found] == ["mx1.example.net", "elsewhere.example"]
    assert found[0][1]["dkim"][0] == "none"  # ours: the message is not signed at all


def test_a_fault_rewriting_spf_still_publishes_the_live_key(data_dir) -> None:
    # spf-omits-msa: example.org's SPF no longer lists the MSA, so SPF fails; the zones the fault rewrites
    # must still carry live mode's key, so DKIM passes, aligned, and DMARC passes on it (RFC 7489 §4.2).
    scenario = open_scenario("submission-starttls")
    scenario = dataclasses.replace(scenario, faults=(Fault(FaultKind.SPF_OMITS_MSA, Target.HOST, "msa"),))
    with LiveThread(LiveMode(scenario, LiveOptions(listen="127.0.0.1", ephemeral=True, data_dir=data_dir))) as mode:
        assert submit(mode, message("SPF will fail")) == {}
        [delivered] = wait_for_mail(mode)
    parsed = email.message_from_bytes(delivered, policy=email.policy.default)
    _, methods = _auth_results(str(parsed["Authentication-Results"]))
    assert methods["spf"][0] == "fail" and methods["dkim"][0] == "pass" and methods["dmarc"][0] == "pass"
