"""Every test keeps its progress record under its own tmp_path, never in the real home."""

import pytest


@pytest.fixture(autouse=True)
def _progress_in_tmp(tmp_path_factory, monkeypatch):
    # XDG_DATA_HOME is where the progress record lives (simulator.progress.paths); a profile set
    # in the environment of whoever runs the tests must not leak in either.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("SMTPSIM_PROFILE", raising=False)
