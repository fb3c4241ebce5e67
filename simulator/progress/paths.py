"""Where the progress record lives: ``$XDG_DATA_HOME/smtpsim/progress.db``, one file per profile.

The XDG Base Directory rules: ``XDG_DATA_HOME`` if set to an absolute path,
else ``~/.local/share``. A profile (``--profile NAME``, or ``SMTPSIM_PROFILE``
on a shared lab machine) gets its own file beside the default one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DEFAULT_PROFILE = "default"
PROFILE_ENV = "SMTPSIM_PROFILE"
# A file name on every system: no separators, no dot first (no hidden file, no "..").
_PROFILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class ProfileError(ValueError):
    """A profile name that cannot be a file name."""


def check_profile(name: str) -> str:
    """``name`` if it is a usable profile name, else ProfileError saying what is allowed."""
    if not _PROFILE.fullmatch(name):
        raise ProfileError(f"a profile name is 1-64 letters, digits, '-', '_' or '.', starting with a letter "
                           f"or digit; found {name!r}")
    return name


def default_profile() -> str:
    """``SMTPSIM_PROFILE`` when set (a lab machine's login script), else "default"."""
    return os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def database_path(profile: str | None = None) -> Path:
    """The file for ``profile`` (None: :func:`default_profile`)."""
    name = check_profile(profile if profile is not None else default_profile())
    filename = "progress.db" if name == DEFAULT_PROFILE else f"progress-{name}.db"
    return data_home() / "smtpsim" / filename
