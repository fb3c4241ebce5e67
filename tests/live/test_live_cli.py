"""``smtpsim live`` as a command: the JSON first line, Ctrl-C, and the one-line errors.

Run as ``python -m simulator.cli.live`` (the same ``add_parser``/``run`` that
``smtpsim live`` uses), in a subprocess, so signals are real.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]

KEYS = {"msa-starttls", "msa-implicit", "mta", "imap", "imaps", "pop3", "pop3s", "dns"}


def _live(*args: str, data_dir: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "simulator.cli.live", *args, "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator.cli.live", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=30)


def test_json_first_line_then_sigint_exits_0_promptly(data_dir: Path) -> None:
    proc = _live("--ephemeral", "--json", data_dir=data_dir)
    try:
        first = json.loads(proc.stdout.readline())
        assert set(first["ports"]) == KEYS and all(isinstance(p, int) and p > 0 for p in first["ports"].values())
        assert [a["address"] for a in first["accounts"]] == ["alice@example.org", "bob@example.net"]  # sender first
        assert set(first["accounts"][0]) >= {"address", "username", "password"}
        assert Path(first["ca"]).is_file()
        # It serves: a real greeting on the submission port.
        with smtplib.SMTP("127.0.0.1", first["ports"]["msa-starttls"], local_hostname="laptop.example.org",
                          timeout=10) as client:
            assert client.noop()[0] == 250
        # An open session does not hold up the stop: it gets 421 and the process exits 0.
        hanging = socket.create_connection(("127.0.0.1", first["ports"]["imap"]), timeout=10)
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - start < 5
        assert hanging.recv(1000).startswith(b"* OK")
        hanging.close()
        assert proc.stdout.read() == ""  # with --json, stdout holds only that first line
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def test_sigterm_also_stops_cleanly_and_human_output_names_ports_accounts_and_ca(data_dir: Path) -> None:
    proc = _live("user-unknown", "--ephemeral", data_dir=data_dir)
    try:
        lines = []
        while not lines or lines[-1] and not lines[-1].startswith("Ctrl-C stops"):
            lines.append(proc.stdout.readline())
        head = "".join(lines)
        assert "smtpsim live: user-unknown" in head
        assert "correct horse battery staple" in head and "CA certificate" in head
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@pytest.mark.parametrize("args, says", [
    (("no-such-scenario",), "no such scenario"),
    (("--listen", "not-an-address"), "--listen expects an IP address"),
    (("--base-port", "65000"), "--base-port must be"),
    (("--time-scale", "0"), "expected a number > 0"),
    (("--max-per-address", "0"), "--max-per-address must be at least 1"),
    (("--max-per-address", "x"), "--max-per-address expects a whole number"),
    (("--handshake-timeout", "0"), "expected a number > 0"),
    (("--greeting-timeout", "0"), "expected a number > 0"),
    (("--idle-timeout", "10", "--greeting-timeout", "20"), "--greeting-timeout must be at most the idle timeout"),
])
def test_bad_options_give_one_line_and_exit_2(args: tuple[str, ...], says: str, data_dir: Path) -> None:
    result = _run(*args, data_dir=data_dir)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_line_and_exit_2(data_dir: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        if port < 587 or port - 587 > 65535 - 995:
            pytest.skip("the OS picked a port no base port can reach")
        result = _run("--base-port", str(port - 587), data_dir=data_dir)
        assert result.returncode == 2
        assert "already in use" in result.stderr and "Traceback" not in result.stderr
    finally:
        blocker.close()
