"""Cutting a byte stream into lines, bodies and literals for the narrators, in bounded memory.

A narrator reads what a client sends, and a client may send anything: a
line of 100 MiB, no line end at all, a body without its end marker. The
:class:`Cutter` keeps at most the caller's limit of each piece (the
protocol's own line limit, the share of a message the trace shows) and
counts the rest as it drops it. Every byte is looked at a bounded number of
times: the buffer is walked by index and compacted now and then, never
re-sliced per line (which made a flood of short lines quadratic).
"""

from __future__ import annotations

from dataclasses import dataclass

_COMPACT = 65536  # drop consumed bytes from the front once this many have piled up


@dataclass(frozen=True, slots=True)
class Piece:
    data: bytes  # what is kept (at most the limit asked for), without the line ending
    dropped: int  # octets beyond the limit that were not kept


class Cutter:
    """One direction of one connection."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pos = 0
        self._head: bytes | None = None  # while dropping a long line or body: the kept start
        self._dropped = 0
        self._scan = 0  # where the next search for a body's end marker starts

    def feed(self, data: bytes) -> None:
        self._buf += data

    @property
    def empty(self) -> bool:
        """Nothing buffered or held: the next byte fed starts a new piece."""
        return not self._buf and self._head is None and not self._dropped

    def line(self, limit: int) -> Piece | None:
        """The next line ended by LF (a CR before it is dropped too), or None until it is complete."""
        lf = self._buf.find(b"\n", self._pos)
        if lf < 0:
            if len(self._buf) - self._pos > limit:
                self._hold(limit)
            return None
        end = lf - 1 if lf > self._pos and self._buf[lf - 1] == 0x0D else lf
        if self._head is not None:  # the end of a line whose start was kept already
            piece = Piece(self._head, self._dropped + end - self._pos)
            self._head, self._dropped = None, 0
        elif end - self._pos > limit:
            piece = Piece(bytes(self._buf[self._pos:self._pos + limit]), end - self._pos - limit)
        else:
            piece = Piece(bytes(self._buf[self._pos:end]), 0)
        self._consume(lf + 1)
        return piece

    def body(self, limit: int, marker: bytes = b"\r\n.\r\n") -> Piece | None:
        """Everything up to ``marker`` (consumed, not returned), or None until it arrives.

        The body may also be empty, when the stream starts with the marker's last line (".\\r\\n").
        """
        if self._head is None and self._dropped == 0 and self._buf.startswith(marker[2:], self._pos):
            self._consume(self._pos + len(marker) - 2)
            return Piece(b"", 0)
        end = self._buf.find(marker, max(self._pos, self._scan))
        if end < 0:
            # Keep the last bytes: the marker may be split across chunks.
            keep_tail = len(marker) - 1
            movable = len(self._buf) - self._pos - keep_tail
            if movable > 0:
                self._absorb(self._pos + movable, limit)
            self._scan = self._pos
            return None
        self._absorb(end, limit)
        piece = Piece(self._head or b"", self._dropped)
        self._head, self._dropped, self._scan = None, 0, 0
        self._consume(end + len(marker))
        return piece

    def exactly(self, count: int, limit: int) -> tuple[Piece | None, int]:
        """Up to ``count`` octets (a literal): (the piece once all have come, octets still to come)."""
        have = min(count, len(self._buf) - self._pos)
        self._absorb(self._pos + have, limit)
        left = count - have
        if left:
            return None, left
        piece = Piece(self._head or b"", self._dropped)
        self._head, self._dropped = None, 0
        return piece, 0

    def _hold(self, limit: int) -> None:
        """A line over ``limit`` with no end yet: keep its start, count and drop the rest."""
        if self._head is None:
            self._head = bytes(self._buf[self._pos:self._pos + limit])
            self._dropped += len(self._buf) - self._pos - limit
        else:
            self._dropped += len(self._buf) - self._pos
        self._buf.clear()
        self._pos = 0

    def _absorb(self, upto: int, limit: int) -> None:
        """Move buffer bytes up to ``upto`` into the kept start (up to ``limit``), counting the rest."""
        chunk = self._buf[self._pos:upto]
        head = self._head or b""
        room = max(0, limit - len(head))
        self._head = head + bytes(chunk[:room])
        self._dropped += max(0, len(chunk) - room)
        self._consume(upto)

    def _consume(self, upto: int) -> None:
        self._pos = upto
        if self._pos >= len(self._buf):
            self._buf.clear()
            self._pos = 0
            self._scan = 0
        elif self._pos > _COMPACT:
            del self._buf[:self._pos]
            self._scan = max(0, self._scan - self._pos)
            self._pos = 0


def shown(piece: Piece) -> str:
    """A line as the trace shows it: its text, and how much was left out."""
    text = piece.data.decode("utf-8", "replace")
    return f"{text} [... {piece.dropped} more octets not shown]" if piece.dropped else text
