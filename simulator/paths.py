"""Where the shipped data lives: the checkout's top level, or inside the wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A checkout (or an editable install) has scenarios/ and assets/ beside the
    # package; a wheel carries them in simulator/_data/ (see pyproject.toml).
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_data" / name


def scenarios_dir() -> Path:
    return _data_dir("scenarios")


def assets_dir() -> Path:
    return _data_dir("assets")


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/smtpsim``, or ``~/.cache/smtpsim`` (XDG: an absolute path only)."""
    value = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(value) if value and os.path.isabs(value) else Path.home() / ".cache"
    return base / "smtpsim"
