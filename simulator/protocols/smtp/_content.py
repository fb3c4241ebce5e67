"""Collecting the message content after 354: un-stuffing, the end marker, refusals."""

from __future__ import annotations

from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp._framing import CRLF, Line
from simulator.protocols.smtp.replies import Reply

TEXT_LINE_MAX = 1000  # RFC 5321 §4.5.3.1.6, CRLF included, not counting a stuffed dot


class ContentReader:
    """Collects DATA lines: un-stuffing, the end marker, and the reasons to refuse."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.parts: list[bytes] = []
        self.size = 0
        self.bare_lf = self.bare_cr = self.long_line = self.too_big = False
        self._after_crlf = True  # the 354 line itself ended with CRLF
        self._whole_lines = True  # add_lines() may still be used (see there)

    def add(self, line: Line) -> bool:
        """Take one line; True if it was the end of data."""
        # Only <CRLF>.<CRLF> ends the data: the previous line must have ended with CRLF
        # and this one must be "." + CRLF. "\n.\n", "\n.\r\n", "\r.\r" never do (2023 smuggling).
        if self._after_crlf and line.ending == CRLF and line.data == b"." and not line.too_long:
            return True
        self._after_crlf = line.ending == CRLF
        data = line.data
        stuffed = data.startswith(b".")
        if stuffed:
            data = data[1:]  # RFC 5321 §4.5.2
        if line.ending != CRLF:
            self.bare_lf = True
        if line.has_bare_cr:
            self.bare_cr = True
        if line.too_long or line.length > TEXT_LINE_MAX + (1 if stuffed else 0):
            self.long_line = True
        self.size += line.length - (1 if stuffed else 0)
        if self.size > self.max_size:
            self.too_big = True
        if not (self.bare_lf or self.bare_cr or self.long_line or self.too_big):
            self.parts.append(data + line.ending)
        else:
            self.parts.clear()  # it will be refused: keep nothing
        return False

    @property
    def takes_lines(self) -> bool:
        """Whether add_lines() may still be tried (checked before copying a block for it)."""
        return self._whole_lines and not (self.bare_lf or self.bare_cr or self.long_line or self.too_big)

    def add_lines(self, block: bytes) -> tuple[int, bool] | None:
        """Take many complete lines at once; (bytes used, end of data) or None.

        A fast path with exactly the result of calling add() line by line, used
        only while the content is clean so far. None means "not sure": the caller
        goes on line by line with add() for the rest of this message (so a
        refused or odd message never re-scans its buffer).
        """
        if not self.takes_lines:
            return None
        # Clean so far means every line so far ended with CRLF: a "." line here ends the data.
        if block.startswith(b".\r\n"):
            return 3, True
        end = block.find(b"\r\n.\r\n")  # only CRLF "." CRLF: bare CR/LF never end DATA
        body, used = (block[: end + 2], end + 5) if end >= 0 else (block, len(block))
        # Every LF and every CR must belong to a CRLF; otherwise add() flags the line.
        crlf = body.count(CRLF)
        if body.count(b"\n") != crlf or body.count(b"\r") != crlf:
            self._whole_lines = False
            return None
        # Lines of at most TEXT_LINE_MAX octets (CRLF included) are never too long,
        # stuffed or not; the rare 1001-octet stuffed line is left to add().
        if len(body) > TEXT_LINE_MAX and max(map(len, body.split(CRLF))) > TEXT_LINE_MAX - 2:
            self._whole_lines = False
            return None
        leading_dot = body.startswith(b".")
        stuffed = leading_dot + body.count(b"\r\n.")
        size = self.size + len(body) - stuffed
        if size > self.max_size:
            self._whole_lines = False
            return None
        self.size = size
        # RFC 5321 §4.5.2: drop the first dot of every line that starts with one.
        self.parts.append((body[1:] if leading_dot else body).replace(b"\r\n.", CRLF))
        return used, end >= 0

    def refusal(self) -> Reply | None:
        if self.bare_lf:
            return R.BARE_LF
        if self.bare_cr:
            return R.BARE_CR
        if self.long_line:
            return R.TEXT_LINE_TOO_LONG
        if self.too_big:
            return R.MESSAGE_TOO_BIG
        return None
