"""The DKIM signer's RSA is OpenSSL's; RSASSA-PKCS1-v1_5 is deterministic, so dkimpy's own gives the same bytes."""

from __future__ import annotations

import dkim
from dkim.crypto import RSASSA_PKCS1_v1_5_sign, parse_pem_private_key

from simulator.delivery.authentication import dkimcheck, sign, signing_key

MESSAGE = (b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: Lunch\r\n"
           b"Date: Sat, 28 Nov 2026 09:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nHi Bob,\r\n.. Friday?\r\n")


def test_the_signature_is_the_one_dkimpys_own_rsa_makes(monkeypatch) -> None:
    key = signing_key("example.org")
    fast = sign(MESSAGE, key, 1796288400)
    # dkimpy's pure-Python RSA in place of OpenSSL's, everything else the same.
    monkeypatch.setattr(dkimcheck, "_openssl_signer",
                        lambda pem: lambda digest, _pk: RSASSA_PKCS1_v1_5_sign(digest, parse_pem_private_key(pem)))
    assert sign(MESSAGE, key, 1796288400) == fast
    assert dkim.RSASSA_PKCS1_v1_5_sign is RSASSA_PKCS1_v1_5_sign  # put back after signing
    assert dkim.verify(fast + MESSAGE, dnsfunc=lambda name, timeout=5: key.record.encode())
