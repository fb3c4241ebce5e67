"""``smtpsim live --keylog FILE``: the servers write every TLS session's secrets for Wireshark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live.livekit import message, submit, tls

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def _secrets(path: Path) -> set[str]:
    return {ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")}


def test_the_servers_write_the_secrets_their_clients_also_know(live, tmp_path: Path, monkeypatch):
    server_log, client_log = tmp_path / "servers.keys", tmp_path / "client.keys"
    mode = live(keylog=server_log)

    def logging_context(_mode):  # the client keeps its own key log: the two must agree
        context = tls(mode)
        context.keylog_filename = str(client_log)
        return context

    monkeypatch.setattr("tests.live.livekit.tls", logging_context)
    submit(mode, message())  # 587 + STARTTLS
    submit(mode, message(), implicit=True)  # 465
    ours = _secrets(client_log)
    # The servers also log the relay's own sessions (MSA to MX over loopback): more, never fewer.
    assert ours and ours <= _secrets(server_log)
    assert len({ln.split()[1] for ln in ours}) == 2  # one ClientHello random per session
    assert {ln.split()[0] for ln in ours} >= {"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"}


def test_a_keylog_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "simulator.cli.live", "--ephemeral", "--data-dir", str(tmp_path),
                           "--keylog", str(tmp_path / "no" / "such" / "dir.keys")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "--keylog" in done.stderr and len(done.stderr.strip().splitlines()) == 1
