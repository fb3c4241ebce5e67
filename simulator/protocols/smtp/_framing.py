"""Line framing shared by the server and the client.

Lines are split at LF only, so a bare LF still ends a *line* here; whether the
line counts (RFC 5321 §2.3.8: only CRLF is a line terminator) is the caller's
decision, made from `Line.ending`. Memory stays bounded: a line longer than
the caller's limit is dropped as it arrives and only its first bytes are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CRLF = b"\r\n"


@dataclass(frozen=True)
class Line:
    """One line as it came off the wire, with how it ended and whether it was too long."""

    data: bytes  # without the ending; only a prefix when too_long
    ending: bytes  # b"\r\n", or b"\n" for a bare LF
    length: int  # the full length on the wire, ending included
    too_long: bool

    @property
    def has_bare_cr(self) -> bool:
        return b"\r" in self.data


class LineBuffer:
    """Collects bytes and hands out complete lines one at a time.

    `max_line` (octets including the ending) is read on every `next_line()`
    call, so the owner can change the limit as its state changes between lines
    and the result does not depend on how the bytes were chunked.
    """

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._buf = bytearray()
        self._pos = 0
        # While dropping an over-long line: its kept prefix, dropped count, last byte.
        self._dropping: bytes | None = None
        self._dropped = 0
        self._last = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def clear(self) -> None:
        """Forget everything buffered (e.g. plaintext pipelined after STARTTLS)."""
        self._buf.clear()
        self._pos = 0
        self._dropping = None
        self._dropped = 0

    @property
    def pending(self) -> int:
        return len(self._buf) - self._pos

    def complete_lines(self) -> bytes:
        """All buffered whole lines (through the last LF) without consuming them; b"" if none.

        For callers that scan many lines at once and then `skip()` what they used.
        Nothing while an over-long line is being dropped: `next_line()` owns that.
        """
        if self._dropping is not None:
            return b""
        lf = self._buf.rfind(b"\n", self._pos)
        return bytes(self._buf[self._pos:lf + 1]) if lf >= 0 else b""

    def skip(self, count: int) -> None:
        """Consume `count` bytes taken from `complete_lines()`."""
        self._consume(self._pos + count)

    def next_line(self) -> Line | None:
        lf = self._buf.find(b"\n", self._pos)
        if self._dropping is not None:
            if lf < 0:
                self._drop_rest()
                return None
            chunk = self._buf[self._pos:lf + 1]
            length = self._dropped + len(chunk)
            before = chunk[-2] if len(chunk) >= 2 else self._last
            prefix = self._dropping
            self._dropping = None
            self._dropped = 0
            self._consume(lf + 1)
            return Line(prefix, CRLF if before == 0x0D else b"\n", length, True)
        if lf < 0:
            if len(self._buf) - self._pos > self.max_line:  # self.pending, without a property call
                # Already too long without its ending: keep a prefix, drop the rest.
                self._dropping = bytes(self._buf[self._pos:self._pos + self.max_line])
                self._drop_rest()
            return None
        raw = bytes(self._buf[self._pos:lf + 1])
        self._consume(lf + 1)
        if raw.endswith(CRLF):
            data, ending = raw[:-2], CRLF
        else:
            data, ending = raw[:-1], b"\n"
        if len(raw) > self.max_line:
            # The prefix of the text only: the CR of a CRLF cut in half is no bare CR.
            return Line(data[: self.max_line], ending, len(raw), True)
        return Line(data, ending, len(raw), False)

    def _drop_rest(self) -> None:
        rest = len(self._buf) - self._pos
        if rest:
            self._dropped += rest
            self._last = self._buf[-1]
        self._buf.clear()
        self._pos = 0

    def _consume(self, upto: int) -> None:
        self._pos = upto
        # Compact now and then so a long session does not keep old bytes around.
        if self._pos >= len(self._buf):
            self._buf.clear()
            self._pos = 0
        elif self._pos > 65536:
            del self._buf[: self._pos]
            self._pos = 0


_NEWLINES_RE = re.compile(rb"\r\n|\r|\n")


def normalize_newlines(content: bytes) -> bytes:
    """Every CRLF, bare CR and bare LF becomes CRLF; the result ends with CRLF unless empty."""
    out = _NEWLINES_RE.sub(CRLF, content)
    if out and not out.endswith(CRLF):
        out += CRLF
    return out


def dot_stuff(content: bytes) -> bytes:
    """RFC 5321 §4.5.2: double a leading period on every line (content already CRLF-normalized)."""
    if content.startswith(b"."):
        content = b"." + content
    return content.replace(b"\r\n.", b"\r\n..")


def encode_data(content: bytes) -> tuple[bytes, int]:
    """The bytes to send after 354 (stuffed, with the final ".") and the RFC 1870 size.

    RFC 1870 §4: the size counts CRLF pairs but not the terminating dot or the
    doubled dots.
    """
    normalized = normalize_newlines(content)
    return dot_stuff(normalized) + b".\r\n", len(normalized)
