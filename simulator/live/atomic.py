"""Writing files so that a crash leaves the old version or the new one, never half of one."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_all", "write_atomic"]


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every octet is out (a write may take only part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a temporary file, fsync, rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
