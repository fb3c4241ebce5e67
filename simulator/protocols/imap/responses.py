"""IMAP wire text: the server's response catalogue and the shared syntax.

The texts are what this server says after ``OK``/``NO``/``BAD``; RFC 3501
leaves human-readable text free, so they follow the RFC's own examples
where it gives one. The syntax helpers (tokenizer, astring quoting) are used
by both the server (to read commands) and the client (to read responses);
sequence sets and SEARCH keys are the server's argument grammar.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeAlias

from ..errors import RemoteProtocolError
from ..mailstore import StoredMessage

__all__ = [
    "FETCH_ITEMS",
    "Atom",
    "CannotSearch",
    "IMAPSyntaxError",
    "Literal",
    "SequenceSet",
    "Texts",
    "Token",
    "body_section",
    "encode_astring",
    "format_flags",
    "is_atom",
    "parse_fetch_items",
    "parse_search",
    "parse_sequence_set",
    "parse_tokens",
]


class Texts:
    """Human-readable response texts, one place to read or translate them."""

    GREETING = "{hostname} IMAP4rev1 ready"
    CAPABILITY_DONE = "CAPABILITY completed"
    NOOP_DONE = "NOOP completed"
    BYE = "{hostname} IMAP4rev1 server logging out"
    LOGOUT_DONE = "LOGOUT completed"
    STARTTLS_GO = "Begin TLS negotiation now"  # RFC 3501 section 6.2.1 example
    STARTTLS_ACTIVE = "TLS is already active"
    STARTTLS_UNAVAILABLE = "STARTTLS is not available"
    LOGIN_DONE = "LOGIN completed"
    AUTH_DONE = "AUTHENTICATE completed"
    # RFC 9051 section 7.1 (from RFC 5530) gives this code and example text.
    PRIVACY_REQUIRED = "[PRIVACYREQUIRED] Connection offers no privacy"
    AUTH_FAILED = "[AUTHENTICATIONFAILED] Invalid credentials"
    AUTHZ_FAILED = "[AUTHORIZATIONFAILED] Cannot act as another user"
    AUTH_MECHANISM = "Unsupported authentication mechanism"
    AUTH_CANCELLED = "AUTHENTICATE cancelled"
    AUTH_BAD_BASE64 = "Invalid base64 in AUTHENTICATE response"
    SELECT_DONE = "[READ-WRITE] SELECT completed"
    EXAMINE_DONE = "[READ-ONLY] EXAMINE completed"
    NO_MAILBOX = "[NONEXISTENT] No such mailbox"
    CLOSE_DONE = "CLOSE completed"
    CHECK_DONE = "CHECK completed"
    FETCH_DONE = "FETCH completed"
    UID_FETCH_DONE = "UID FETCH completed"
    SEARCH_DONE = "SEARCH completed"
    UID_SEARCH_DONE = "UID SEARCH completed"
    CANNOT_FETCH = "Cannot fetch {item}: not supported by this server"
    CANNOT_SEARCH = "[CANNOT] Search key {key} is not supported by this server"
    BAD_CHARSET = "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset"
    CONTINUE_LITERAL = "Ready for literal data"
    UNKNOWN_COMMAND = "Unknown command {command}"
    WRONG_STATE = "{command} not allowed in the {state} state"
    SYNTAX = "Syntax error: {reason}"
    NO_TAG = "Missing or invalid tag"
    EMPTY_LINE = "Empty command line"  # RFC 9051 section 7.1.3 example
    NO_COMMAND = "Missing or invalid command name"
    NO_SUCH_MESSAGE = "message sequence number beyond EXISTS"
    LINE_TOO_LONG = "Command line too long"  # RFC 9051 section 7.1.3 example
    LITERAL_TOO_BIG = "Literal too big"
    # Untagged BYE when the server ends the connection itself (RFC 3501 section 7.1.5).
    BYE_IDLE = "Autologout; idle for too long"
    BYE_STOPPING = "Server shutting down"
    BYE_TOO_MANY = "Too many connections, try again later"
    BYE_UNAVAILABLE = "Service not available, try again later"


class IMAPSyntaxError(RemoteProtocolError):
    """Input that does not follow the RFC 3501 formal syntax."""


class Atom(str):
    """An atom (or ``NIL``, a flag, a fetch item such as ``BODY[TEXT]``)."""

    __slots__ = ()


@dataclass(frozen=True)
class Literal:
    """A literal's octets, kept apart from the line text around it."""

    data: bytes


# bytes: a quoted string or a literal; list: a parenthesized list
Token: TypeAlias = "Atom | bytes | list[Token]"

# RFC 3501 section 9: atom-specials, minus "%" and "*" (list-wildcards),
# which appear inside sequence sets and are checked by the commands that
# take them, and minus "]" (resp-specials), which astrings allow.
_NOT_ATOM = frozenset(b'(){ "\\') | frozenset(range(0x20)) | frozenset(range(0x7F, 0x100))


def is_atom(value: str) -> bool:
    """True when ``value`` can go on the wire as a bare atom (astring chars)."""
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError:
        return False
    return bool(raw) and not any(b in _NOT_ATOM or b in b"%*" for b in raw)


def encode_astring(value: str, *, quote: bool = False) -> bytes | Literal:
    """Encode ``value`` as an astring: an atom if it can be one (and
    ``quote`` is false), else a quoted string if it is 7-bit text without
    CR/LF/NUL, else a literal (RFC 3501 sections 4.1-4.3)."""
    raw = value.encode("utf-8", "surrogateescape")
    if not quote and is_atom(value):
        return raw
    if all(0 < b < 0x80 and b not in b"\r\n" for b in raw):
        return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return Literal(raw)


def format_flags(flags: set[str] | frozenset[str]) -> str:
    """A flag list in a stable order: system flags first, then keywords."""
    order = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\Recent"]
    known = [f for f in order if f in flags]
    rest = sorted(f for f in flags if f not in order)
    return "(" + " ".join(known + rest) + ")"


class _Reader:
    """Walks line text and literals as one stream of tokens."""

    def __init__(self, parts: list[bytes | Literal]) -> None:
        self.parts = parts
        self.index = 0
        self.pos = 0

    def peek(self) -> int | Literal | None:
        while self.index < len(self.parts):
            part = self.parts[self.index]
            if isinstance(part, Literal):
                return part
            if self.pos < len(part):
                return part[self.pos]
            self.index, self.pos = self.index + 1, 0
        return None

    def advance(self) -> None:
        if isinstance(self.parts[self.index], Literal):
            self.index, self.pos = self.index + 1, 0
        else:
            self.pos += 1


def parse_tokens(parts: list[bytes | Literal]) -> list[Token]:
    """Tokenize text and literals into atoms, strings and nested lists.

    Tokens are separated by exactly one SP (RFC 3501 section 9, note 2).
    Raises IMAPSyntaxError on anything else.
    """
    reader = _Reader(parts)
    tokens = _parse_sequence(reader, closing=None)
    return tokens


def _parse_sequence(reader: _Reader, closing: int | None) -> list[Token]:
    tokens: list[Token] = []
    if closing is not None and reader.peek() == closing:
        reader.advance()
        return tokens
    while True:
        tokens.append(_parse_token(reader))
        nxt = reader.peek()
        if nxt is None:
            if closing is not None:
                raise IMAPSyntaxError("unbalanced parenthesis")
            return tokens
        if nxt == closing:
            reader.advance()
            return tokens
        if nxt != 0x20:
            raise IMAPSyntaxError("expected a space between arguments")
        reader.advance()
        if reader.peek() in (None, 0x20) or reader.peek() == closing:
            raise IMAPSyntaxError("extra space")


def _parse_token(reader: _Reader) -> Token:
    first = reader.peek()
    if isinstance(first, Literal):
        reader.advance()
        return first.data
    if first == 0x22:  # DQUOTE
        return _parse_quoted(reader)
    if first == 0x28:  # "("
        reader.advance()
        return _parse_sequence(reader, closing=0x29)
    return _parse_atom(reader)


def _parse_quoted(reader: _Reader) -> bytes:
    reader.advance()
    out = bytearray()
    while True:
        char = reader.peek()
        if char is None or isinstance(char, Literal):
            raise IMAPSyntaxError("unterminated quoted string")
        reader.advance()
        if char == 0x22:
            return bytes(out)
        if char == 0x5C:  # backslash: only \" and \\ are quoted-specials
            escaped = reader.peek()
            if escaped not in (0x22, 0x5C):
                raise IMAPSyntaxError("bad escape in quoted string")
            reader.advance()
            char = escaped
        elif char == 0 or char > 0x7F:
            raise IMAPSyntaxError("8-bit or NUL octet in quoted string; use a literal")
        out.append(char)


def _parse_atom(reader: _Reader) -> Atom:
    out = bytearray()
    depth = 0  # inside BODY[...] a section may hold spaces and parentheses
    while True:
        char = reader.peek()
        if char is None or isinstance(char, Literal):
            break
        if depth == 0 and char in (0x20, 0x28, 0x29):
            break
        if char == 0x5B:  # "["
            depth += 1
        elif char == 0x5D and depth:  # "]"
            depth -= 1
        elif char == 0x5C and out:  # backslash only starts a flag
            raise IMAPSyntaxError("unexpected backslash")
        elif char != 0x5C and char in _NOT_ATOM and not (depth and char in b' ()"'):
            raise IMAPSyntaxError(f"unexpected octet 0x{char:02x}")
        out.append(char)
        reader.advance()
    if not out or depth:
        raise IMAPSyntaxError("expected an argument" if not out else "unbalanced bracket")
    return Atom(out.decode("ascii"))


# --- FETCH items (RFC 3501 section 6.4.5) ----------------------------------------

# name sent back, and whether fetching it sets \Seen (section 6.4.5)
FETCH_ITEMS: dict[str, tuple[str, bool]] = {
    "UID": ("UID", False),
    "FLAGS": ("FLAGS", False),
    "INTERNALDATE": ("INTERNALDATE", False),
    "RFC822.SIZE": ("RFC822.SIZE", False),
    "RFC822": ("RFC822", True),
    "RFC822.HEADER": ("RFC822.HEADER", False),
    "RFC822.TEXT": ("RFC822.TEXT", True),
    "BODY[]": ("BODY[]", True),
    "BODY[HEADER]": ("BODY[HEADER]", True),
    "BODY[TEXT]": ("BODY[TEXT]", True),
    "BODY.PEEK[]": ("BODY[]", False),
    "BODY.PEEK[HEADER]": ("BODY[HEADER]", False),
    "BODY.PEEK[TEXT]": ("BODY[TEXT]", False),
}
_MACROS = {"FAST": ["FLAGS", "INTERNALDATE", "RFC822.SIZE"]}
# Valid RFC 3501 items this server does not produce: NO rather than BAD.
_KNOWN_ITEM = re.compile(
    r"(ALL|FULL|ENVELOPE|BODY|BODYSTRUCTURE|BODY(\.PEEK)?\[.*\](<\d+\.\d+>)?)\Z"
)


def parse_fetch_items(spec: object) -> list[str]:
    """Upper-cased FETCH item names, macros expanded; IMAPSyntaxError if unknown."""
    raw = spec if isinstance(spec, list) else [spec]
    if not raw or not all(isinstance(i, Atom) for i in raw):
        raise IMAPSyntaxError("bad FETCH data items")
    items = [str(i).upper() for i in raw]
    if len(items) == 1 and items[0] in _MACROS:
        return list(_MACROS[items[0]])
    for item in items:
        if item not in FETCH_ITEMS and not _KNOWN_ITEM.match(item):
            raise IMAPSyntaxError(f"unknown FETCH item {item}")
    return list(dict.fromkeys(items))


def body_section(content: bytes, name: str) -> bytes:
    """The part of ``content`` a body item names: whole, header or text."""
    end = content.find(b"\r\n\r\n")
    header_end = len(content) if end < 0 else end + 4  # header keeps its blank line
    if name in ("BODY[HEADER]", "RFC822.HEADER"):
        return content[:header_end]
    if name in ("BODY[TEXT]", "RFC822.TEXT"):
        return content[header_end:]
    return content


# --- sequence sets and SEARCH keys (RFC 3501 sections 6.4.4 and 9) ------------

_NUMBER = re.compile(r"[1-9][0-9]{0,9}\Z")


class CannotSearch(Exception):
    """A valid search key this server does not implement (tagged NO)."""


@dataclass(frozen=True)
class SequenceSet:
    """Closed ranges of numbers; ranges with UIDs may be huge, so no sets."""

    ranges: tuple[tuple[int, int], ...]

    def __contains__(self, number: object) -> bool:
        return any(lo <= number <= hi for lo, hi in self.ranges)  # type: ignore[operator]

    def highest(self) -> int:
        return max(hi for _lo, hi in self.ranges)


def parse_sequence_set(text: str, star: int) -> SequenceSet:
    """Parse ``2,4:7,9,12:*``; ``*`` stands for ``star`` (the largest number in use)."""

    def number(piece: str) -> int:
        if piece == "*":
            return star
        if not _NUMBER.match(piece) or int(piece) >= 2**32:
            raise IMAPSyntaxError(f"bad sequence number {piece!r}")
        return int(piece)

    ranges = []
    for item in text.split(","):
        ends = item.split(":")
        if len(ends) > 2:
            raise IMAPSyntaxError(f"bad sequence range {item!r}")
        lo, hi = number(ends[0]), number(ends[-1])
        ranges.append((min(lo, hi), max(lo, hi)))  # "4:2" is the same as "2:4"
    return SequenceSet(tuple(ranges))


# predicate(seq, message, is_recent) -> bool
SearchPredicate = Callable[[int, StoredMessage, bool], bool]

_FLAG_KEYS = {
    "ANSWERED": ("\\Answered", True), "UNANSWERED": ("\\Answered", False),
    "DELETED": ("\\Deleted", True), "UNDELETED": ("\\Deleted", False),
    "FLAGGED": ("\\Flagged", True), "UNFLAGGED": ("\\Flagged", False),
    "DRAFT": ("\\Draft", True), "UNDRAFT": ("\\Draft", False),
    "SEEN": ("\\Seen", True), "UNSEEN": ("\\Seen", False),
}  # fmt: skip
# Keys RFC 3501 defines that search headers, bodies or dates: not done here.
_UNSUPPORTED_KEYS = {
    "BCC": 1, "BEFORE": 1, "BODY": 1, "CC": 1, "FROM": 1, "HEADER": 2, "ON": 1,
    "SENTBEFORE": 1, "SENTON": 1, "SENTSINCE": 1, "SINCE": 1, "SUBJECT": 1, "TEXT": 1, "TO": 1,
}  # fmt: skip


def parse_search(tokens: list[Token], exists: int, last_uid: int) -> SearchPredicate:
    """Turn search keys into one predicate: the AND of all keys.

    Raises IMAPSyntaxError for malformed keys and CannotSearch for keys
    this server does not implement.
    """
    if not tokens:
        raise IMAPSyntaxError("SEARCH needs at least one key")
    stream = iter(tokens)
    keys = []
    for token in stream:
        keys.append(_search_key(token, stream, exists, last_uid))
    return lambda seq, msg, recent: all(k(seq, msg, recent) for k in keys)


def _search_key(
    token: Token, stream: Iterator[Token], exists: int, last_uid: int
) -> SearchPredicate:
    def operand() -> Token:
        value = next(stream, None)
        if value is None:
            raise IMAPSyntaxError(f"search key {key} needs an argument")
        return value

    if isinstance(token, list):  # "(" key *(SP key) ")" is an AND group
        return parse_search(token, exists, last_uid)
    if not isinstance(token, Atom):
        raise IMAPSyntaxError("expected a search key")
    key = token.upper()
    if key in _FLAG_KEYS:
        flag, wanted = _FLAG_KEYS[key]
        return lambda seq, msg, recent: (flag in msg.flags) == wanted
    if key == "ALL":
        return lambda seq, msg, recent: True
    if key == "RECENT":
        return lambda seq, msg, recent: recent
    if key == "OLD":
        return lambda seq, msg, recent: not recent
    if key == "NEW":  # RECENT UNSEEN
        return lambda seq, msg, recent: recent and "\\Seen" not in msg.flags
    if key in ("KEYWORD", "UNKEYWORD"):
        word, wanted = str(operand()), key == "KEYWORD"
        return lambda seq, msg, recent: (word in msg.flags) == wanted
    if key in ("LARGER", "SMALLER"):
        size_text = operand()
        if not isinstance(size_text, Atom) or not size_text.isdigit():
            raise IMAPSyntaxError(f"{key} needs a number")
        size, larger = int(size_text), key == "LARGER"
        return lambda seq, msg, recent: msg.size > size if larger else msg.size < size
    if key == "NOT":
        inner = _search_key(operand(), stream, exists, last_uid)
        return lambda seq, msg, recent: not inner(seq, msg, recent)
    if key == "OR":
        left = _search_key(operand(), stream, exists, last_uid)
        right = _search_key(operand(), stream, exists, last_uid)
        return lambda seq, msg, recent: left(seq, msg, recent) or right(seq, msg, recent)
    if key == "UID":
        spec = operand()
        if not isinstance(spec, Atom):
            raise IMAPSyntaxError("UID needs a sequence set")
        uids = parse_sequence_set(spec, last_uid)
        return lambda seq, msg, recent: msg.uid in uids
    if key in _UNSUPPORTED_KEYS:
        for _ in range(_UNSUPPORTED_KEYS[key]):
            operand()
        raise CannotSearch(key)
    if key[:1].isdigit() or key[:1] == "*":
        seqs = parse_sequence_set(key, exists)
        if seqs.highest() > exists or seqs.highest() == 0:
            raise IMAPSyntaxError(Texts.NO_SUCH_MESSAGE)
        return lambda seq, msg, recent: seq in seqs
    raise IMAPSyntaxError(f"unknown search key {key}")
