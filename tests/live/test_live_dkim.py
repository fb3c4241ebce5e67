"""DKIM in live mode: the data directory's key, published by the live DNS server, with SPF and DMARC.

Expected values come from the RFCs: the key record's tags (RFC 6376 §3.6.1), its name
(§3.6.2.1), character-strings of at most 255 octets joined without spaces (§3.6.2.2).
"""

from __future__ import annotations

import base64
import stat

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from cryptography.hazmat.primitives import serialization

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
    assert len(spf) == 1  # two SPF records would be a permerror (RFC 7208 §4.5)
    terms = spf[0].split()
    # The MSA's scenario address, and loopback, where live mode's relay really connects from.
    assert "ip4:192.0.2.25" in terms and "ip4:127.0.0.1" in terms and terms[-1] == "-all"
    [dmarc] = _txt(mode, "_dmarc.example.org")
    assert _tags(b"".join(dmarc).decode())["v"] == "DMARC1" and _tags(b"".join(dmarc).decode())["p"] == "reject"
