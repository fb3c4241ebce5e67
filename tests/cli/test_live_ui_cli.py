"""``smtpsim live --ui``: the player gets what plain ``live`` prints, and the same start errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from simulator.cli import live
from simulator.cli.main import main
from simulator.scenario.library import open_scenario

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def _with_fake_player(monkeypatch) -> list[tuple[object, str]]:
    """The player is not started; what it would have been given is kept."""
    calls: list[tuple[object, str]] = []

    def player(trace: object, info: str = "") -> int:
        calls.append((trace, info))
        return 0

    monkeypatch.setattr(live, "_ui_hook", lambda: player)
    return calls


def test_the_player_is_given_the_accounts_passwords_ports_and_ca(monkeypatch, tmp_path: Path, capsys):
    calls = _with_fake_player(monkeypatch)
    code = main(["live", "user-unknown", "--ui", "--ephemeral", "--data-dir", str(tmp_path)])
    assert code == 0 and len(calls) == 1
    info = calls[0][1]
    for account in open_scenario("user-unknown").accounts:
        assert account.address in info and account.password in info
    ca = next(line.split(": ", 1)[1] for line in info.splitlines() if line.startswith("CA certificate"))
    assert Path(ca).is_file() and Path(ca).is_relative_to(tmp_path)
    assert "127.0.0.1:" in info and "(port 587 of" in info
    assert "Ctrl-C" not in info  # the player stops with q
    # The accounts come before the ports: the card is short, and logging in is what a student needs first.
    assert info.index("password") < info.index("(port 587 of")


@pytest.mark.parametrize("ui", [True, False], ids=["--ui", "plain"])
def test_a_port_in_use_says_try_base_port_with_and_without_ui(monkeypatch, tmp_path: Path, capsys, ui):
    calls = _with_fake_player(monkeypatch)
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        if port < 587 or port - 587 > 65535 - 995:
            pytest.skip("the OS picked a port no base port can reach")
        argv = ["live", "--base-port", str(port - 587), "--data-dir", str(tmp_path)] + (["--ui"] if ui else [])
        code = main(argv)
    finally:
        blocker.close()
    err = capsys.readouterr().err
    assert code == 2 and calls == []
    assert "already in use" in err and "--base-port" in err and "--ephemeral" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
