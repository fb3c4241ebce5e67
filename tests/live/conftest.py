"""Live mode in a background thread, on 127.0.0.1 with OS-picked ports and a temporary data directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulator.live import LiveMode, LiveOptions, LiveThread
from simulator.scenario.library import open_scenario

Starter = Callable[..., LiveMode]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def live(data_dir: Path) -> Iterator[Starter]:
    """``live(scenario="submission-starttls", **options)``: a running LiveMode; stopped after the test.

    ``mode.thread`` is its LiveThread (``mode.thread.stop()`` to stop it early).
    """
    threads: list[LiveThread] = []

    def start(scenario: str = "submission-starttls", **options: object) -> LiveMode:
        options.setdefault("data_dir", data_dir)
        mode = LiveMode(open_scenario(scenario), LiveOptions(listen="127.0.0.1", ephemeral=True, **options))
        thread = LiveThread(mode)
        threads.append(thread)
        thread.start()
        mode.thread = thread  # type: ignore[attr-defined]
        return mode

    yield start
    for thread in threads:
        thread.stop()
