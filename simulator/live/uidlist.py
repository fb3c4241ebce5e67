"""A Maildir folder's IMAP UIDs on disk: an append-only list, compacted when the folder is opened.

``smtpsim-uidlist`` in each folder (in the spirit of Dovecot's
``dovecot-uidlist``)::

    1 V1764320400 N8           version 1, UIDVALIDITY, UIDNEXT when last compacted
    5 1764320401.M1P2Q3.host,S=812,W=830
    7 1764320402.M4P2Q4.host,S=90,W=93
    ...                        one line per message: UID, file name up to ":2,"

A delivery appends one line (one ``write`` with ``O_APPEND``, then fsync),
so it costs the same however big the folder is. Flag changes rename the
message file but keep its name up to ``:2,``, so they never touch this
list; an expunge only removes the file. Lines of messages that are gone
are dropped when the folder is next opened, by rewriting the list to a
temporary file, fsync, rename. A line cut short by a crash (no final LF) is
ignored and the list rewritten; its message, still on disk, then gets a new
UID (past the torn line's, if that much of it was written). UIDNEXT is the larger of the header's and one past the largest UID
listed, so UIDs never go back. UIDVALIDITY changes only when the folder is
created again (RFC 3501 §2.3.1.1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.live.durable import append_synced, write_atomic

__all__ = ["FILENAME", "UidList"]

FILENAME = "smtpsim-uidlist"
_VERSION = "1"


@dataclass
class UidList:
    path: Path
    uidvalidity: int
    uidnext: int = 1
    uids: dict[str, int] = field(default_factory=dict)  # file name up to ":2," -> UID
    dirty: bool = False  # the file on disk needs a rewrite (stale lines, a torn line, no file)

    @classmethod
    def load(cls, path: Path, new_uidvalidity: Callable[[], int]) -> UidList:
        """Read the list, or start one with ``new_uidvalidity()`` if there is none (or it is unreadable)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return cls(path, new_uidvalidity(), dirty=True)
        lines = data.split(b"\n")
        tail = lines.pop()  # the text after the last LF: empty unless a write was cut short
        torn = tail != b""
        header = lines[0].decode("ascii", "replace").split() if lines else []
        fields = {h[:1]: h[1:] for h in header[1:]}
        if not header or header[0] != _VERSION or not fields.get("V", "").isdigit():
            return cls(path, new_uidvalidity(), dirty=True)
        listed = cls(path, int(fields["V"]), int(fields["N"]) if fields.get("N", "").isdigit() else 1,
                     dirty=torn)
        torn_uid = tail.split(b" ", 1)[0]
        if torn and b" " in tail and torn_uid.isdigit():
            # Its message was never acknowledged, but its UID is not handed out again either.
            listed.uidnext = max(listed.uidnext, int(torn_uid) + 1)
        for line in lines[1:]:
            uid_text, _, key = line.decode("utf-8", "surrogateescape").partition(" ")
            if not uid_text.isdigit() or not key or int(uid_text) == 0:
                listed.dirty = True
                continue
            listed.uids[key] = int(uid_text)
            listed.uidnext = max(listed.uidnext, int(uid_text) + 1)
        return listed

    def keep_only(self, present: set[str]) -> None:
        """Forget messages whose files are gone (expunged); the next ``compact()`` drops their lines."""
        gone = [k for k in self.uids if k not in present]
        for key in gone:
            del self.uids[key]
        self.dirty = self.dirty or bool(gone)

    def assign(self, key: str) -> int:
        """A UID for a file the list does not know (a crash between the write and the append)."""
        uid = self.uidnext
        self.uids[key] = uid
        self.uidnext += 1
        self.dirty = True
        return uid

    def compact(self) -> None:
        """Rewrite the list with only what it holds now (off the delivery path: at open)."""
        lines = [f"{_VERSION} V{self.uidvalidity} N{self.uidnext}\n"]
        lines += [f"{uid} {key}\n" for key, uid in sorted(self.uids.items(), key=lambda item: item[1])]
        write_atomic(self.path, "".join(lines).encode("utf-8", "surrogateescape"))
        self.dirty = False

    def append(self, uid: int, key: str) -> None:
        """Record a new message: one line at the end, fsync'd. O(1) whatever the folder's size."""
        if self.dirty:
            self.compact()
        self.write_line(uid, key)
        self.note(uid, key)

    def write_line(self, uid: int, key: str) -> None:
        """The disk half of ``append`` (safe on another thread: it touches no memory of the list).

        A key listed twice takes its last UID when the list is read.
        """
        append_synced(self.path, f"{uid} {key}\n".encode("utf-8", "surrogateescape"))

    def note(self, uid: int, key: str) -> None:
        """The memory half of ``append``, once the line is on disk."""
        self.uids[key] = uid
        self.uidnext = max(self.uidnext, uid + 1)
