"""The live queue on disk: what the MSA (or an MX, for a bounce) owes someone.

    DATA/<scenario>/queue/{tmp,new,cur}    one file per entry, a stdlib ``mailbox.Maildir``
    DATA/<scenario>/queue-state/ID.json    per-recipient progress, once there is some

A queue file is the message with one line on top, ``X-Smtpsim-Envelope:``
and the envelope as JSON (sender, recipients, arrival, queue id), much as
Postfix keeps envelope records and content in one queue file. It is written
with ``Maildir.add``: a file in ``tmp``, fsync'd, then linked into ``new``,
so it appears whole or not at all, and the MSA answers 250 only after that.
One write, one fsync per message, as a Maildir delivery agent does.

After an attempt that leaves recipients waiting, their outcomes go to the
state file (tmp file, fsync, rename). If that write were lost, a recipient
would be tried again: a duplicate, never a loss. A state file without its
queue file is dropped at start.
"""

from __future__ import annotations

import json
import mailbox
import os
from dataclasses import dataclass, field
from pathlib import Path

from simulator.actors.queue import Outcome
from simulator.live.store import write_atomic

ENVELOPE = b"X-Smtpsim-Envelope: "


@dataclass
class LiveEntry:
    id: str
    sender: str  # "" for a bounce
    recipients: tuple[str, ...]
    arrival: float  # Unix time
    origin: str  # the host id whose queue this is (the MSA, or an MX writing a bounce)
    key: str = ""  # the queue file's Maildir key
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)  # recipients already in a failure DSN
    attempts: int = 0
    warned: bool = False
    next_attempt: float = 0.0  # Unix time
    message_id: str = ""

    def envelope(self) -> dict:
        return {"id": self.id, "sender": self.sender, "recipients": list(self.recipients), "arrival": self.arrival,
                "origin": self.origin, "message_id": self.message_id}

    def state(self) -> dict:
        return {"id": self.id, "key": self.key, "attempts": self.attempts, "warned": self.warned,
                "next_attempt": self.next_attempt, "reported": sorted(self.reported),
                "outcomes": {r: [o.state, o.status, o.diagnostic, o.remote_mta, o.last_attempt]
                             for r, o in self.outcomes.items()}}


class Spool:
    def __init__(self, root: Path) -> None:
        self.maildir = mailbox.Maildir(root / "queue", factory=None, create=True)
        self.state_dir = root / "queue-state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._root = root / "queue"

    def add(self, entry: LiveEntry, content: bytes) -> None:
        """Make ``entry`` durable: one file, envelope on top (raises OSError if the disk fails)."""
        line = ENVELOPE + json.dumps(entry.envelope(), separators=(",", ":")).encode() + b"\n"
        entry.key = self.maildir.add(line + content.replace(b"\r\n", b"\n"))

    def save(self, entry: LiveEntry) -> None:
        """Record the progress of an entry that stays queued."""
        write_atomic(self.state_dir / f"{entry.id}.json", json.dumps(entry.state()).encode())

    def _path(self, key: str) -> Path:
        # Maildir.add puts a message without flags in new/ and we never move it; reading the file
        # directly spares the library a rescan of the directory for each new key.
        return self._root / "new" / key

    def content(self, entry: LiveEntry) -> bytes:
        data = self._path(entry.key).read_bytes()
        return data.split(b"\n", 1)[1].replace(b"\n", b"\r\n")

    def remove(self, entry: LiveEntry) -> None:
        """Done with it: the queue file first (the state file alone means nothing)."""
        self._path(entry.key).unlink(missing_ok=True)
        (self.state_dir / f"{entry.id}.json").unlink(missing_ok=True)

    def load(self) -> list[LiveEntry]:
        """Every entry on disk, oldest first, with its progress; stray state files are dropped."""
        for path in (self._root / "tmp").iterdir():
            path.unlink(missing_ok=True)  # a write cut short before the link: never acknowledged
        entries: dict[str, LiveEntry] = {}
        for sub in ("new", "cur"):
            for path in (self._root / sub).iterdir():
                if path.name.startswith("."):
                    continue
                entry = self._read(path)
                if entry is not None:
                    entries[entry.id] = entry
        for path in self.state_dir.iterdir():
            entry = entries.get(path.stem)
            if entry is None or path.suffix != ".json":
                path.unlink(missing_ok=True)  # finished, or a temporary file of a crashed write
                continue
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
                entry.attempts = int(state["attempts"])
                entry.warned = bool(state["warned"])
                entry.next_attempt = float(state["next_attempt"])
                entry.reported = set(state["reported"])
                for rcpt, fields in state["outcomes"].items():
                    if rcpt in entry.outcomes:
                        entry.outcomes[rcpt] = Outcome(*fields)
            except (OSError, ValueError, KeyError, TypeError):
                pass  # unreadable progress: start over (duplicates at worst)
        return sorted(entries.values(), key=lambda e: e.arrival)

    def _read(self, path: Path) -> LiveEntry | None:
        try:
            with path.open("rb") as f:
                first = f.readline()
            if not first.startswith(ENVELOPE):
                raise ValueError("no envelope")
            env = json.loads(first[len(ENVELOPE):])
            recipients = tuple(str(r) for r in env["recipients"])
            return LiveEntry(str(env["id"]), str(env["sender"]), recipients, float(env["arrival"]),
                             str(env["origin"]), key=path.name.split(":", 1)[0],
                             outcomes={r: Outcome("pending") for r in recipients},
                             message_id=str(env.get("message_id", "")))
        except (OSError, ValueError, KeyError, TypeError):
            # Not one of ours, or damaged: keep it aside for a person, never deliver it half-read.
            aside = self._root.parent / "queue-damaged"
            aside.mkdir(exist_ok=True)
            os.replace(path, aside / path.name)
            return None
