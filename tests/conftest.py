"""Every test keeps its progress record and trace cache under its own tmp_path, never in the real home."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the tests import their shared pieces as tests.*
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _progress_in_tmp(tmp_path_factory, monkeypatch):
    # XDG_DATA_HOME is where the progress record lives (simulator.progress.paths); a profile set
    # in the environment of whoever runs the tests must not leak in either.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    # XDG_CACHE_HOME: the trace cache the player starts from (simulator.trace.cache).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.delenv("SMTPSIM_PROFILE", raising=False)
