"""The one way live mode writes a file that must survive a crash.

A file is written under a temporary name, fsync'd, then renamed (or linked)
into place, and the directory is fsync'd after that, so that the rename
itself is on disk: without the last step a power cut may lose a file that
was already acknowledged with 250 (the data is safe, the name is not).

If a write fails (a full disk: ENOSPC), what it had written is removed (or,
for a log, cut back), so nothing half-written is ever left behind.

``write_atomic`` replaces a file (state, indexes, certificates);
``write_once`` puts a new file into a directory under a name that must not
exist yet (queue files, Maildir messages): a second write with the same name
does nothing, which is what makes delivery idempotent.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["KeptDirectory", "append_synced", "fsync_directory", "write_all", "write_atomic", "write_once"]


class KeptDirectory:
    """A directory opened once and fsync'd after every link into it (the queue's ``new/``).

    Saves an open and a close per message. Only for a directory that lives as long as the
    process: a directory removed and made again would be a new one, and this descriptor
    would sync the old.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def fsync(self) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``: a temporary file, fsync, rename, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _write_synced(tmp, data, mode)
    try:
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def write_once(tmp_dir: Path, final_dir: Path, name: str, data: bytes, *, mode: int = 0o600,
               mtime: float | None = None, kept: KeptDirectory | None = None) -> bool:
    """Write ``data`` as ``final_dir/name`` unless it exists; False when it did (nothing written).

    As a Maildir delivery agent does: write in ``tmp_dir``, fsync, link into
    ``final_dir`` (the link fails if the name is taken), remove the temporary
    name, fsync ``final_dir``. ``mtime`` sets the file's modification time first (a
    Maildir message's INTERNALDATE). ``kept``: ``final_dir`` already open, to fsync.
    """
    tmp = tmp_dir / f"{name}.{os.getpid()}"
    _write_synced(tmp, data, mode)
    if mtime is not None:
        os.utime(tmp, (mtime, mtime))
    try:
        os.link(tmp, final_dir / name)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    if kept is not None:
        kept.fsync()
    else:
        fsync_directory(final_dir)
    return True


def append_synced(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Add ``data`` at the end of ``path`` (an append-only log) and fsync it before returning.

    A crash leaves the log as it was or with the new line; a reader skips a torn last line.
    A new log file also gets its directory fsync'd, so its name is on disk too.
    """
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
    try:
        size = os.fstat(fd).st_size
        try:
            write_all(fd, data)
            os.fsync(fd)
        except OSError:
            # A full disk may take part of the line: cut it off, so the next line starts clean.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)
    if new:
        fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename, link or unlink in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every octet is out (a write may take only part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_synced(path: Path, data: bytes, mode: int) -> None:
    """Write and fsync ``path``; if that fails (a full disk), remove it: nothing half-written stays."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
