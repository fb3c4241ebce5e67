"""The mail store the IMAP and POP3 servers work on: the model, and an in-memory store.

The app owns the store: it creates accounts and delivers messages (the
simulation's final-delivery step, or live mode's MX, calls
:meth:`MailStore.deliver`). The server machines read it and change it
through the methods below, and nothing else: each change is kept here and
told to every *watcher* of the mailbox (an IMAP session that has it
selected), so several sessions on one mailbox see each other's changes
without anyone polling (RFC 3501 §5.2, §7.4.1; RFC 2177).

This module does no I/O. A store that keeps mail on disk (live mode's
Maildir) subclasses :class:`MailStore` and :class:`Mailbox` and fills in the
``_persist_*`` hooks, which run *before* a change becomes visible, so a
change that could not be written is never reported. Disk errors come back as
:class:`StoreError` with :attr:`Problem.STORAGE`.

There is no clock here either: dates are RFC 3501 ``date-time`` strings the
app hands in, or ``now()``, which asks the clock the app gave the store.
"""

from __future__ import annotations

import hmac
import re
from collections import deque
from collections.abc import Callable, Iterable
from enum import Enum

__all__ = [
    "DELIMITER",
    "INBOX",
    "SPECIAL_USE",
    "SYSTEM_FLAGS",
    "Change",
    "ChangeKind",
    "FlagOp",
    "MailStore",
    "Mailbox",
    "Problem",
    "StoreError",
    "StoredMessage",
    "Watcher",
    "normalize_crlf",
    "normalize_name",
]

INBOX = "INBOX"
DELIMITER = "."  # the hierarchy delimiter: Maildir++ (and Dovecot's default on Maildir)
# RFC 6154 §2: the folders every account gets, and the attribute LIST shows for each.
SPECIAL_USE: dict[str, str] = {"Drafts": "\\Drafts", "Sent": "\\Sent", "Junk": "\\Junk", "Trash": "\\Trash"}
SYSTEM_FLAGS = ("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft")  # RFC 3501 §2.3.2, less \Recent
MAX_NAME = 200  # octets of a mailbox name
_MUTF7_SHIFT = re.compile(r"&([A-Za-z0-9+,]*)-")


def normalize_crlf(content: bytes) -> bytes:
    """Return ``content`` with every line ending as CRLF.

    Sizes reported by RFC822.SIZE, STAT and LIST are counted on the CRLF
    form, as RFC 1939 section 11 requires, so the store keeps only that form.
    """
    return content.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def normalize_name(name: str) -> str:
    """``name`` with its INBOX part spelled ``INBOX`` (RFC 3501 §5.1: INBOX is case-insensitive)."""
    head, sep, rest = name.partition(DELIMITER)
    return INBOX + sep + rest if head.upper() == INBOX else name



def _no_clock() -> str:
    # A store given no clock (tests, a refusal that reads nothing) dates what it gets at the Unix epoch;
    # the simulation and live mode always pass their own clock.
    return "01-Jan-1970 00:00:00 +0000"

class Problem(Enum):
    """Why the store refused an operation; each protocol words it (IMAP: a response code)."""

    NO_SUCH_MAILBOX = "no such mailbox"
    ALREADY_EXISTS = "already exists"
    NOT_ALLOWED = "not allowed"  # INBOX cannot be deleted, a bad name ...
    LIMIT = "limit"  # too many keywords for the storage
    STORAGE = "storage"  # the disk said no


class StoreError(Exception):
    def __init__(self, problem: Problem, text: str) -> None:
        super().__init__(text)
        self.problem = problem
        self.text = text


class StoredMessage:
    """One message in a mailbox. ``flags`` are the permanent flags: system flags and keywords.

    ``\\Recent`` is not among them: it belongs to one session (RFC 3501
    §2.3.2), so the mailbox tracks it with ``first_recent_uid``. Flags change
    only through :meth:`Mailbox.store_flags`, which tells the other sessions.
    """

    __slots__ = ("_content", "flags", "internal_date", "uid")

    def __init__(self, uid: int, content: bytes, flags: Iterable[str], internal_date: str) -> None:
        self.uid = uid
        self._content = content
        self.flags: frozenset[str] = frozenset(flags)
        self.internal_date = internal_date

    @property
    def content(self) -> bytes:
        """The message with CRLF line ends, as IMAP and POP3 send it."""
        return self._content

    @property
    def size(self) -> int:
        """Octets on the wire (RFC822.SIZE, POP3 scan listings)."""
        return len(self._content)


class ChangeKind(Enum):
    ADDED = "added"  # a new message (delivery, APPEND, COPY, MOVE)
    EXPUNGED = "expunged"
    FLAGS = "flags"  # a message's flags changed
    KEYWORDS = "keywords"  # a keyword the mailbox did not know yet
    DELETED = "deleted"  # the mailbox itself is gone


class Change:
    __slots__ = ("kind", "uid")

    def __init__(self, kind: ChangeKind, uid: int = 0) -> None:
        self.kind = kind
        self.uid = uid

    def __repr__(self) -> str:
        return f"Change({self.kind.name}, {self.uid})"


class Watcher:
    """One session's subscription to a mailbox's changes.

    Changes made by others queue up in ``pending`` until the session takes
    them (at a command boundary, or when ``on_change`` wakes an IDLE).
    """

    def __init__(self, mailbox: Mailbox, on_change: Callable[[], None] | None = None) -> None:
        self.mailbox = mailbox
        self.on_change = on_change
        self.pending: deque[Change] = deque()

    def take(self) -> list[Change]:
        changes = list(self.pending)
        self.pending.clear()
        return changes

    def close(self) -> None:
        self.mailbox.unwatch(self)


class FlagOp(Enum):
    REPLACE = "FLAGS"
    ADD = "+FLAGS"
    REMOVE = "-FLAGS"


class Mailbox:
    """A mailbox with RFC 3501 unique identifiers (§2.3.1.1), watched by the sessions that select it."""

    max_keywords: int | None = None  # how many keywords the storage can keep (None: no limit)

    def __init__(self, name: str = INBOX, uidvalidity: int = 1, uidnext: int = 1,
                 clock: Callable[[], str] | None = None) -> None:
        self.name = name
        self.uidvalidity = uidvalidity
        self.uidnext = uidnext
        self.messages: list[StoredMessage] = []  # ascending UID, as sequence numbers start
        self._by_uid: dict[int, StoredMessage] = {}
        # Messages with uid >= this are \Recent for the next session that claims them.
        self.first_recent_uid = 1
        self.keywords: list[str] = []  # in the order they were first used (the FLAGS response)
        self.deleted = False
        self._watchers: list[Watcher] = []
        self._clock = clock or _no_clock

    # --- reading ---------------------------------------------------------------------------------

    def get(self, uid: int) -> StoredMessage | None:
        return self._by_uid.get(uid)

    def recent_uids(self) -> set[int]:
        """UIDs that are \\Recent right now, without claiming them."""
        if self.first_recent_uid >= self.uidnext:
            return set()
        return {m.uid for m in self.messages if m.uid >= self.first_recent_uid}

    def claim_recent(self) -> set[int]:
        """Return the \\Recent UIDs and clear them for every later session."""
        recent = self.recent_uids()
        self._take_recent(self.uidnext)
        return recent

    def claim_one(self, uid: int) -> bool:
        """Claim ``uid`` as \\Recent for the caller if no session has yet (it arrived meanwhile)."""
        if uid < self.first_recent_uid:
            return False
        self._take_recent(uid + 1)
        return True

    def _take_recent(self, first: int) -> None:
        if first > self.first_recent_uid:
            self._persist_recent(first)
            self.first_recent_uid = first

    def unseen_count(self) -> int:
        return sum(1 for m in self.messages if "\\Seen" not in m.flags)

    def permanent_keyword(self, word: str) -> str:
        """The spelling the mailbox knows ``word`` by (keywords match case-insensitively)."""
        folded = word.casefold()
        return next((k for k in self.keywords if k.casefold() == folded), word)

    # --- watching --------------------------------------------------------------------------------

    def watch(self, on_change: Callable[[], None] | None = None) -> Watcher:
        watcher = Watcher(self, on_change)
        self._watchers.append(watcher)
        return watcher

    def unwatch(self, watcher: Watcher) -> None:
        if watcher in self._watchers:
            self._watchers.remove(watcher)

    def _tell(self, changes: list[Change], origin: Watcher | None) -> None:
        for watcher in list(self._watchers):
            if watcher is origin or not changes:
                continue
            watcher.pending.extend(changes)
            if watcher.on_change is not None:
                watcher.on_change()

    # --- changing --------------------------------------------------------------------------------

    def now(self) -> str:
        return self._clock()

    def append(self, content: bytes, internal_date: str | None = None, flags: Iterable[str] = (),
               origin: Watcher | None = None) -> StoredMessage:
        """Add a message with the next UID (delivery, APPEND, COPY) and tell the watchers."""
        flags = frozenset(self._known_flags(flags))
        self._register_keywords(flags, origin)
        message = self._persist_append(self.uidnext, normalize_crlf(content), flags,
                                       internal_date or self.now())
        self.uidnext = message.uid + 1
        self.messages.append(message)
        self._by_uid[message.uid] = message
        self._tell([Change(ChangeKind.ADDED, message.uid)], origin)
        return message

    def store_flags(self, messages: Iterable[StoredMessage], op: FlagOp, flags: Iterable[str],
                    origin: Watcher | None = None) -> list[StoredMessage]:
        """Change flags (STORE, or \\Seen set by FETCH BODY[]); return the messages that changed."""
        wanted = frozenset(self._known_flags(flags))
        self._register_keywords(wanted, origin)
        changed: list[StoredMessage] = []
        try:
            for message in messages:
                if self._by_uid.get(message.uid) is not message:
                    continue  # expunged meanwhile
                if op is FlagOp.REPLACE:
                    new = wanted
                elif op is FlagOp.ADD:
                    new = message.flags | wanted
                else:
                    new = message.flags - wanted
                if new != message.flags:
                    self._persist_flags(message, new)
                    message.flags = new
                    changed.append(message)
        finally:  # what was written is told, even if a later write failed
            self._tell([Change(ChangeKind.FLAGS, m.uid) for m in changed], origin)
        return changed

    def expunge(self, messages: Iterable[StoredMessage], origin: Watcher | None = None) -> list[StoredMessage]:
        """Remove messages (IMAP EXPUNGE/CLOSE/MOVE, POP3 UPDATE); return those that were still here."""
        doomed = [m for m in messages if self._by_uid.get(m.uid) is m]
        if not doomed:
            return []
        self._persist_expunge(doomed)
        gone = {m.uid for m in doomed}
        for uid in gone:
            del self._by_uid[uid]
        self.messages = [m for m in self.messages if m.uid not in gone]
        self._tell([Change(ChangeKind.EXPUNGED, m.uid) for m in doomed], origin)
        return doomed

    def remove(self, messages: Iterable[StoredMessage]) -> int:
        """Remove the given messages; return how many went (POP3's UPDATE state)."""
        return len(self.expunge(messages))

    def mark_deleted(self) -> None:
        """The mailbox was deleted: every session that has it selected must learn so."""
        self.deleted = True
        self._tell([Change(ChangeKind.DELETED)], None)

    def _known_flags(self, flags: Iterable[str]) -> set[str]:
        """System flags in their RFC spelling, keywords as the mailbox knows them."""
        out = set()
        system = {f.upper(): f for f in SYSTEM_FLAGS}
        for flag in flags:
            if flag.startswith("\\"):
                if flag.upper() in system:
                    out.add(system[flag.upper()])
            else:
                out.add(self.permanent_keyword(flag))
        return out

    def _register_keywords(self, flags: frozenset[str], origin: Watcher | None) -> None:
        new = sorted(f for f in flags if not f.startswith("\\") and f not in self.keywords)
        if not new:
            return
        if self.max_keywords is not None and len(self.keywords) + len(new) > self.max_keywords:
            raise StoreError(Problem.LIMIT, f"Too many keywords (at most {self.max_keywords} per mailbox)")
        self._persist_keywords([*self.keywords, *new])
        self.keywords.extend(new)
        # The session that added them announces FLAGS itself; tell the others.
        self._tell([Change(ChangeKind.KEYWORDS)], origin)

    # --- persistence hooks: an in-memory mailbox keeps nothing else ------------------------------

    def _persist_append(self, uid: int, content: bytes, flags: frozenset[str], internal_date: str) -> StoredMessage:
        return StoredMessage(uid, content, flags, internal_date)

    def _persist_flags(self, message: StoredMessage, flags: frozenset[str]) -> None:
        pass

    def _persist_expunge(self, messages: list[StoredMessage]) -> None:
        pass

    def _persist_keywords(self, keywords: list[str]) -> None:
        pass

    def _persist_recent(self, first_recent_uid: int) -> None:
        pass


class _Account:
    __slots__ = ("mailboxes", "password", "subscriptions", "uidvalidity")

    def __init__(self, password: str) -> None:
        self.password = password
        self.mailboxes: dict[str, Mailbox] = {}
        self.subscriptions: set[str] = set()
        self.uidvalidity = 0  # the last one handed out


class MailStore:
    """Accounts and their mailboxes, held in memory (the simulation's store).

    Every account has an INBOX and the special-use folders of
    :data:`SPECIAL_USE`, subscribed. Mailbox names are RFC 3501 §5.1 names:
    7-bit (modified UTF-7 for other characters, §5.1.3), ``.`` between levels.
    """

    delimiter = DELIMITER

    def __init__(self, clock: Callable[[], str] | None = None) -> None:
        self._accounts: dict[str, _Account] = {}
        self.clock: Callable[[], str] = clock or _no_clock

    def now(self) -> str:
        """The current time as an IMAP date-time, from the app's clock."""
        return self.clock()

    # --- accounts --------------------------------------------------------------------------------

    def add_account(self, username: str, password: str) -> None:
        """Create an account with an INBOX and the special-use folders. Re-adding resets the password."""
        account = self._accounts.get(username)
        if account is None:
            account = self._accounts[username] = _Account(password)
            self._load_account(username, account)
        else:
            account.password = password

    def _load_account(self, username: str, account: _Account) -> None:
        """Fill a new account's mailboxes (a disk store reads them here)."""
        for name in (INBOX, *SPECIAL_USE):
            self._create(username, account, name)
            account.subscriptions.add(name)

    def authenticate(self, username: str, password: str) -> bool:
        """True when the account exists and the password matches."""
        account = self._accounts.get(username)
        # Compare even for unknown users so both failures cost the same.
        expected = account.password if account is not None else ""
        # surrogatepass: any str encodes, and equal bytes mean equal strings.
        same = hmac.compare_digest(
            expected.encode("utf-8", "surrogatepass"), password.encode("utf-8", "surrogatepass")
        )
        return account is not None and same

    def deliver(self, username: str, content: bytes, internal_date: str) -> StoredMessage:
        """Append a message to the INBOX of ``username``.

        Raises KeyError for an unknown account: deciding what to do about an
        unknown recipient belongs to the SMTP side, before delivery.
        """
        box = self.mailbox(username)
        if box is None:
            raise KeyError(f"no such account: {username!r}")
        return box.append(content, internal_date)

    # --- mailboxes -------------------------------------------------------------------------------

    def mailbox(self, username: str, name: str = INBOX) -> Mailbox | None:
        """The named mailbox of ``username``; INBOX matches case-insensitively."""
        account = self._accounts.get(username)
        if account is None:
            return None
        return account.mailboxes.get(normalize_name(name))

    def mailboxes(self, username: str) -> list[Mailbox]:
        """Every mailbox of the account, INBOX first, then by name."""
        account = self._accounts.get(username)
        if account is None:
            return []
        return sorted(account.mailboxes.values(), key=lambda b: (b.name != INBOX, b.name))

    @staticmethod
    def special_use(name: str) -> str | None:
        """The RFC 6154 attribute of a mailbox (``\\Sent`` ...), or None."""
        return SPECIAL_USE.get(name)

    def create_mailbox(self, username: str, name: str) -> Mailbox:
        """CREATE (RFC 3501 §6.3.3): missing superiors are created too; a trailing delimiter is dropped."""
        account = self._account(username)
        name = normalize_name(name.removesuffix(self.delimiter))
        check_name(name)
        if name in account.mailboxes or name == INBOX:
            raise StoreError(Problem.ALREADY_EXISTS, "Mailbox already exists")
        parts = name.split(self.delimiter)
        box = None
        for depth in range(1, len(parts) + 1):
            path = self.delimiter.join(parts[:depth])
            if path not in account.mailboxes:
                box = self._create(username, account, path)
        assert box is not None
        return box

    def delete_mailbox(self, username: str, name: str) -> None:
        """DELETE (RFC 3501 §6.3.4): a mailbox with inferiors loses its messages and leaves a
        non-selectable name behind; one that does not exist cannot be deleted."""
        account = self._account(username)
        name = normalize_name(name)
        if name == INBOX:
            raise StoreError(Problem.NOT_ALLOWED, "INBOX can't be deleted")
        box = account.mailboxes.get(name)
        if box is None:
            if self.has_children(username, name):
                raise StoreError(Problem.NOT_ALLOWED, "Mailbox has children, can't delete it")
            raise StoreError(Problem.NO_SUCH_MAILBOX, "Mailbox doesn't exist")
        self._drop(username, box)
        del account.mailboxes[name]
        box.mark_deleted()

    def rename_mailbox(self, username: str, old: str, new: str) -> None:
        """RENAME (RFC 3501 §6.3.5): inferiors move along; renaming INBOX moves its messages
        into a new mailbox and leaves INBOX empty."""
        account = self._account(username)
        old, new = normalize_name(old), normalize_name(new.removesuffix(self.delimiter))
        check_name(new)
        source = account.mailboxes.get(old)
        if source is None:
            raise StoreError(Problem.NO_SUCH_MAILBOX, "Mailbox doesn't exist")
        if new in account.mailboxes or new == INBOX:
            raise StoreError(Problem.ALREADY_EXISTS, "Target mailbox already exists")
        if new.startswith(old + self.delimiter):
            raise StoreError(Problem.NOT_ALLOWED, "Can't rename mailbox under itself")
        if old == INBOX:
            target = self.create_mailbox(username, new)
            for message in list(source.messages):
                target.append(message.content, message.internal_date, message.flags)
            source.expunge(list(source.messages))
            return
        moving = [(n, b) for n, b in account.mailboxes.items() if n == old or n.startswith(old + self.delimiter)]
        for name, box in sorted(moving):
            renamed = new + name[len(old):]
            self._rename(username, box, renamed)
            del account.mailboxes[name]
            box.name = renamed
            account.mailboxes[renamed] = box
            if name in account.subscriptions:
                account.subscriptions.discard(name)
                account.subscriptions.add(renamed)
        parents = new.split(self.delimiter)
        for depth in range(1, len(parents)):
            path = self.delimiter.join(parents[:depth])
            if path not in account.mailboxes:
                self._create(username, account, path)
        self._save_subscriptions(username, account.subscriptions)

    def has_children(self, username: str, name: str) -> bool:
        prefix = normalize_name(name) + self.delimiter
        return any(n.startswith(prefix) for n in self._account(username).mailboxes)

    # --- subscriptions (RFC 3501 §6.3.6, §6.3.7) ---------------------------------------------------

    def subscriptions(self, username: str) -> frozenset[str]:
        account = self._accounts.get(username)
        return frozenset(account.subscriptions) if account else frozenset()

    def subscribe(self, username: str, name: str) -> None:
        account = self._account(username)
        name = normalize_name(name)
        if name not in account.mailboxes:
            # RFC 3501 allows subscribing to a name that does not exist; Dovecot refuses it too.
            raise StoreError(Problem.NO_SUCH_MAILBOX, "Mailbox doesn't exist")
        if name not in account.subscriptions:
            self._save_subscriptions(username, account.subscriptions | {name})
            account.subscriptions.add(name)

    def unsubscribe(self, username: str, name: str) -> None:
        account = self._account(username)
        name = normalize_name(name)
        if name in account.subscriptions:
            self._save_subscriptions(username, account.subscriptions - {name})
            account.subscriptions.discard(name)

    # --- internals and persistence hooks -----------------------------------------------------------

    def _account(self, username: str) -> _Account:
        account = self._accounts.get(username)
        if account is None:
            raise StoreError(Problem.NO_SUCH_MAILBOX, "No such account")
        return account

    def _create(self, username: str, account: _Account, name: str) -> Mailbox:
        account.uidvalidity = self._next_uidvalidity(username, account.uidvalidity)
        box = self._new_mailbox(username, name, account.uidvalidity)
        account.mailboxes[name] = box
        return box

    def _next_uidvalidity(self, username: str, last: int) -> int:
        """A UIDVALIDITY above every one the account has used, so a recreated name gets a new one."""
        return last + 1

    def _new_mailbox(self, username: str, name: str, uidvalidity: int) -> Mailbox:
        return Mailbox(name, uidvalidity, clock=self.now)

    def _drop(self, username: str, box: Mailbox) -> None:
        pass

    def _rename(self, username: str, box: Mailbox, new: str) -> None:
        pass

    def _save_subscriptions(self, username: str, names: set[str]) -> None:
        pass


def check_name(name: str) -> None:
    """Raise StoreError unless ``name`` can be a mailbox name here (RFC 3501 §5.1, §5.1.3)."""
    problem = None
    if not name or len(name.encode("utf-8", "surrogateescape")) > MAX_NAME:
        problem = "Mailbox name is empty or too long"
    elif any(not 0x20 <= ord(c) < 0x7F for c in name):
        problem = "Mailbox name must be 7-bit (modified UTF-7, RFC 3501 section 5.1.3)"
    elif any(c in name for c in "%*/\\\""):
        problem = "Mailbox name contains a character that is not allowed"
    elif "" in name.split(DELIMITER):
        problem = "Mailbox name has an empty level"
    elif "&" in _MUTF7_SHIFT.sub("", name):
        problem = "Mailbox name is not valid modified UTF-7"
    if problem is not None:
        raise StoreError(Problem.NOT_ALLOWED, problem)
