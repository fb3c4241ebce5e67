"""The live queue on disk: what the MSA (or an MX, for a bounce) owes someone.

    DATA/<scenario>/queue/{tmp,new}        one file per entry, named by its queue id
    DATA/<scenario>/queue-state/ID.json    per-recipient progress, once there is some

A queue file is the message with one line on top, ``X-Smtpsim-Envelope:``
and the envelope as JSON (sender, recipients, arrival, queue id), much as
Postfix keeps envelope records and content in one queue file. It is written
as a Maildir delivery agent writes (``simulator.live.durable``): a file in
``tmp``, fsync'd, linked into ``new``, the directory fsync'd; so it appears
whole or not at all, and the MSA answers 250 only after that. One write, one
fsync per message.

After an attempt that leaves recipients waiting, their outcomes go to the
state file (the same durable writer). If that write were lost, a recipient
would be tried again; the MX recognises the queue id and does not store it
twice. A state file without its queue file is dropped at start.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from simulator.delivery.outcomes import Outcome, QueueEntry, RecipientState
from simulator.live.durable import KeptDirectory, write_atomic, write_once

ENVELOPE = b"X-Smtpsim-Envelope: "


def _envelope(entry: QueueEntry, size: int) -> dict[str, Any]:
    return {"id": entry.id, "sender": entry.sender, "recipients": list(entry.recipients), "arrival": entry.arrival,
            "origin": entry.origin, "message_id": entry.message_id, "size": size}


def _state(entry: QueueEntry) -> dict[str, Any]:
    return {"id": entry.id, "attempts": entry.attempts, "warned": entry.warned,
            "next_attempt": entry.next_attempt, "reported": sorted(entry.reported),
            "outcomes": {r: [o.state.value, o.status, o.diagnostic, o.remote_mta, o.last_attempt]
                         for r, o in entry.outcomes.items()}}


class Spool:
    def __init__(self, root: Path) -> None:
        self._root = root / "queue"
        for sub in ("tmp", "new", "cur"):
            (self._root / sub).mkdir(parents=True, exist_ok=True)
        self.state_dir = root / "queue-state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, Path] = {}  # queue id -> its file
        self._new = KeptDirectory(self._root / "new")  # fsync'd after every link and unlink
        self.damaged: list[tuple[str, str]] = []  # (file name, what is wrong), set aside by the last load()

    def add(self, entry: QueueEntry, content: bytes) -> None:
        """Make ``entry`` durable: one file, envelope on top (raises OSError if the disk fails)."""
        self.write(entry, content)
        self.added(entry)

    def write(self, entry: QueueEntry, content: bytes) -> None:
        """The disk half of ``add`` (for the writer thread: it touches nothing in memory)."""
        body = content.replace(b"\r\n", b"\n")
        line = ENVELOPE + json.dumps(_envelope(entry, len(body)), separators=(",", ":")).encode() + b"\n"
        if not write_once(self._root / "tmp", self._root / "new", entry.id, line + body, kept=self._new):
            raise FileExistsError(f"queue id {entry.id} is taken")

    def added(self, entry: QueueEntry) -> None:
        """The memory half of ``add``, once the file is on disk."""
        self._files[entry.id] = self._root / "new" / entry.id

    def close(self) -> None:
        self._new.close()

    def save(self, entry: QueueEntry) -> None:
        """Record the progress of an entry that stays queued."""
        write_atomic(self.state_dir / f"{entry.id}.json", json.dumps(_state(entry)).encode())

    def content(self, entry: QueueEntry) -> bytes:
        data = self._files.get(entry.id, self._root / "new" / entry.id).read_bytes()
        return data.split(b"\n", 1)[1].replace(b"\n", b"\r\n")

    def remove(self, entry: QueueEntry) -> None:
        """Done with it: the queue file first (the state file alone means nothing)."""
        self._files.pop(entry.id, self._root / "new" / entry.id).unlink(missing_ok=True)
        (self.state_dir / f"{entry.id}.json").unlink(missing_ok=True)
        self._new.fsync()

    def load(self) -> list[QueueEntry]:
        """Every entry on disk, oldest first, with its progress; stray state files are dropped.

        A damaged file (not ours, an envelope that does not parse, fewer octets than its envelope
        says: truncated) is moved to ``queue-damaged/`` and listed in ``damaged``; the rest go on.
        """
        self.damaged = []
        for path in (self._root / "tmp").iterdir():
            path.unlink(missing_ok=True)  # a write cut short before the link: never acknowledged
        entries: dict[str, QueueEntry] = {}
        for sub in ("new", "cur"):
            for path in (self._root / sub).iterdir():
                if path.name.startswith("."):
                    continue
                entry = self._read(path)
                if entry is not None:
                    entries[entry.id] = entry
                    self._files[entry.id] = path
        for path in self.state_dir.iterdir():
            found = entries.get(path.stem)
            if found is None or path.suffix != ".json":
                path.unlink(missing_ok=True)  # finished, or a temporary file of a crashed write
                continue
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
                found.attempts = int(state["attempts"])
                found.warned = bool(state["warned"])
                found.next_attempt = float(state["next_attempt"])
                found.reported = set(state["reported"])
                for rcpt, fields in state["outcomes"].items():
                    if rcpt in found.outcomes:
                        found.outcomes[rcpt] = Outcome(RecipientState(fields[0]), *fields[1:])
            except (OSError, ValueError, KeyError, TypeError):
                pass  # unreadable progress: start over (the MX does not store a message twice)
        return sorted(entries.values(), key=lambda e: e.arrival)

    def _read(self, path: Path) -> QueueEntry | None:
        try:
            with path.open("rb") as f:
                first = f.readline()
                if not first.startswith(ENVELOPE) or not first.endswith(b"\n"):
                    raise ValueError("no envelope line")
                env = json.loads(first[len(ENVELOPE):])
                rest = os.fstat(f.fileno()).st_size - len(first)
            if "size" in env and rest != int(env["size"]):
                raise ValueError(f"truncated: {rest} of {int(env['size'])} octets")
            recipients = tuple(str(r) for r in env["recipients"])
            return QueueEntry(str(env["id"]), str(env["sender"]), recipients, float(env["arrival"]),
                              str(env["origin"]), message_id=str(env.get("message_id", "")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # Not one of ours, or damaged: keep it aside for a person, never deliver it half-read.
            aside = self._root.parent / "queue-damaged"
            aside.mkdir(exist_ok=True)
            os.replace(path, aside / path.name)
            reason = str(exc) if isinstance(exc, ValueError) and str(exc).startswith(("truncated", "no envelope")) \
                else f"unreadable envelope ({exc.__class__.__name__})"
            self.damaged.append((path.name, reason))
            return None
