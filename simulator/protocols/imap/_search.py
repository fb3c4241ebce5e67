"""SEARCH keys (RFC 3501 §6.4.4): read into one predicate, then tried on each message.

Strings match as case-insensitive substrings, on header values with RFC 2047
words decoded and on bodies with their transfer encoding undone (what
Dovecot does without a full-text index). Dates compare the date alone,
"disregarding time and timezone".
"""

from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from datetime import date
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import parsedate_to_datetime

from ..mailstore import StoredMessage
from ._dates import parse_date, parse_date_time
from ._mime import split_header
from ._syntax import Atom, IMAPSyntaxError, Token, parse_sequence_set

__all__ = ["Candidate", "CannotSearch", "SearchPredicate", "parse_search"]


class CannotSearch(Exception):
    """A valid search key this server does not implement (tagged NO)."""


class Candidate:
    """One message being tried, with what the keys read from it worked out at most once."""

    def __init__(self, seq: int, message: StoredMessage, recent: bool) -> None:
        self.seq = seq
        self.message = message
        self.uid = message.uid
        self.flags = message.flags
        self.recent = recent
        self._content: bytes | None = None
        self._header: Message | None = None
        self._body: str | None = None

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = self.message.content
        return self._content

    @property
    def header(self) -> Message:
        if self._header is None:
            self._header = email.message_from_bytes(split_header(self.content)[0], policy=compat32)
        return self._header

    def header_text(self, name: str) -> str:
        """Every ``name`` field, decoded, joined (a message may have several)."""
        values = self.header.get_all(name) or []
        return "\n".join(_decoded(str(v)) for v in values)

    @property
    def body(self) -> str:
        if self._body is None:
            self._body = _body_text(self.content)
        return self._body

    def internal_day(self) -> date | None:
        moment = parse_date_time(self.message.internal_date)
        return moment.date() if moment else None

    def sent_day(self) -> date | None:
        value = self.header.get("date")
        if value is None:
            return None
        try:
            return parsedate_to_datetime(str(value)).date()
        except (TypeError, ValueError, IndexError):
            return None


def _decoded(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        return value


def _body_text(content: bytes) -> str:
    """The message's text parts, decoded (base64, quoted-printable, charset)."""
    message = email.message_from_bytes(content, policy=compat32)
    texts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if part.get_content_maintype() == "text" or part is message:
            charset = part.get_content_charset() or "utf-8"
            try:
                texts.append(payload.decode(charset, "replace"))
            except LookupError:
                texts.append(payload.decode("utf-8", "replace"))
    return "\n".join(texts)


SearchPredicate = Callable[[Candidate], bool]

_FLAG_KEYS = {
    "ANSWERED": ("\\Answered", True), "UNANSWERED": ("\\Answered", False),
    "DELETED": ("\\Deleted", True), "UNDELETED": ("\\Deleted", False),
    "FLAGGED": ("\\Flagged", True), "UNFLAGGED": ("\\Flagged", False),
    "DRAFT": ("\\Draft", True), "UNDRAFT": ("\\Draft", False),
    "SEEN": ("\\Seen", True), "UNSEEN": ("\\Seen", False),
}  # fmt: skip
_HEADER_KEYS = {"BCC": "bcc", "CC": "cc", "FROM": "from", "SUBJECT": "subject", "TO": "to"}
_DATE_KEYS = {"BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE"}


def parse_search(tokens: list[Token], exists: int, last_uid: int, charset: str = "utf-8") -> SearchPredicate:
    """Turn search keys into one predicate: the AND of all keys.

    Raises IMAPSyntaxError for malformed keys and CannotSearch for keys
    this server does not implement.
    """
    if not tokens:
        raise IMAPSyntaxError("SEARCH needs at least one key")
    stream = iter(tokens)
    keys = [_search_key(token, stream, exists, last_uid, charset) for token in stream]
    return lambda c: all(k(c) for k in keys)


def _string(token: Token | None, key: str, charset: str) -> str:
    if isinstance(token, Atom):
        return str(token)
    if isinstance(token, bytes):
        return token.decode(charset, "replace")
    raise IMAPSyntaxError(f"search key {key} needs a string")


def _search_key(token: Token, stream: Iterator[Token], exists: int, last_uid: int, charset: str) -> SearchPredicate:
    def operand() -> Token:
        value = next(stream, None)
        if value is None:
            raise IMAPSyntaxError(f"search key {key} needs an argument")
        return value

    if isinstance(token, list):  # "(" key *(SP key) ")" is an AND group
        return parse_search(token, exists, last_uid, charset)
    if not isinstance(token, Atom):
        raise IMAPSyntaxError("expected a search key")
    key = token.upper()
    if key in _FLAG_KEYS:
        flag, wanted = _FLAG_KEYS[key]
        return lambda c: (flag in c.flags) == wanted
    if key == "ALL":
        return lambda c: True
    if key == "RECENT":
        return lambda c: c.recent
    if key == "OLD":
        return lambda c: not c.recent
    if key == "NEW":  # RECENT UNSEEN
        return lambda c: c.recent and "\\Seen" not in c.flags
    if key in ("KEYWORD", "UNKEYWORD"):
        word, wanted = _string(operand(), key, charset).casefold(), key == "KEYWORD"
        return lambda c: any(f.casefold() == word for f in c.flags) == wanted
    if key in ("LARGER", "SMALLER"):
        size_text = operand()
        if not isinstance(size_text, Atom) or not size_text.isdigit():
            raise IMAPSyntaxError(f"{key} needs a number")
        size = int(size_text)
        if key == "LARGER":
            return lambda c: c.message.size > size
        return lambda c: c.message.size < size
    if key == "NOT":
        inner = _search_key(operand(), stream, exists, last_uid, charset)
        return lambda c: not inner(c)
    if key == "OR":
        left = _search_key(operand(), stream, exists, last_uid, charset)
        right = _search_key(operand(), stream, exists, last_uid, charset)
        return lambda c: left(c) or right(c)
    if key == "UID":
        spec = operand()
        if not isinstance(spec, Atom):
            raise IMAPSyntaxError("UID needs a sequence set")
        uids = parse_sequence_set(spec, last_uid)
        return lambda c: c.uid in uids
    if key in _HEADER_KEYS:
        field, needle = _HEADER_KEYS[key], _string(operand(), key, charset).casefold()
        return lambda c: needle in c.header_text(field).casefold()
    if key == "HEADER":
        field = _string(operand(), key, charset)
        needle = _string(operand(), key, charset).casefold()
        # An empty string matches every message that has the field (§6.4.4).
        return lambda c: field in c.header and needle in c.header_text(field).casefold()
    if key == "BODY":
        needle = _string(operand(), key, charset).casefold()
        return lambda c: needle in c.body.casefold()
    if key == "TEXT":
        needle = _string(operand(), key, charset).casefold()
        return lambda c: needle in _decoded(split_header(c.content)[0].decode("utf-8", "replace")).casefold() \
            or needle in c.body.casefold()
    if key in _DATE_KEYS:
        text = _string(operand(), key, charset)
        day = parse_date(text)
        if day is None:
            raise IMAPSyntaxError(f"{key} needs a date such as 1-Feb-1994")
        read = Candidate.sent_day if key.startswith("SENT") else Candidate.internal_day
        compare = key.removeprefix("SENT")
        return lambda c: _compare(read(c), day, compare)
    if key[:1].isdigit() or key[:1] == "*":
        seqs = parse_sequence_set(key, exists)
        if seqs.highest() > exists or seqs.highest() == 0:
            raise IMAPSyntaxError("message sequence number beyond EXISTS")
        return lambda c: c.seq in seqs
    if key in ("MODSEQ", "YOUNGER", "OLDER", "FUZZY", "SAVEDBEFORE", "SAVEDON", "SAVEDSINCE"):
        raise CannotSearch(key)  # extensions this server does not advertise
    raise IMAPSyntaxError(f"unknown search key {key}")


def _compare(day: date | None, wanted: date, how: str) -> bool:
    if day is None:
        return False
    if how == "BEFORE":
        return day < wanted
    if how == "ON":
        return day == wanted
    return day >= wanted  # SINCE
