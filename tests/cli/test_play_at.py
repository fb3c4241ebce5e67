"""``smtpsim play S --at failure|key|N`` / ``--step N`` / ``--presenter``: where the player opens, bad values refused."""

from __future__ import annotations

import pytest

from simulator.cli.main import main
from simulator.scenario.library import open_scenario


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The real ``run_app``, but the app records where it would open instead of taking the terminal."""
    from simulator.ui.app import SmtpsimApp

    seen: dict = {}

    def fake_run(self, *args, **kwargs):
        seen.update(start=self._start["start"], presenter=self._start["presenter"], trace=self._trace)
        return 0

    monkeypatch.setattr(SmtpsimApp, "run", fake_run)
    return seen


def test_at_failure_key_and_step_numbers(opened: dict) -> None:
    assert main(["play", "user-unknown", "--at", "failure"]) == 0
    assert opened["trace"].events[opened["start"]].text.startswith("550 5.1.1")
    assert main(["user-unknown", "--at", "key", "--presenter"]) == 0  # play is the default command
    assert opened["trace"].events[opened["start"]].text.startswith("550 5.1.1") and opened["presenter"]
    assert main(["play", "user-unknown", "--step", "41"]) == 0
    assert opened["start"] == 40  # steps count from 1, as the status bar shows them
    assert main(["play", "user-unknown", "--at", "163"]) == 0 and opened["start"] == 162


@pytest.mark.parametrize(("argv", "says"), [
    (["--at", "nope"], "--at expects failure, key or a step number from 1, found 'nope'"),
    (["--at", "0"], "--at expects failure, key or a step number from 1, found '0'"),
    (["--at", "164"], "step 164 does not exist: user-unknown has steps 1 to 163"),
    (["--step", "-2"], "--step expects a number >= 1, found -2"),
    (["--step", "x"], "--step expects a whole number, found 'x'"),
    (["--at", "key", "--step", "3"], "not allowed with argument"),
])
def test_bad_values_get_one_clear_line(argv: list[str], says: str, capsys: pytest.CaptureFixture[str],
                                       opened: dict) -> None:
    try:
        code = main(["play", "user-unknown", *argv])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_at_failure_in_a_lesson_where_nothing_fails(capsys: pytest.CaptureFixture[str], opened: dict) -> None:
    assert main(["play", "submission-starttls", "--at", "failure"]) == 2
    assert "nothing fails in submission-starttls" in capsys.readouterr().err
    assert main(["play", "submission-starttls", "--at", "key"]) == 0  # its key moment: STARTTLS's 220
    assert opened["trace"].events[opened["start"]].text.startswith("220 2.0.0 Ready to start TLS")
    assert open_scenario("submission-starttls").moments
