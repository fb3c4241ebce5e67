"""Live mode's DKIM signing key: one RSA key per signing domain, kept in the data directory.

    DATA/dkim/example.org.live.pem    the private key (PKCS #1 PEM, mode 0600)

Made on the first start (RSA 2048 with ``cryptography``) and reused after,
like the CA in ``simulator.live.certs``, so a signature made yesterday still
verifies today. The public half is what live mode's DNS server publishes at
``SELECTOR._domainkey.DOMAIN`` (RFC 6376 §3.6.2.1), as
``v=DKIM1; k=rsa; p=<base64 of the DER SubjectPublicKeyInfo>`` (§3.6.1).

RSA with SHA-256 is the algorithm every verifier must support (RFC 6376
§3.3); signers must use keys of at least 1024 bits, and verifiers must
handle keys up to 2048 (§3.3.3): 2048 is the largest every verifier takes.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simulator.delivery.authentication import DKIMKey
from simulator.live.durable import write_atomic

SELECTOR = "live"  # the simulation signs with its own selector (sim2026); live mode's key is another one
KEY_BITS = 2048
MIN_BITS = 1024  # RFC 6376 §3.3.3: signers must not use less


def key_path(directory: Path, domain: str, selector: str = SELECTOR) -> Path:
    """Where the domain's key is kept: ``DIRECTORY/DOMAIN.SELECTOR.pem``."""
    return directory / f"{_file_name(domain.lower().rstrip('.'))}.{selector}.pem"


def ensure_dkim_key(directory: Path, domain: str, selector: str = SELECTOR) -> DKIMKey:
    """The domain's key under ``directory``: loaded, or made now (and written 0600)."""
    domain = domain.lower().rstrip(".")
    path = key_path(directory, domain, selector)
    key = _load(path)
    if key is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        write_atomic(path, _pem(key), mode=0o600)
    return DKIMKey(domain, selector, _pem(key))  # the core's key: what its signer takes


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    # PKCS #1 ("RSA PRIVATE KEY"): the form dkimpy's signer reads.
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _load(path: Path) -> rsa.RSAPrivateKey | None:
    if not path.is_file():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        return None  # unreadable: make a new one (the DNS server publishes whichever is in use)
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= MIN_BITS:
        return key
    return None


def _file_name(domain: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in domain) or "domain"
