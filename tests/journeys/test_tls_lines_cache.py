"""The TLS handshake's explanations, written once per distinct input (``actors.network``): as afresh, bounded."""

from __future__ import annotations

import itertools

from simulator.actors import network


def test_remembered_handshake_explanations_are_the_written_ones() -> None:
    for version, verify, problem in itertools.product(("TLS 1.3", "TLS 1.2"), (True, False),
                                                      (None, "name-mismatch", "expired")):
        args = (version, "TLS_AES_128_GCM_SHA256", 1 if version == "TLS 1.3" else 2, "mx.example.net", verify, problem)
        fresh = network._established.__wrapped__(*args)
        assert network._established(*args) == network._established(*args) == fresh
        text, explain = fresh
        assert text.startswith(f"{version} established") and explain.endswith(
            "1 round trip." if version == "TLS 1.3" else "2 round trips.")  # RFC 8446 §2: 1-RTT; RFC 5246 §7.3: 2
    for first in ("ClientHello", "ServerHello", "EncryptedExtensions", "ClientKeyExchange", "ChangeCipherSpec",
                  "Finished"):
        args2 = (first, "TLS 1.3", "mx.example.net")
        assert network._flight_explain(*args2) == network._flight_explain.__wrapped__(*args2)


def test_the_remembered_explanations_are_bounded() -> None:
    for i in range(1100):
        network._flight_explain("ClientHello", "TLS 1.3", f"mx{i}.example.net")
        network._established("TLS 1.3", "c", 1, f"mx{i}.example.net", True, None)
    for cached in (network._flight_explain, network._established):
        info = cached.cache_info()
        assert info.maxsize == 1024 and info.currsize <= 1024
