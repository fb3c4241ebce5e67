"""Start-up stays light: ``smtpsim --help`` and the player load neither sqlite3 nor genanki.

The record is opened on the first thing to record; the Anki export imports
genanki when it writes. A fresh interpreter each time, so nothing imported by
other tests counts.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sqlite3", "genanki", "simulator.progress.store")


@pytest.mark.parametrize("modules", ["simulator.cli.main", "simulator.cli.main, simulator.ui.app"])
def test_the_cli_and_the_player_import_no_database_module(modules):
    code = (f"import sys, {modules}; from simulator.cli.main import build_parser; build_parser(); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
