"""The scenario's CA and server certificates for one export, and the TLS contexts built on them.

Made with live mode's own code (:mod:`simulator.live.certs`) in a temporary
directory: a name-constrained CA, one server certificate per server name of
the scenario (as live mode has them), and, when the trace needs them, the two bad certificates the
lessons use: one naming ``other.invalid`` and one that expired on
2026-01-01 (the scenario's clock reads late 2026).
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.capture.streams import CertProblem, TLSPlan
from simulator.live.certs import CertPaths, ServerCert, client_context, ensure_certificates, permitted, server_context

WRONG_NAME = "other.invalid"
EXPIRED_ON = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


class ContextBook:
    """SSL contexts for the two simulated ends, made once per kind and kept for the export."""

    def __init__(self, directory: Path, hostnames: Iterable[str], keylog: Path | None = None) -> None:
        self.directory = directory
        self.keylog = keylog
        self._names = sorted({h for h in hostnames if h})
        self._paths: dict[CertProblem | None, CertPaths] = {}
        self._servers: dict[tuple[str, str, CertProblem | None], ssl.SSLContext] = {}
        self._clients: dict[tuple[str, bool], ssl.SSLContext] = {}

    def server(self, plan: TLSPlan) -> ssl.SSLContext:
        key = (plan.version, plan.server_name, plan.problem)
        context = self._servers.get(key)
        if context is None:
            context = self._servers[key] = server_context(self._server_cert(plan))
            _pin(context, plan.version)
            context.num_tickets = 0  # no session tickets: the flights are the ones the lesson shows
        return context

    def client(self, plan: TLSPlan) -> ssl.SSLContext:
        # A name outside the CA's constraints cannot be vouched for; such a client checks nothing.
        verify = plan.verify and permitted(plan.server_name)
        key = (plan.version, verify)
        context = self._clients.get(key)
        if context is None:
            context = self._clients[key] = client_context(self._certificate(None), verify=verify)
            _pin(context, plan.version)
            if self.keylog is not None:
                context.keylog_filename = str(self.keylog)  # NSS key log format (SSLKEYLOGFILE)
        return context

    def _server_cert(self, plan: TLSPlan) -> ServerCert:
        # The certificate the server presents: its own, or the lesson's bad one.
        paths = self._certificate(plan.problem)
        name = WRONG_NAME if plan.problem is CertProblem.WRONG_NAME else plan.server_name
        return paths.for_name(name)

    def _certificate(self, problem: CertProblem | None) -> CertPaths:
        paths = self._paths.get(problem)
        if paths is not None:
            return paths
        ca_dir = self.directory / "ca"
        if problem is CertProblem.WRONG_NAME:
            paths = ensure_certificates(ca_dir, self.directory / "wrong-name", [WRONG_NAME])
        elif problem is CertProblem.EXPIRED:
            paths = _expired(self._certificate(None), self.directory / "expired")
        else:
            paths = ensure_certificates(ca_dir, self.directory / "server", self._names)
        self._paths[problem] = paths
        return paths


def _pin(context: ssl.SSLContext, version: str) -> None:
    context.minimum_version = context.maximum_version = _VERSIONS[version]
    context.options |= ssl.OP_NO_TICKET


def _expired(good: CertPaths, directory: Path) -> CertPaths:
    """The good server certificates again, each valid for the year before :data:`EXPIRED_ON` only."""
    ca = x509.load_pem_x509_certificate(good.ca.read_bytes())
    ca_key = serialization.load_pem_private_key(good.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    directory.mkdir(parents=True, exist_ok=True)
    servers = {}
    for name, server in good.servers.items():
        leaf = x509.load_pem_x509_certificates(server.cert.read_bytes())[0]
        cert = x509.CertificateBuilder(
            issuer_name=leaf.issuer, subject_name=leaf.subject, public_key=leaf.public_key(),
            serial_number=x509.random_serial_number(), not_valid_before=EXPIRED_ON - dt.timedelta(days=365),
            not_valid_after=EXPIRED_ON, extensions=list(leaf.extensions),
        ).sign(ca_key, hashes.SHA256())
        stem = server.cert.stem
        cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                              + ca.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(server.key.read_bytes())
        servers[name] = ServerCert(cert_path, key_path)
    return CertPaths(good.ca, good.ca_key, servers)
