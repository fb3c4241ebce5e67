"""Passwords for live mode when other computers can reach it.

The scenarios' passwords are printed in the lessons and the repository, so
anyone who has read them could log in to a live server listening beyond
loopback. There live mode makes up one password per account, keeps them in
``<data dir>/<scenario>/passwords.json`` (readable by the owner only, mode
0600) and uses the same ones at every start, so a configured mail client
keeps working. Loopback keeps the scenario's passwords: only this computer
can connect.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from pathlib import Path

from simulator.live.durable import write_atomic
from simulator.scenario.model import Scenario

FILE_NAME = "passwords.json"
TOKEN_BYTES = 12  # 96 random bits, 16 URL-safe characters: beyond guessing (and the auth guard limits tries)


def with_random_passwords(scenario: Scenario, root: Path) -> tuple[Scenario, Path]:
    """``scenario`` with each account's password replaced by this data directory's random one."""
    path = root / FILE_NAME
    known = _read(path)
    chosen = {a.address: known.get(a.address) or secrets.token_urlsafe(TOKEN_BYTES) for a in scenario.accounts}
    if chosen != known:
        _write(path, chosen)
    accounts = tuple(replace(a, password=chosen[a.address]) for a in scenario.accounts)
    return replace(scenario, accounts=accounts), path


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: new ones are made (and printed)
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v}


def _write(path: Path, passwords: dict[str, str]) -> None:
    # Created 0600 (under a temporary name, then renamed): no moment when others may read it.
    write_atomic(path, json.dumps(passwords, indent=2).encode("utf-8"), mode=0o600)
