"""The TLS handshake as the simulation models it: which flights cross, in order.

No cryptography happens in simulation; what matters for teaching is who
sends what, how many round trips it costs, and what is negotiated. Live mode
uses the real ``ssl`` module instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flight:
    """Handshake messages one side sends in one go."""

    sender: str  # "C" or "S"
    messages: tuple[str, ...]
    encrypted: bool  # whether these records are already encrypted


@dataclass(frozen=True)
class Handshake:
    """A modelled TLS handshake: version, cipher and the flights each side sends."""

    version: str  # "TLS 1.3" / "TLS 1.2"
    cipher: str
    flights: tuple[Flight, ...]
    rfc: str

    @property
    def round_trips(self) -> int:
        """Round trips before the client may send application data."""
        return 1 if self.version == "TLS 1.3" else 2


# RFC 8446 §2: one round trip; everything after ServerHello is encrypted.
_TLS13 = Handshake(
    version="TLS 1.3",
    cipher="TLS_AES_256_GCM_SHA384",
    flights=(
        Flight("C", ("ClientHello (SNI, key_share, supported_versions)",), False),
        Flight("S", ("ServerHello (key_share)",), False),
        Flight("S", ("EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"), True),
        Flight("C", ("Finished",), True),
    ),
    rfc="RFC 8446 §2",
)

# RFC 5246 §7.3 with ECDHE key exchange: two round trips.
_TLS12 = Handshake(
    version="TLS 1.2",
    cipher="ECDHE-RSA-AES256-GCM-SHA384",
    flights=(
        Flight("C", ("ClientHello (SNI)",), False),
        Flight("S", ("ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone"), False),
        Flight("C", ("ClientKeyExchange", "ChangeCipherSpec", "Finished"), False),
        Flight("S", ("ChangeCipherSpec", "Finished"), False),
    ),
    rfc="RFC 5246 §7.3",
)


def handshake(version: str) -> Handshake:
    """The modelled handshake for ``"1.3"`` or ``"1.2"``."""
    if version == "1.3":
        return _TLS13
    if version == "1.2":
        return _TLS12
    raise ValueError(f"no TLS handshake model for version {version!r}")
