"""A local certificate authority and the live servers' certificates (``cryptography``).

Generated on first start and kept under the data directory, then reused, so
a client told once to trust ``ca.pem`` keeps trusting it:

    DATA/tls/ca.pem, ca-key.pem                  one CA for every scenario
    DATA/<scenario>/tls/HOSTNAME.pem, -key.pem   one certificate per server name

Each server host of the scenario (the MSA ``smtp.example.org``, each MX, the
mailbox store ...) has a certificate of its own: its subject names that host
(CN and subjectAltName), plus ``localhost``, ``127.0.0.1`` and ``::1`` so that
clients that check host names succeed on loopback. A listener presents the
certificate of the host it stands for, or of the name the client asks for
(SNI). Each is reissued when it is close to expiry; the CA stays.

The CA is *name-constrained* (RFC 5280 §4.2.1.10) to names reserved for
documentation and testing (``example``, ``example.com/.net/.org``, ``test``,
``invalid``, ``localhost``, loopback addresses): even if its key leaked, it
could not vouch for a real site. Keys are EC P-256, files mode 0600.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulator.live.durable import write_atomic

PERMITTED_DOMAINS = ("example", "example.com", "example.net", "example.org", "test", "invalid", "localhost")
PERMITTED_NETWORKS = ("127.0.0.0/8", "::1/128")
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = ("127.0.0.1", "::1")

CA_DAYS = 3650
SERVER_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class ServerCert:
    cert: Path  # the certificate, then the CA (the chain a server sends)
    key: Path


@dataclass(frozen=True)
class CertPaths:
    ca: Path
    ca_key: Path
    servers: dict[str, ServerCert] = field(default_factory=dict)  # host name -> its certificate

    def for_name(self, hostname: str) -> ServerCert:
        return self.servers[hostname.lower().rstrip(".")]


def permitted(name: str) -> bool:
    """Whether the CA's name constraints allow ``name`` (a DNS name or an IP address)."""
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        name = name.lower().rstrip(".")
        return any(name == d or name.endswith("." + d) for d in PERMITTED_DOMAINS)
    return any(address in ipaddress.ip_network(n) for n in PERMITTED_NETWORKS)


def ensure_certificates(ca_dir: Path, server_dir: Path, hostnames: Iterable[str]) -> CertPaths:
    """The CA and one server certificate per host name: loaded, or made now."""
    ca_cert, ca_key = _ensure_ca(ca_dir)
    servers = {}
    for hostname in sorted({h.lower().rstrip(".") for h in hostnames if h}):
        names = [hostname, *(n for n in LOOPBACK_NAMES if n != hostname)]
        cert_path, key_path = server_dir / f"{_file_name(hostname)}.pem", server_dir / f"{_file_name(hostname)}-key.pem"
        if not _server_cert_fits(cert_path, key_path, ca_cert, names):
            _issue_server_cert(cert_path, key_path, ca_cert, ca_key, names)
        servers[hostname] = ServerCert(cert_path, key_path)
    return CertPaths(ca_dir / "ca.pem", ca_dir / "ca-key.pem", servers)


def server_context(cert: ServerCert) -> ssl.SSLContext:
    """For a listener: TLS 1.2 or newer, the host's certificate with the CA behind it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert.cert, cert.key)
    return context


def _file_name(hostname: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in hostname) or "server"


def client_context(paths: CertPaths, *, verify: bool = True) -> ssl.SSLContext:
    """For the relay (and tests): trust only our CA; ``verify=False`` is opportunistic TLS."""
    context = ssl.create_default_context(cafile=str(paths.ca))
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


# --- the CA ----------------------------------------------------------------------------------------


def _ensure_ca(ca_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = ca_dir / "ca.pem", ca_dir / "ca-key.pem"
    if cert_path.is_file() and key_path.is_file():
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if isinstance(key, ec.EllipticCurvePrivateKey) and _now() < cert.not_valid_after_utc - RENEW_BEFORE:
                return cert, key
        except ValueError:
            pass  # unreadable: make a new one
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "smtpsim"),
        x509.NameAttribute(NameOID.COMMON_NAME, "smtpsim live mode local CA"),
    ])
    now = _now()
    constraints = x509.NameConstraints(
        permitted_subtrees=[x509.DNSName(d) for d in PERMITTED_DOMAINS]
        + [x509.IPAddress(ipaddress.ip_network(n)) for n in PERMITTED_NETWORKS],
        excluded_subtrees=None,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(constraints, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


# --- the server certificate ---------------------------------------------------------------------------


def _server_cert_fits(cert_path: Path, key_path: Path, ca: x509.Certificate, names: list[str]) -> bool:
    if not (cert_path.is_file() and key_path.is_file()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    have = {n.lower() for n in san.get_values_for_type(x509.DNSName)}
    if cert.issuer != ca.subject or _now() >= cert.not_valid_after_utc - RENEW_BEFORE:
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return set(names) <= have


def _issue_server_cert(cert_path: Path, key_path: Path, ca: x509.Certificate,
                       ca_key: ec.EllipticCurvePrivateKey, names: list[str]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    allowed = [n for n in names if permitted(n)]
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "smtpsim"),
        x509.NameAttribute(NameOID.COMMON_NAME, allowed[0] if allowed else "localhost"),
    ])
    alt = [x509.DNSName(n) for n in allowed] + [x509.IPAddress(ipaddress.ip_address(a)) for a in LOOPBACK_IPS]
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), private=True)
    # The chain: our certificate, then the CA (clients that trust the CA need only the first).
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))


# --- helpers -----------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write atomically (a reader never sees half a file); keys readable by the owner only."""
    write_atomic(path, data, mode=0o600 if private else 0o644)
