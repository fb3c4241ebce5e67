"""Live mode's mailboxes on disk: one Maildir++ per account, served by the simulation's IMAP and POP3 machines.

``MaildirStore`` is a :class:`~simulator.protocols.mailstore.MailStore`: the
sans-I/O servers see the same model as in the simulation, and this module
fills in its persistence hooks, each of which writes *before* the change
becomes visible (so the MX says 250, and IMAP says OK, only for what is on
disk). On disk, under ``DATA/<scenario>/mail/<address>/``::

    cur/ new/ tmp/                 INBOX, a Maildir
    .Sent/ .Drafts/ .Trash/ .Junk/ the special-use folders (RFC 6154), Maildir++ style;
    .Work.2026/                    "Work.2026": "." separates levels, as in Dovecot
    smtpsim-uidlist                in each folder: its UIDs (see simulator.live.uidlist)
    dovecot-keywords               in each folder: keyword letters a-z (Maildir++ as Dovecot keeps it)
    subscriptions                  the subscribed names, one per line
    smtpsim-uidvalidity            the last UIDVALIDITY handed out, so a recreated folder gets a new one

A message file is ``<time>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<size with CRLF>`` plus the
info suffix ``:2,<flags>`` once it has flags: ``D`` draft, ``F`` flagged,
``R`` answered, ``S`` seen, ``T`` deleted (trashed), and a letter ``a``-``z``
per keyword. New mail lands in ``new/`` (it is ``\\Recent``) and moves to
``cur/`` when a session claims it or its flags change. Files are written in
``tmp/``, fsync'd and linked into place; files keep LF line ends, as Maildir
readers expect, and the store hands out CRLF. INTERNALDATE is the file's
modification time. Contents are read from disk when asked for, not kept in
memory.
"""

from __future__ import annotations

import bisect
import contextlib
import glob
import hashlib
import itertools
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from simulator.delivery.site import Durable
from simulator.live import crashpoints
from simulator.live.durable import fsync_directory, write_atomic, write_once
from simulator.live.uidlist import FILENAME as UIDLIST, UidList
from simulator.protocols.imap._dates import format_date_time, parse_date_time
from simulator.protocols.mailstore import (
    INBOX,
    SPECIAL_USE,
    Change,
    ChangeKind,
    Mailbox,
    MailStore,
    Problem,
    StoredMessage,
    StoreError,
    _Account,
    normalize_crlf,
)
from simulator.scenario.model import Account

__all__ = ["KEYWORDS", "MaildirMailbox", "MaildirMessage", "MaildirStore", "safe_name"]

KEYWORDS = "dovecot-keywords"
SUBSCRIPTIONS = "subscriptions"
UIDVALIDITY = "smtpsim-uidvalidity"
LEGACY_INDEX = ".smtpsim-uids.json"  # before folders: INBOX only, rewritten on every change
_FLAG_LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"}
_LETTER_FLAGS = {v: k for k, v in _FLAG_LETTERS.items()}
_VSIZE = re.compile(r",W=(\d+)")
_HOST = re.sub(r"[/:\\,]", "_", socket.gethostname()) or "localhost"


def keyed_name(key: str) -> str:
    """The file name of a keyed delivery: the same key, the same name."""
    return f"smtpsim-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


def safe_name(address: str) -> str:
    """A directory name for an address: lower case, nothing that could climb out."""
    name = re.sub(r"[^a-z0-9@._+-]", "_", address.lower())
    return "_" + name if name.startswith(".") or not name else name


class _AlreadyStored(Exception):
    """A keyed delivery found its file already in place."""


def _storage_error(exc: OSError) -> StoreError:
    return StoreError(Problem.STORAGE, f"Mailbox storage failed: {exc.strerror or exc}")


def _storage_error_os(exc: OSError) -> OSError:
    """What the MX sees of a failed write: the same errno (a full disk is 452), a plain sentence."""
    return OSError(exc.errno, f"Mailbox storage failed: {exc.strerror or exc}")


def _listed_or_undone(listed: UidList, uid: int, key: str, path: Path) -> None:
    """Write the UID line of a message just linked as ``path``; if that fails, unlink it again.

    Either the message is there with its UID, or it is not there (and the MX does not say 250).
    """
    try:
        listed.write_line(uid, key)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
            fsync_directory(path.parent)
        raise


def _reraised(exc: StoreError) -> OSError:
    cause = exc.__cause__
    return OSError(cause.errno if isinstance(cause, OSError) else None, exc.text)


class MaildirMessage(StoredMessage):
    """A message whose octets stay in its file; ``path`` follows the renames."""

    __slots__ = ("key", "path", "vsize")

    def __init__(self, uid: int, path: Path, vsize: int, flags: Iterable[str], internal_date: str) -> None:
        super().__init__(uid, b"", flags, internal_date)
        self.path = path
        self.key = path.name.split(":", 1)[0]
        self.vsize = vsize

    @property
    def content(self) -> bytes:
        try:
            return normalize_crlf(self.path.read_bytes())
        except OSError:
            return b""  # removed behind our back; the next open drops it

    @property
    def size(self) -> int:
        return self.vsize


class MaildirMailbox(Mailbox):
    """One folder: a Maildir with its UID list and keyword letters."""

    max_keywords = 26  # one letter each, a-z

    def __init__(self, root: Path, name: str, new_uidvalidity: Callable[[], int],
                 clock: Callable[[], str]) -> None:
        self.root = root
        try:
            for sub in ("tmp", "new", "cur"):
                (root / sub).mkdir(parents=True, exist_ok=True)
            if name != INBOX and not (root / "maildirfolder").exists():
                (root / "maildirfolder").touch()  # Maildir++: this directory is a folder
            uidlist = self._load_uidlist(new_uidvalidity)
        except OSError as exc:
            raise _storage_error(exc) from exc
        super().__init__(name, uidlist.uidvalidity, clock=clock)
        self._uidlist = uidlist
        self.keywords = self._read_keywords()
        self._in_new: dict[int, MaildirMessage] = {}  # \Recent on disk: still in new/, by ascending UID
        self._pending_key: str | None = None  # the file name append_keyed asks for
        self._in_flight: set[str] = set()  # keys of deliveries prepared, not yet committed
        self._load_messages()

    def get(self, uid: int) -> StoredMessage | None:
        """The message with ``uid``; None, and expunged for every session, if its file was removed.

        Someone removed the file behind our back (``rm``, another Maildir program). The sessions
        hear an EXPUNGE when they may (RFC 9051 §7.5.1), and a FETCH of it meanwhile answers
        ``[EXPUNGEISSUED]`` (§7.1), much as Dovecot does.
        """
        message = super().get(uid)
        if isinstance(message, MaildirMessage) and not message.path.exists() and not self._found(message):
            self.expunge([message])
            return None
        return message

    def _found(self, message: MaildirMessage) -> bool:
        """Look for a message renamed by another Maildir reader (new/ to cur/, other flags)."""
        for path in [self.root / "new" / message.key, *(self.root / "cur").glob(f"{glob.escape(message.key)}:*")]:
            if path.exists():
                message.path = path
                return True
        return False

    # --- opening ---------------------------------------------------------------------------------

    def _load_uidlist(self, new_uidvalidity: Callable[[], int]) -> UidList:
        path = self.root / UIDLIST
        if path.exists():
            return UidList.load(path, new_uidvalidity)
        legacy = self.root / LEGACY_INDEX
        if legacy.exists():
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
                data = json.loads(legacy.read_text(encoding="utf-8"))
                listed = UidList(path, int(data["uidvalidity"]), int(data["uidnext"]),
                                 {str(k): int(v) for k, v in data["uids"].items()}, dirty=True)
                listed.compact()
                legacy.unlink()
                return listed
        return UidList(path, new_uidvalidity(), dirty=True)

    def _load_messages(self) -> None:
        found: list[tuple[float, str, Path, bool]] = []
        for sub in ("new", "cur"):
            for entry in os.scandir(self.root / sub):
                if entry.is_file() and not entry.name.startswith("."):
                    found.append((entry.stat().st_mtime, entry.name, Path(entry.path), sub == "new"))
        found.sort()
        listed = self._uidlist
        listed.keep_only({name.split(":", 1)[0] for _, name, _, _ in found})
        loaded: list[MaildirMessage] = []
        for mtime, name, path, in_new in found:
            key, _, info = name.partition(":")
            uid = listed.uids.get(key) or listed.assign(key)
            flags = self._flags_of(info)
            match = _VSIZE.search(key)
            vsize = int(match.group(1)) if match else len(normalize_crlf(path.read_bytes()))
            date = format_date_time(datetime.fromtimestamp(mtime, timezone.utc))
            message = MaildirMessage(uid, path, vsize, flags, date)
            loaded.append(message)
        loaded.sort(key=lambda m: m.uid)
        self._in_new = {m.uid: m for m in loaded if m.path.parent.name == "new"}
        self.messages = list[StoredMessage](loaded)
        self._by_uid = {m.uid: m for m in loaded}
        self.uidnext = listed.uidnext
        # Maildir's convention: what is still in new/ has not been seen by any session.
        self.first_recent_uid = next(iter(self._in_new), self.uidnext)
        if listed.dirty:
            try:
                listed.compact()
            except OSError as exc:
                raise _storage_error(exc) from exc

    def _read_keywords(self) -> list[str]:
        try:
            text = (self.root / KEYWORDS).read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            return []
        table: dict[int, str] = {}
        for line in text.splitlines():
            index, _, word = line.partition(" ")
            if index.isdigit() and int(index) < self.max_keywords and word:
                table[int(index)] = word
        return [table[i] for i in range(len(table)) if i in table]

    def _flags_of(self, info: str) -> set[str]:
        if not info.startswith("2,"):
            return set()
        flags = set()
        for letter in info[2:]:
            if letter in _LETTER_FLAGS:
                flags.add(_LETTER_FLAGS[letter])
            elif "a" <= letter <= "z" and ord(letter) - ord("a") < len(self.keywords):
                flags.add(self.keywords[ord(letter) - ord("a")])
        return flags

    def _info(self, flags: Iterable[str]) -> str:
        system = sorted(_FLAG_LETTERS[f] for f in flags if f in _FLAG_LETTERS)
        words = sorted(chr(ord("a") + self.keywords.index(f)) for f in flags if f in self.keywords)
        return "2," + "".join(system + words)

    # --- the persistence hooks -------------------------------------------------------------------

    def append_keyed(self, content: bytes, internal_date: str, name: str) -> StoredMessage | None:
        """``append`` under the file name ``name``; None, writing nothing, when it is here already.

        The MX names a delivery after the sender's queue entry and the recipient, so a message
        offered again after a crash (the sender never noted our 250) is stored once.
        """
        if name in self._uidlist.uids:  # one lookup, whatever the folder's size
            return None
        self._pending_key = name
        try:
            return self.append(content, internal_date)
        except _AlreadyStored:
            return None
        finally:
            self._pending_key = None

    def deliver_later(self, content: bytes, internal_date: str, name: str | None,
                      done: Callable[[StoredMessage | None], None]) -> Durable:
        """A delivery to do off the event loop: ``write`` on the writer thread, then ``commit`` here.

        Its UID is taken now, so deliveries get UIDs in the order they arrived. ``done`` hears the
        stored message, or None when a keyed delivery was here already (nothing written).
        """
        if self._uidlist.dirty:
            self._uidlist.compact()  # rare (an unreadable list at open): on this thread, before any append
        if name is not None and (name in self._uidlist.uids or name in self._in_flight):
            return Durable(lambda: None, lambda: done(None))
        content = normalize_crlf(content)
        data = content.replace(b"\r\n", b"\n")
        when = parse_date_time(internal_date)
        stamp = when.timestamp() if when else time.time()
        key = name or self._new_key(len(data), len(content))
        uid = self.uidnext
        self.uidnext += 1
        self._in_flight.add(key)
        root, listed, written = self.root, self._uidlist, [False]

        def write() -> None:
            try:
                if write_once(root / "tmp", root / "new", key, data, mtime=stamp):
                    crashpoints.reached(crashpoints.CrashPoint.STORED)  # in the Maildir, not in the UID list
                    _listed_or_undone(listed, uid, key, root / "new" / key)
                    crashpoints.reached(crashpoints.CrashPoint.LISTED)
                    written[0] = True
                elif (root / "new" / key).exists() and key not in listed.uids:
                    # Linked by an attempt whose UID line failed (a full disk): list it now.
                    listed.write_line(uid, key)
                    written[0] = True
            except OSError as exc:
                raise _storage_error_os(exc) from exc
            finally:
                if not written[0]:
                    self._in_flight.discard(key)

        def commit() -> None:
            self._in_flight.discard(key)
            done(self._commit(uid, key, len(content), internal_date) if written[0] else None)

        return Durable(write, commit)

    def _commit(self, uid: int, key: str, vsize: int, internal_date: str) -> MaildirMessage:
        if self.messages and self.messages[-1].uid > uid:
            # A later message became visible first (an IMAP APPEND meanwhile): UIDs must only
            # grow (RFC 9051 §2.3.1.1), so this one takes the next; its last line wins on disk.
            uid = self.uidnext
            self.uidnext += 1
            self._uidlist.append(uid, key)
        else:
            self._uidlist.note(uid, key)
        message = MaildirMessage(uid, self.root / "new" / key, vsize, (), internal_date)
        self._in_new[uid] = message
        self.messages.insert(bisect.bisect(self.messages, uid, key=lambda m: m.uid), message)
        self._by_uid[uid] = message
        self._tell([Change(ChangeKind.ADDED, uid)], None)
        return message

    def _persist_append(self, uid: int, content: bytes, flags: frozenset[str], internal_date: str) -> StoredMessage:
        data = content.replace(b"\r\n", b"\n")
        when = parse_date_time(internal_date)
        stamp = when.timestamp() if when else time.time()
        key = self._pending_key or self._new_key(len(data), len(content))
        folder, name = (self.root / "cur", f"{key}:{self._info(flags)}") if flags else (self.root / "new", key)
        try:
            # In tmp/, fsync'd, linked into place (never over a file of that name), directory fsync'd.
            written = write_once(self.root / "tmp", folder, name, data, mtime=stamp)
            if not written:
                raise _AlreadyStored(name)
            if self._uidlist.dirty:
                self._uidlist.compact()
            _listed_or_undone(self._uidlist, uid, key, folder / name)
            self._uidlist.note(uid, key)
        except OSError as exc:
            raise _storage_error(exc) from exc
        message = MaildirMessage(uid, folder / name, len(content), flags, internal_date)
        if not flags:
            self._in_new[uid] = message
        return message

    @staticmethod
    def _new_key(size: int, vsize: int) -> str:
        now = time.time()
        return f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{next(_COUNTER)}.{_HOST},S={size},W={vsize}"

    def _persist_flags(self, message: StoredMessage, flags: frozenset[str]) -> None:
        assert isinstance(message, MaildirMessage)
        self._move_to_cur(message, flags)

    def _move_to_cur(self, message: MaildirMessage, flags: Iterable[str]) -> None:
        target = self.root / "cur" / f"{message.key}:{self._info(flags)}"
        if target == message.path:
            return
        try:
            os.rename(message.path, target)
        except FileNotFoundError:
            pass  # removed behind our back
        except OSError as exc:
            raise _storage_error(exc) from exc
        message.path = target
        self._in_new.pop(message.uid, None)

    def _persist_expunge(self, messages: list[StoredMessage]) -> None:
        for message in messages:
            assert isinstance(message, MaildirMessage)
            try:
                os.unlink(message.path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise _storage_error(exc) from exc
            self._in_new.pop(message.uid, None)
        # The UID list keeps their lines until the folder is next opened (compaction).

    def _persist_keywords(self, keywords: list[str]) -> None:
        text = "".join(f"{i} {word}\n" for i, word in enumerate(keywords))
        try:
            write_atomic(self.root / KEYWORDS, text.encode("utf-8", "surrogateescape"))
        except OSError as exc:
            raise _storage_error(exc) from exc

    def _persist_recent(self, first_recent_uid: int) -> None:
        # Claimed by a session: no longer new, so out of new/ (what a Maildir reader does).
        while self._in_new:
            uid, message = next(iter(self._in_new.items()))
            if uid >= first_recent_uid:
                break
            try:
                self._move_to_cur(message, message.flags)
            except StoreError:
                self._in_new.pop(uid)  # best effort: \Recent is a hint, not data


_COUNTER = itertools.count(1)  # the Q part of new file names: unique within this process


class MaildirStore(MailStore):
    """The scenario's accounts, each a Maildir++ under ``root``."""

    def __init__(self, root: Path, accounts: Iterable[Account] = (), clock: Callable[[], str] | None = None) -> None:
        super().__init__(clock or (lambda: format_date_time(datetime.now(timezone.utc))))
        self.root = root
        self._homes: dict[str, Path] = {}
        self._by_address: dict[str, str] = {}
        root.mkdir(parents=True, exist_ok=True)
        for account in accounts:
            self.add_account(account.username, account.password, address=account.address)

    def add_account(self, username: str, password: str, *, address: str | None = None) -> None:
        self._homes.setdefault(username, self.root / safe_name(address or username))
        super().add_account(username, password)
        if address:
            self._by_address[address.lower()] = username

    def deliver(self, username: str, content: bytes, internal_date: str) -> StoredMessage:
        """As MailStore.deliver; a disk failure is an OSError (the MX answers 451 to it, 452 to a full disk)."""
        try:
            return super().deliver(username, content, internal_date)
        except StoreError as exc:
            raise _reraised(exc) from exc

    def deliver_once(self, username: str, content: bytes, internal_date: str,
                     key: str | None) -> StoredMessage | None:
        """Deliver; with a ``key``, only once: None when the message with that key is here already."""
        if key is None:
            return self.deliver(username, content, internal_date)
        box = self.mailbox(username)
        if box is None:
            raise KeyError(f"no such account: {username!r}")
        assert isinstance(box, MaildirMailbox)
        try:
            return box.append_keyed(content, internal_date, keyed_name(key))
        except StoreError as exc:
            raise _reraised(exc) from exc

    def deliver_later(self, username: str, content: bytes, internal_date: str, key: str | None,
                      done: Callable[[StoredMessage | None], None]) -> Durable:
        """``deliver_once`` as a ``Durable``: the disk work for the writer thread, then the commit."""
        box = self.mailbox(username)
        if box is None:
            raise KeyError(f"no such account: {username!r}")
        assert isinstance(box, MaildirMailbox)
        try:
            return box.deliver_later(content, internal_date, keyed_name(key) if key else None, done)
        except StoreError as exc:
            raise _reraised(exc) from exc

    # What simulator.actors.servers.InboundPolicy asks a store.
    def has_mailbox(self, address: str) -> bool:
        return address.lower() in self._by_address

    def username_for(self, address: str) -> str | None:
        return self._by_address.get(address.lower())

    # --- the persistence hooks -------------------------------------------------------------------

    def _load_account(self, username: str, account: _Account) -> None:
        home = self._homes[username]
        try:
            home.mkdir(parents=True, exist_ok=True)
            text = (home / UIDVALIDITY).read_text(encoding="ascii").strip() if (home / UIDVALIDITY).exists() else ""
            account.uidvalidity = int(text) if text.isdigit() else 0
            names = [INBOX] + sorted(e.name[1:] for e in os.scandir(home)
                                     if e.is_dir() and e.name.startswith(".") and (Path(e.path) / "cur").is_dir())
        except OSError as exc:
            raise _storage_error(exc) from exc
        for name in names:
            box = self._new_mailbox(username, name, 0, account)
            account.mailboxes[name] = box
            account.uidvalidity = max(account.uidvalidity, box.uidvalidity)
        for name in (INBOX, *SPECIAL_USE):
            if name not in account.mailboxes:
                self._create(username, account, name)
        subscribed = home / SUBSCRIPTIONS
        if subscribed.exists():
            lines = subscribed.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
            account.subscriptions = {line for line in lines if line}
        else:
            account.subscriptions = {INBOX, *SPECIAL_USE}
            self._save_subscriptions(username, account.subscriptions)

    def _next_uidvalidity(self, username: str, last: int) -> int:
        # Time-based, as Dovecot does, and above every value used before (RFC 3501 §2.3.1.1).
        value = max(last + 1, int(time.time()))
        try:
            write_atomic(self._homes[username] / UIDVALIDITY, f"{value}\n".encode())
        except OSError as exc:
            raise _storage_error(exc) from exc
        return value

    def _new_mailbox(self, username: str, name: str, uidvalidity: int,
                     account: _Account | None = None) -> Mailbox:
        def fresh() -> int:
            if uidvalidity:
                return uidvalidity
            assert account is not None
            account.uidvalidity = self._next_uidvalidity(username, account.uidvalidity)
            return account.uidvalidity

        return MaildirMailbox(self._folder(username, name), name, fresh, self.now)

    def _folder(self, username: str, name: str) -> Path:
        home = self._homes[username]
        return home if name == INBOX else home / f".{name}"

    def _drop(self, username: str, box: Mailbox) -> None:
        assert isinstance(box, MaildirMailbox)
        try:
            shutil.rmtree(box.root)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _storage_error(exc) from exc

    def _rename(self, username: str, box: Mailbox, new: str) -> None:
        assert isinstance(box, MaildirMailbox)
        target = self._folder(username, new)
        try:
            os.rename(box.root, target)
        except OSError as exc:
            raise _storage_error(exc) from exc
        box.root = target
        box._uidlist.path = target / UIDLIST
        for message in box.messages:
            assert isinstance(message, MaildirMessage)
            message.path = target / message.path.parent.name / message.path.name

    def _save_subscriptions(self, username: str, names: set[str]) -> None:
        text = "".join(f"{name}\n" for name in sorted(names))
        try:
            write_atomic(self._homes[username] / SUBSCRIPTIONS, text.encode("utf-8", "surrogateescape"))
        except OSError as exc:
            raise _storage_error(exc) from exc
