"""The one durable writer: data fsync'd before the rename or link, the directory fsync'd after it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from simulator.live import durable


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every fsync, in order: ("file", name) or ("dir", path), and every rename/link as ("move", name)."""
    log: list[tuple[str, str]] = []
    real_fsync, real_replace, real_link = os.fsync, os.replace, os.link

    def fsync(fd: int) -> None:
        mode = os.fstat(fd).st_mode
        log.append(("dir", os.readlink(f"/proc/self/fd/{fd}")) if stat.S_ISDIR(mode) else ("file", ""))
        real_fsync(fd)

    def replace(src, dst) -> None:
        real_replace(src, dst)
        log.append(("move", Path(dst).name))

    def link(src, dst) -> None:
        real_link(src, dst)
        log.append(("move", Path(dst).name))

    monkeypatch.setattr(durable.os, "fsync", fsync)
    monkeypatch.setattr(durable.os, "replace", replace)
    monkeypatch.setattr(durable.os, "link", link)
    return log


def test_write_atomic_syncs_the_data_then_the_directory_after_the_rename(tmp_path: Path, synced) -> None:
    target = tmp_path / "state.json"
    durable.write_atomic(target, b"{}")
    assert target.read_bytes() == b"{}" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert synced == [("file", ""), ("move", "state.json"), ("dir", str(tmp_path))]
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


def test_write_once_links_a_new_name_and_refuses_a_taken_one(tmp_path: Path, synced) -> None:
    (tmp_path / "tmp").mkdir()
    (tmp_path / "new").mkdir()
    assert durable.write_once(tmp_path / "tmp", tmp_path / "new", "Q1", b"first")
    assert synced == [("file", ""), ("move", "Q1"), ("dir", str(tmp_path / "new"))]
    assert not durable.write_once(tmp_path / "tmp", tmp_path / "new", "Q1", b"second")
    assert (tmp_path / "new" / "Q1").read_bytes() == b"first"
    assert list((tmp_path / "tmp").iterdir()) == []


def test_every_writer_of_live_mode_uses_it() -> None:
    # One writer: nothing else in live mode opens files for writing or renames them.
    root = Path(durable.__file__).parent
    for path in root.glob("*.py"):
        if path.name == "durable.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "os.write(" not in text and "os.fsync(" not in text and ".add(line" not in text, path.name
        assert "mailbox.Maildir(" not in text, path.name
