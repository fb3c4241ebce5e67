"""Mailboxes on disk: one Maildir per account, read by the IMAP and POP3 state machines.

``MaildirStore`` is a :class:`~simulator.protocols.mailstore.MailStore` (the
four public methods keep their meaning), so the very IMAP and POP3 servers
of the simulation serve it. Everything is also in memory; the disk is the
truth across restarts:

    DATA/<scenario>/mail/<address>/{tmp,new,cur}   a Maildir
    DATA/<scenario>/mail/<address>/.smtpsim-uids.json
        UIDVALIDITY, UIDNEXT and each file's IMAP UID (RFC 3501 §2.3.1.1)

A message is written as a Maildir delivery agent writes it
(``simulator.live.durable.write_once``: a file in ``tmp``, fsync'd, linked
into ``new``, the directory fsync'd) before ``deliver`` returns, so the MX
says 250 only for mail on disk. ``deliver_once`` names the file after a key
(the sender's queue id and the recipient): offered again, the same message
is not stored twice. Files use LF line ends, as Maildir readers
expect; the store hands out CRLF, as IMAP and POP3 send it. Flags live in the
file name (``cur/KEY:2,S`` for \\Seen), as in any Maildir.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from simulator.live.durable import write_atomic, write_once
from simulator.mail.headers import EPOCH, imap_date
from simulator.protocols.mailstore import INBOX, Mailbox, MailStore, StoredMessage, normalize_crlf
from simulator.scenario.model import Account

INDEX = ".smtpsim-uids.json"
_FLAG_LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"}
_LETTER_FLAGS = {v: k for k, v in _FLAG_LETTERS.items()}
_EPOCH_TS = EPOCH.timestamp()  # the header helpers' time origin


def safe_name(address: str) -> str:
    """A directory name for an address: lower case, nothing that could climb out."""
    name = re.sub(r"[^a-z0-9@._+-]", "_", address.lower())
    return "_" + name if name.startswith(".") or not name else name


_SEQUENCE = itertools.count(1)


def _unique_name() -> str:
    """A new Maildir file name: time, process, a counter (the Maildir convention)."""
    return f"{int(time.time())}.P{os.getpid()}Q{next(_SEQUENCE)}.smtpsim"


def _keyed_name(key: str) -> str:
    """The file name of a keyed delivery: the same key, the same name."""
    return f"smtpsim-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


class _Flags(set[str]):
    """A message's flag set that renames its Maildir file when it changes."""

    def __init__(self, flags: Iterable[str], on_change: Callable[[], None]) -> None:
        super().__init__(flags)
        self._on_change = on_change

    def add(self, flag: str) -> None:
        if flag not in self:
            super().add(flag)
            self._on_change()

    def discard(self, flag: object) -> None:
        if flag in self:
            super().discard(flag)
            self._on_change()

    def remove(self, flag: str) -> None:
        super().remove(flag)
        self._on_change()

    def update(self, *others: Iterable[str]) -> None:
        before = len(self)
        super().update(*others)
        if len(self) != before:
            self._on_change()

    def clear(self) -> None:
        if self:
            super().clear()
            self._on_change()


@dataclass(eq=False)
class MaildirMessage(StoredMessage):
    path: Path = Path()  # where the file is now

    @property
    def key(self) -> str:
        return self.path.name.split(":", 1)[0]


class MaildirMailbox(Mailbox):
    """An INBOX whose messages are files in a Maildir."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("tmp", "new", "cur"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        uidvalidity, uidnext, uids = self._read_index()
        super().__init__(name=INBOX, uidvalidity=uidvalidity, uidnext=uidnext)
        found = []
        for sub in ("new", "cur"):
            for entry in os.scandir(root / sub):
                if entry.is_file() and not entry.name.startswith("."):
                    found.append((entry.stat().st_mtime, entry.name, Path(entry.path)))
        found.sort()
        loaded = []
        for mtime, name, path in found:
            key, _, info = name.partition(":")
            uid = uids.get(key)
            if uid is None or uid >= self.uidnext:  # not in the index (a crash after the write): a new UID
                uid = self.uidnext
                self.uidnext += 1
            flags = {_LETTER_FLAGS[c] for c in info[2:] if c in _LETTER_FLAGS} if info.startswith("2,") else set()
            content = normalize_crlf(path.read_bytes())
            loaded.append(self._message(uid, content, flags, imap_date(mtime - _EPOCH_TS), path))
        self.messages = sorted(loaded, key=lambda m: m.uid)
        self.first_recent_uid = self.uidnext  # nothing is \Recent after a restart
        self._write_index()

    def _message(self, uid: int, content: bytes, flags: set[str], date: str, path: Path) -> MaildirMessage:
        message = MaildirMessage(uid=uid, content=content, flags=set(), internal_date=date, path=path)
        message.flags = _Flags(flags, lambda: self._flags_changed(message))
        return message

    def append(self, content: bytes, internal_date: str, flags: Iterable[str] = ()) -> StoredMessage:
        """Write the message to disk (fsync'd), then add it with the next UID."""
        stored = self.append_once(content, internal_date, _unique_name(), flags)
        assert stored is not None  # a fresh name is never taken
        return stored

    def has(self, name: str) -> bool:
        return any(isinstance(m, MaildirMessage) and m.key == name for m in self.messages)

    def append_once(self, content: bytes, internal_date: str, name: str,
                    flags: Iterable[str] = ()) -> StoredMessage | None:
        """``append`` under the file name ``name``; None (nothing written) if that message is here already."""
        if self.has(name):
            return None
        content = normalize_crlf(content)
        if not write_once(self.root / "tmp", self.root / "new", name, content.replace(b"\r\n", b"\n")):
            return None
        message = self._message(self.uidnext, content, set(), internal_date, self.root / "new" / name)
        self.uidnext += 1
        self.messages.append(message)
        self._write_index()
        if flags:
            message.flags.update(flags)
        return message

    def remove(self, messages: Iterable[StoredMessage]) -> int:
        doomed = list(messages)
        for message in doomed:
            if isinstance(message, MaildirMessage):
                try:
                    os.unlink(message.path)
                except FileNotFoundError:
                    pass
        removed = super().remove(doomed)
        if removed:
            self._write_index()
        return removed

    def _flags_changed(self, message: MaildirMessage) -> None:
        letters = "".join(sorted(_FLAG_LETTERS[f] for f in message.flags if f in _FLAG_LETTERS))
        target = self.root / "cur" / f"{message.key}:2,{letters}"
        if target != message.path:
            try:
                os.rename(message.path, target)
                message.path = target
            except FileNotFoundError:
                pass  # removed meanwhile

    # --- the UID index ------------------------------------------------------------------------

    def _read_index(self) -> tuple[int, int, dict[str, int]]:
        try:
            data = json.loads((self.root / INDEX).read_text(encoding="utf-8"))
            return int(data["uidvalidity"]), int(data["uidnext"]), {str(k): int(v) for k, v in data["uids"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # New (or unreadable): a new UIDVALIDITY, so clients forget what they cached.
            return int(time.time()) & 0x7FFFFFFF or 1, 1, {}

    def _write_index(self) -> None:
        data = {"uidvalidity": self.uidvalidity, "uidnext": self.uidnext,
                "uids": {m.key: m.uid for m in self.messages if isinstance(m, MaildirMessage)}}
        write_atomic(self.root / INDEX, json.dumps(data).encode())


class MaildirStore(MailStore):
    """The scenario's accounts, each with a Maildir INBOX under ``root``."""

    def __init__(self, root: Path, accounts: Iterable[Account] = ()) -> None:
        super().__init__()
        self.root = root
        self._passwords: dict[str, str] = {}
        self._boxes: dict[str, MaildirMailbox] = {}
        root.mkdir(parents=True, exist_ok=True)
        for account in accounts:
            self.add_account(account.username, account.password, address=account.address)

    def add_account(self, username: str, password: str, *, address: str | None = None) -> None:
        self._passwords[username] = password
        if username not in self._boxes:
            self._boxes[username] = MaildirMailbox(self.root / safe_name(address or username))

    def authenticate(self, username: str, password: str) -> bool:
        expected = self._passwords.get(username)
        same = hmac.compare_digest((expected or "").encode("utf-8", "surrogatepass"),
                                   password.encode("utf-8", "surrogatepass"))
        return expected is not None and same

    def mailbox(self, username: str, name: str = INBOX) -> Mailbox | None:
        if name.upper() != INBOX:
            return None  # one mailbox per account, as in the simulation
        return self._boxes.get(username)

    def deliver(self, username: str, content: bytes, internal_date: str) -> StoredMessage:
        stored = self.deliver_once(username, content, internal_date, None)
        assert stored is not None
        return stored

    def deliver_once(self, username: str, content: bytes, internal_date: str,
                     key: str | None) -> StoredMessage | None:
        """Deliver; with a ``key``, only once: None when a message with that key is here already."""
        box = self._boxes.get(username)
        if box is None:
            raise KeyError(f"no such account: {username!r}")
        if key is None:
            return box.append(content, internal_date)
        return box.append_once(content, internal_date, _keyed_name(key))
