"""Cutting the IMAP server's input into commands: lines, literals, limits.

A command is one or more lines; a line ending in ``{n}`` announces a
synchronizing literal of ``n`` octets (RFC 3501 section 4.3), ``{n+}`` a
non-synchronizing one (LITERAL+, RFC 7888: the octets follow at once), and
the command goes on after it. The :class:`CommandFramer` collects the pieces
and hands out one :data:`Item` at a time; the server decides what each
means (it alone knows the session state). Memory stays bounded: an
over-long line is reported as soon as it is known to be too long, whatever
the chunking, and the rest of it is dropped as it arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from ._syntax import Literal

__all__ = [
    "MAX_APPEND",
    "MAX_COMMAND",
    "MAX_LINE",
    "MAX_LITERAL",
    "Command",
    "CommandFramer",
    "Item",
    "LiteralAnnounced",
    "RawLine",
    "TooLong",
    "command_of",
    "tag_of",
]

MAX_LINE = 8192  # RFC 7162 section 4 asks servers to take lines of at least 8192 octets
MAX_LITERAL = 8192  # a literal that carries a name, a password or a search string
MAX_APPEND = 50 * 1024 * 1024  # a message in APPEND (advertised as APPENDLIMIT, RFC 7889)
MAX_COMMAND = 8 * MAX_LINE  # text of one command, plus its literals' limit

_LITERAL_AT_END = re.compile(rb"\{([0-9]{1,10})(\+?)\}\Z")
_TAG = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\+]+\Z")  # ASTRING-CHAR except "+"
_COMMAND = re.compile(rb"[A-Za-z][A-Za-z0-9.-]*\Z")


@dataclass(frozen=True)
class Command:
    """A complete command: its text segments with the literals between them."""

    parts: list[bytes | Literal]


@dataclass(frozen=True)
class RawLine:
    """A line read as is, because the owner asked for one (an AUTHENTICATE response)."""

    data: bytes


@dataclass(frozen=True)
class LiteralAnnounced:
    """A line ended in ``{size}`` or ``{size+}``. The owner must call
    ``accept_literal()`` (and, for a synchronizing one, send the ``+``
    continuation) or ``drop_command()`` (and ``skip_literal()`` for a
    non-synchronizing one, whose octets come anyway)."""

    first: bytes  # the command's first segment (tag and name)
    opening: bool  # True when this is the command's first line
    segment: bytes  # this line without the ``{size}``
    size: int
    line: bytes  # the whole line, for messages
    synchronizing: bool = True


@dataclass(frozen=True)
class TooLong:
    """A line (or a whole command) over the limits; ``start`` is its beginning."""

    start: bytes
    tag: str | None  # the tag of a command already under way, else None


Item: TypeAlias = "Command | RawLine | LiteralAnnounced | TooLong"


def tag_of(first: bytes) -> str | None:
    """The tag at the start of a command's first segment, or None if invalid."""
    tag = first.split(b" ", 1)[0]
    return tag.decode("ascii") if _TAG.match(tag) else None


def command_of(first: bytes) -> str | None:
    """The upper-cased command name after the tag, or None if invalid."""
    pieces = first.split(b" ", 2)
    if len(pieces) < 2 or not _COMMAND.match(pieces[1]):
        return None
    return pieces[1].decode("ascii").upper()


class CommandFramer:
    """Collects input and hands out framed items, one per ``next_item()`` call."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._parts: list[bytes | Literal] = []
        self._size = 0  # octets of the command so far, text and literals
        self._literal = bytearray()
        self._literal_left = 0
        self._discarding = False  # inside an over-long line: drop up to LF
        self._skip_left = 0  # octets of a refused non-synchronizing literal still to drop
        self._skipping = False  # the rest of a refused command: drop its lines

    @property
    def pending(self) -> int:
        """Octets buffered and not yet framed."""
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def discard_pending(self) -> None:
        """Forget buffered input (plaintext pipelined after STARTTLS, or after the end)."""
        self._buffer.clear()

    def next_item(self, raw: bool = False) -> Item | None:
        """The next item, or None until more input arrives. With ``raw``, a
        complete line comes back as a :class:`RawLine`, without literal parsing."""
        while True:
            if self._skip_left:
                dropped = min(self._skip_left, len(self._buffer))
                del self._buffer[:dropped]
                self._skip_left -= dropped
                if self._skip_left:
                    return None
                continue
            if self._literal_left:
                chunk = self._buffer[: self._literal_left]
                del self._buffer[: len(chunk)]
                self._literal += chunk
                self._literal_left -= len(chunk)
                if self._literal_left:
                    return None
                self._parts.append(Literal(bytes(self._literal)))
                self._literal.clear()
                continue
            newline = self._buffer.find(b"\n")
            if newline < 0:
                if self._discarding:
                    self._buffer.clear()
                elif len(self._buffer) - self._buffer.endswith(b"\r") > MAX_LINE:
                    # Report now, whatever the chunking: the line is too long
                    # already. Then drop input up to its end.
                    start = bytes(self._buffer[:MAX_LINE])
                    self._buffer.clear()
                    self._discarding = True
                    return self._too_long(start)
                return None
            line = bytes(self._buffer[:newline])
            del self._buffer[: newline + 1]
            if self._discarding:
                self._discarding = False
                continue
            if line.endswith(b"\r"):  # bare LF is accepted too, as a courtesy
                line = line[:-1]
            if self._skipping:
                # The rest of a refused command; a further {n+} literal comes anyway.
                more = _LITERAL_AT_END.search(line)
                if more is not None and more.group(2):
                    self._skip_left = int(more.group(1))
                else:
                    self._skipping = False
                continue
            if len(line) > MAX_LINE or self._size + len(line) > MAX_COMMAND:
                return self._too_long(line)
            if raw:
                return RawLine(line)
            self._size += len(line)
            match = _LITERAL_AT_END.search(line)
            if match is None:
                parts = [*self._parts, line]
                self.drop_command()
                return Command(parts)
            segment = line[: match.start()]
            first = self._parts[0] if self._parts else segment
            assert isinstance(first, bytes)  # a command never starts with a literal
            return LiteralAnnounced(first, not self._parts, segment, int(match.group(1)), line,
                                    synchronizing=not match.group(2))

    def accept_literal(self, announced: LiteralAnnounced, limit: int = MAX_LITERAL) -> bool:
        """Read the announced literal next; False (and the command dropped) if over ``limit``."""
        if announced.size > limit or self._size + announced.size > limit + MAX_COMMAND:
            self.drop_command()
            return False
        self._parts.append(announced.segment)
        self._size += announced.size
        self._literal_left = announced.size
        if announced.size == 0:
            self._parts.append(Literal(b""))
        return True

    def drop_command(self) -> None:
        """Forget the command assembled so far."""
        self._parts = []
        self._size = 0

    def skip_literal(self, size: int) -> None:
        """Drop a refused non-synchronizing literal's ``size`` octets and the rest of its command,
        so none of it is ever read as a command (that would be an injection)."""
        self.drop_command()
        self._skip_left = size
        self._skipping = True

    def _too_long(self, start: bytes) -> TooLong:
        first = self._parts[0] if self._parts else None
        tag = tag_of(first) if isinstance(first, bytes) else None
        self.drop_command()
        return TooLong(start, tag)
