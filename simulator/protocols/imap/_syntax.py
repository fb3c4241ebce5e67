"""IMAP's formal syntax (RFC 3501 §9), both ways: reading commands and writing responses.

Reading: :func:`parse_tokens` turns a command's arguments (line text and
literals) into atoms, strings and parenthesized lists; sequence sets are
read by :func:`parse_sequence_set`. Writing: strings go out as quoted
strings when they can be one and as literals otherwise (§4.3), mailbox names
as atoms when they can be one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

from ..errors import RemoteProtocolError

__all__ = [
    "Atom",
    "IMAPSyntaxError",
    "Literal",
    "SequenceSet",
    "Token",
    "astring_out",
    "compress_uids",
    "encode_astring",
    "format_flags",
    "is_atom",
    "nstring",
    "parse_sequence_set",
    "parse_tokens",
    "quoted",
    "text_of",
]


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


def quoted(value: str | bytes) -> bytes:
    """A string in a server response: quoted if it can be, else a literal (§4.3)."""
    raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
    if all(0 < b < 0x80 and b not in b"\r\n" for b in raw):
        return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return b"{%d}\r\n%s" % (len(raw), raw)


def nstring(value: str | bytes | None) -> bytes:
    """``NIL`` for None, else :func:`quoted`."""
    return b"NIL" if value is None else quoted(value)


def astring_out(value: str) -> bytes:
    """A mailbox name in a response: a bare atom when it can be one (as Dovecot writes them)."""
    return value.encode("ascii") if is_atom(value) else quoted(value)


def text_of(token: object, what: str = "a string") -> str:
    """An astring argument as text (UTF-8; other octets kept as surrogates)."""
    if isinstance(token, Atom):
        return str(token)
    if isinstance(token, bytes):
        return token.decode("utf-8", "surrogateescape")
    raise IMAPSyntaxError(f"expected {what}")


def format_flags(flags: Iterable[str]) -> str:
    """A flag list in a stable order: system flags first, then keywords."""
    order = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\Recent"]
    flags = set(flags)
    known = [f for f in order if f in flags]
    rest = sorted(f for f in flags if f not in order)
    return "(" + " ".join(known + rest) + ")"


# --- the tokenizer -------------------------------------------------------------------------------


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
    return _parse_sequence(reader, closing=None)


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
            assert isinstance(escaped, int)
            char = escaped
        elif char == 0:
            raise IMAPSyntaxError("NUL octet in quoted string")
        # 8-bit text is accepted in quoted strings, as IMAP4rev2 does (RFC 9051 §4.3.1).
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
        elif char == 0x5C and out and not depth:  # backslash only starts a flag
            raise IMAPSyntaxError("unexpected backslash")
        elif char != 0x5C and char in _NOT_ATOM and not (depth and char in b' ()"'):
            raise IMAPSyntaxError(f"unexpected octet 0x{char:02x}")
        out.append(char)
        reader.advance()
    if not out or depth:
        raise IMAPSyntaxError("expected an argument" if not out else "unbalanced bracket")
    return Atom(out.decode("ascii"))


# --- sequence sets (RFC 3501 §9 sequence-set, §6.4.8 for UIDs) ------------------------------------

_NUMBER = re.compile(r"[1-9][0-9]{0,9}\Z")


@dataclass(frozen=True)
class SequenceSet:
    """Closed ranges of numbers; ranges of UIDs may be huge, so they stay ranges."""

    ranges: tuple[tuple[int, int], ...]

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and any(lo <= number <= hi for lo, hi in self.ranges)

    def highest(self) -> int:
        return max(hi for _lo, hi in self.ranges)

    def select(self, ordered: list[int]) -> list[int]:
        """The indexes (0-based) of the members of ``ordered`` (ascending) in the set, ascending."""
        chosen: set[int] = set()
        for lo, hi in self.ranges:
            chosen.update(range(bisect_left(ordered, lo), bisect_right(ordered, hi)))
        return sorted(chosen)


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


def compress_uids(uids: Iterable[int]) -> str:
    """``1:3,7,9:10``: a uid-set as COPYUID and APPENDUID write it (RFC 4315; RFC 9051 §7.1), order kept."""
    out: list[str] = []
    run: list[int] = []
    for uid in uids:
        if run and uid == run[-1] + 1:
            run.append(uid)
            continue
        if run:
            out.append(f"{run[0]}:{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [uid]
    if run:
        out.append(f"{run[0]}:{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)
