"""Helpers for the crash tests: live mode in a subprocess on a data directory that outlives it."""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import smtplib
import ssl
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from simulator.live.maildir import MaildirStore

ALICE, ALICE_PW = "alice@example.org", "correct horse battery staple"
BOB = "bob@example.net"
SCENARIO_DIR = "submission-starttls"


def start(data_dir: Path, *extra: str, **env: str) -> tuple[subprocess.Popen[str], dict]:
    """``smtpsim live --ephemeral --json`` on ``data_dir``; its first line (ports, CA)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli.live", "--ephemeral", "--json", "--data-dir", str(data_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1", **env),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else "no output"
    return proc, json.loads(line)


def message(tag: str) -> tuple[str, bytes]:
    mid = f"<crash.{tag}@laptop.example.org>"
    return mid, (f"From: {ALICE}\r\nTo: {BOB}\r\nSubject: crash {tag}\r\nMessage-ID: {mid}\r\n\r\n"
                 f"Delivered once, whatever happens.\r\n").encode()


def connect(info: dict, timeout: float = 10) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", info["ports"]["msa-starttls"], local_hostname="laptop.example.org",
                          timeout=timeout)
    client.starttls(context=ssl.create_default_context(cafile=info["ca"]))
    client.login(ALICE, ALICE_PW)
    return client


def send(info: dict, tags: list[str]) -> tuple[list[str], list[str]]:
    """Send one message per tag over one connection until one fails: (acknowledged, not acknowledged)."""
    acked: list[str] = []
    tried: list[str] = []
    try:
        client = connect(info)
    except (OSError, smtplib.SMTPException):
        return [], []
    try:
        for tag in tags:
            mid, data = message(tag)
            tried.append(mid)
            client.sendmail(ALICE, [BOB], data)
            acked.append(mid)
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        client.close()
    return acked, [m for m in tried if m not in acked]


def scenario_root(data_dir: Path) -> Path:
    return data_dir / SCENARIO_DIR


def queued(data_dir: Path) -> int:
    new = scenario_root(data_dir) / "queue" / "new"
    return len(list(new.iterdir())) if new.exists() else 0


def delivered(data_dir: Path) -> Counter:
    """Message-ID -> how many copies are in Bob's INBOX (read back with the email package)."""
    box = scenario_root(data_dir) / "mail" / BOB
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    ids: Counter = Counter()
    for sub in ("new", "cur"):
        for path in (box / sub).glob("*"):
            if not path.name.startswith("."):
                ids[parser.parsebytes(path.read_bytes()).get("Message-ID", "").strip()] += 1
    return ids


def uids(data_dir: Path) -> list[int]:
    """Bob's INBOX UIDs, as the store reads them back from disk."""
    store = MaildirStore(scenario_root(data_dir) / "mail")
    store.add_account("bob", "pw", address=BOB)
    return [m.uid for m in store.mailbox("bob").messages]


def wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen[str], timeout: float = 20) -> int:
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
