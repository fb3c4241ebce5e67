"""Beyond loopback, live mode makes up the accounts' passwords (one set per data directory) and says so.

Nothing here listens: the passwords are chosen when live mode is set up, before any socket opens, and
tests bind 127.0.0.1 only.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from types import SimpleNamespace

from simulator.cli.live import banner
from simulator.live import LiveMode, LiveOptions
from simulator.scenario.library import open_scenario

from livekit import ALICE, ALICE_PW, BOB_PW


def _mode(data_dir: Path, listen: str) -> LiveMode:
    return LiveMode(open_scenario("submission-starttls"), LiveOptions(listen=listen, ephemeral=True, data_dir=data_dir))


def _passwords(mode: LiveMode) -> dict[str, str]:
    return {a["address"]: a["password"] for a in mode.accounts()}


def test_on_loopback_the_scenario_passwords_stay() -> None:
    mode = _mode(Path("/nonexistent-never-written"), "127.0.0.1")
    assert _passwords(mode)[ALICE] == ALICE_PW
    assert mode.info()["passwords"] == "scenario"


def test_beyond_loopback_every_account_gets_a_random_password_that_logs_in(tmp_path: Path) -> None:
    mode = _mode(tmp_path, "0.0.0.0")
    chosen = _passwords(mode)
    assert ALICE_PW not in chosen.values() and BOB_PW not in chosen.values()
    assert all(len(pw) >= 16 for pw in chosen.values()) and len(set(chosen.values())) == len(chosen)
    # What the servers check is what is printed: the shared policy reads the world's accounts.
    assert mode.world.scenario.account(ALICE).password == chosen[ALICE]
    assert mode.info()["passwords"] == "random" and _passwords(mode) == {
        a["address"]: a["password"] for a in mode.info()["accounts"]}


def test_they_are_kept_private_and_reused_across_restarts_per_data_directory(tmp_path: Path) -> None:
    first = _passwords(_mode(tmp_path / "one", "192.0.2.1"))
    again = _passwords(_mode(tmp_path / "one", "192.0.2.1"))
    other = _passwords(_mode(tmp_path / "two", "192.0.2.1"))
    assert again == first
    assert other[ALICE] != first[ALICE]
    [stored] = (tmp_path / "one").rglob("passwords.json")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600  # only the owner may read them
    assert json.loads(stored.read_text())[ALICE] == first[ALICE]


def test_a_damaged_password_file_is_replaced_not_a_traceback(tmp_path: Path) -> None:
    _mode(tmp_path, "192.0.2.1")
    [stored] = tmp_path.rglob("passwords.json")
    stored.write_text("{not json")
    assert _passwords(_mode(tmp_path, "192.0.2.1"))[ALICE] != ALICE_PW


def test_the_banner_says_the_passwords_are_random(tmp_path: Path) -> None:
    mode = _mode(tmp_path, "0.0.0.0")
    mode.certs = SimpleNamespace(ca=tmp_path / "ca.pem")  # what start() would have made
    mode.ports = {"msa-starttls": 10587}
    text = banner(mode)
    assert "random" in text and _passwords(mode)[ALICE] in text
    assert ALICE_PW not in text
