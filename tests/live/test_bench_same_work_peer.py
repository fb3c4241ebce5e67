"""bench/live.py's aiosmtpd peer doing the same work as ours: what it writes is signed, and verifies.

The comparison is honest only if the peer really does the work: a real DKIM
signature over the message with a Received: field on top, in a durable queue
file. Checked from outside: the peer runs as the bench runs it (a process of
its own), smtplib submits over STARTTLS + AUTH, and dkimpy verifies the file
against a key record built here from the peer's public key (RFC 6376 §3.6.1).
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import smtplib
import ssl
import subprocess
import sys
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization

from simulator.live.certs import ensure_certificates

pytestmark = pytest.mark.socket

BENCH = Path(__file__).resolve().parents[2] / "bench" / "live.py"
USER, PASSWORD = "alice@example.org", "correct horse battery staple"  # the bench's account


@pytest.fixture
def peer(tmp_path):
    certs = ensure_certificates(tmp_path / "ca", tmp_path / "certs", ["smtp.example.org"])
    server = certs.for_name("smtp.example.org")
    data = tmp_path / "peer"
    proc = subprocess.Popen([sys.executable, str(BENCH), "--serve", "aiosmtpd-same-work", "--data-dir", str(data),
                             "--cert", str(server.cert), "--key", str(server.key)], stdout=subprocess.PIPE, text=True)
    try:
        port = json.loads(proc.stdout.readline())["port"]
        yield port, certs.ca, data
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _submit(port: int, ca: Path, content: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, local_hostname="laptop.example.org", timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(ca)))
        client.login(USER, PASSWORD)
        client.sendmail(USER, ["bob@example.net"], content)


def _key_record(pem: Path) -> bytes:
    key = serialization.load_pem_private_key(pem.read_bytes(), password=None)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def test_the_same_work_peer_queues_a_signed_message_that_verifies(peer) -> None:
    port, ca, data = peer
    _submit(port, ca, b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: same work\r\n\r\nHello Bob.\r\n")
    files = list((data / "queue" / "new").iterdir())
    assert len(files) == 1 and not list((data / "queue" / "tmp").iterdir())  # linked into new/, tmp name gone
    envelope_line, _, stored = files[0].read_bytes().partition(b"\n")
    envelope = json.loads(envelope_line.split(b": ", 1)[1])
    assert envelope["sender"] == USER and envelope["recipients"] == ["bob@example.net"]
    content = stored.replace(b"\n", b"\r\n")
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    assert list(parsed.keys())[:2] == ["DKIM-Signature", "Received"]  # signed after the Received: was added
    assert "Authenticated sender: alice@example.org" in parsed["Received"]
    assert parsed["Message-ID"] and parsed["Date"]  # added where the client left them out (RFC 6409 §8)
    tags = dict(t.strip().split("=", 1) for t in parsed["DKIM-Signature"].split(";") if "=" in t)
    assert (tags["a"], tags["c"], tags["d"]) == ("rsa-sha256", "relaxed/relaxed", "example.org")
    record = _key_record(data / "dkim" / f"example.org.{tags['s']}.pem")
    dnsfunc = lambda name, timeout=5: record if name == f"{tags['s']}._domainkey.example.org.".encode() else None
    assert dkim.verify(content, dnsfunc=dnsfunc)
    assert not dkim.verify(content.replace(b"Hello Bob.", b"Hello Eve."), dnsfunc=dnsfunc)  # and it means something


def test_the_same_work_peer_refuses_a_from_the_login_does_not_own(peer) -> None:
    port, ca, data = peer
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _submit(port, ca, b"From: bob@example.net\r\nTo: bob@example.net\r\nSubject: forged\r\n\r\nHi.\r\n")
    assert refused.value.smtp_code == 553
    assert not list((data / "queue" / "new").iterdir())
