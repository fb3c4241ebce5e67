"""The player's export key: this lesson's capture and key log, and where they went."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.run import run_scenario
from simulator.scenario.library import open_scenario
from simulator.ui.app import SmtpsimApp
from tests.capture.pcapread import read_capture  # noqa: E402 (ROOT on sys.path: tests/ui/conftest.py)

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


async def test_w_writes_the_current_lesson_and_says_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    trace = run_scenario(open_scenario("submission-starttls"))
    app = SmtpsimApp(trace, loader=None)
    app.animation_level = "none"
    notices: list[tuple[str, str]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        real_notify = app.player.notify
        monkeypatch.setattr(app.player, "notify",
                            lambda message, **kw: (notices.append((message, kw.get("severity", "information"))),
                                                   real_notify(message, **kw)))
        await pilot.press("w")
        await pilot.pause()
    pcap = tmp_path / "smtpsim-submission-starttls.pcapng"
    keys = tmp_path / "smtpsim-submission-starttls-keys.log"
    assert len(read_capture(pcap)) > 50 and "CLIENT_TRAFFIC_SECRET_0" in keys.read_text()
    assert len(notices) == 1
    message, severity = notices[0]
    assert str(pcap) in message and str(keys) in message and severity == "information"


async def test_an_unwritable_directory_is_a_notice_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the player was started in a directory that has since been removed
    trace = run_scenario(open_scenario("auth-failure"))
    app = SmtpsimApp(trace, loader=None)
    app.animation_level = "none"
    notices: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(app.player, "notify", lambda message, **kw: notices.append(kw.get("severity", "")))
        await pilot.press("w")
        await pilot.pause()
        assert app.is_running
    assert notices == ["error"]
