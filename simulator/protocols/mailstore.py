"""The mail store that the IMAP and POP3 servers read: pure in-memory data.

The app owns the store: it creates accounts and delivers messages (the
engine's final-delivery step calls :meth:`MailStore.deliver`). A server
session only reads it, sets flags and, for POP3's UPDATE state, removes
messages. There is no clock here: the app passes each message's internal
date as an RFC 3501 ``date-time`` string.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["INBOX", "MailStore", "Mailbox", "StoredMessage", "normalize_crlf"]

INBOX = "INBOX"


def normalize_crlf(content: bytes) -> bytes:
    """Return ``content`` with every line ending as CRLF.

    Sizes reported by RFC822.SIZE, STAT and LIST are counted on the CRLF
    form, as RFC 1939 section 11 requires, so the store keeps only that form.
    """
    return content.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


@dataclass(eq=False)
class StoredMessage:
    """One message in a mailbox. ``flags`` holds permanent IMAP flags only.

    ``\\Recent`` is not stored here: it belongs to one session (RFC 3501
    section 2.3.2), so the mailbox tracks it with ``first_recent_uid``.
    """

    uid: int
    content: bytes
    flags: set[str]
    internal_date: str

    @property
    def size(self) -> int:
        """Octets on the wire (RFC822.SIZE, POP3 scan listings)."""
        return len(self.content)


@dataclass(eq=False)
class Mailbox:
    """A mailbox with RFC 3501 unique identifiers (section 2.3.1.1)."""

    name: str = INBOX
    uidvalidity: int = 1
    uidnext: int = 1
    messages: list[StoredMessage] = field(default_factory=list)
    # Messages with uid >= this are \Recent for the next session that
    # SELECTs the mailbox read-write; that session then claims them.
    first_recent_uid: int = 1

    def append(
        self, content: bytes, internal_date: str, flags: Iterable[str] = ()
    ) -> StoredMessage:
        """Add a message with the next UID and return it."""
        message = StoredMessage(
            uid=self.uidnext,
            content=normalize_crlf(content),
            flags=set(flags),
            internal_date=internal_date,
        )
        self.uidnext += 1
        self.messages.append(message)
        return message

    def recent_uids(self) -> set[int]:
        """UIDs that are \\Recent right now, without claiming them."""
        return {m.uid for m in self.messages if m.uid >= self.first_recent_uid}

    def claim_recent(self) -> set[int]:
        """Return the \\Recent UIDs and clear them for every later session."""
        recent = self.recent_uids()
        self.first_recent_uid = self.uidnext
        return recent

    def remove(self, messages: Iterable[StoredMessage]) -> int:
        """Remove the given messages (by identity); return how many went."""
        doomed = {id(m) for m in messages}
        before = len(self.messages)
        self.messages = [m for m in self.messages if id(m) not in doomed]
        return before - len(self.messages)


@dataclass(eq=False)
class _Account:
    password: str
    mailboxes: dict[str, Mailbox]


class MailStore:
    """Accounts and their mailboxes, held in memory.

    Usable as is; an app may subclass it to back accounts differently, as
    long as the four public methods keep their meaning.
    """

    def __init__(self) -> None:
        self._accounts: dict[str, _Account] = {}

    def add_account(self, username: str, password: str) -> None:
        """Create an account with an empty INBOX. Re-adding resets the password."""
        account = self._accounts.get(username)
        if account is None:
            self._accounts[username] = _Account(password, {INBOX: Mailbox()})
        else:
            account.password = password

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

    def mailbox(self, username: str, name: str = INBOX) -> Mailbox | None:
        """The named mailbox of ``username``; INBOX matches case-insensitively."""
        account = self._accounts.get(username)
        if account is None:
            return None
        if name.upper() == INBOX:  # RFC 3501 section 5.1: INBOX is case-insensitive
            name = INBOX
        return account.mailboxes.get(name)

    def deliver(self, username: str, content: bytes, internal_date: str) -> StoredMessage:
        """Append a message to the INBOX of ``username``.

        Raises KeyError for an unknown account: deciding what to do about an
        unknown recipient belongs to the SMTP side, before delivery.
        """
        box = self.mailbox(username)
        if box is None:
            raise KeyError(f"no such account: {username!r}")
        return box.append(content, internal_date)
