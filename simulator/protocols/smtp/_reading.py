"""Reading a server's replies off the wire, for the client (RFC 5321 §4.2).

A session hears the same replies over and over: every greeting of a host, its
EHLO list, "250 2.1.0 Ok". :func:`whole_replies` parses a chunk that holds
nothing but complete replies once and remembers it (bounded); the client's
line-by-line reader handles everything else (a reply split across chunks, a
malformed or over-long one) and raises its errors, so a chunk it cannot read
is simply not remembered.
"""

from __future__ import annotations

from functools import lru_cache

from simulator.protocols.errors import RemoteProtocolError
from simulator.protocols.smtp.replies import Reply, parse_reply_line, split_enhanced

MAX_REPLY_BYTES = 65536  # be liberal with long replies, but not unbounded
MAX_REPLY_LINES = 1000
# Distinct chunks remembered: a run's fixed replies are a few dozen; one with a queue id is
# read once, so least-recently-used ones make room.
WHOLE_REPLIES_CACHED = 1024

Parsed = tuple[Reply, tuple[str, ...], int]  # the reply, its lines' texts, where in the chunk it ends


def reply_of(code: int, partial: list[tuple[int, str]]) -> tuple[Reply, tuple[str, ...]]:
    """The reply whose lines were ``partial`` ((code, text) each), and the lines' texts."""
    lines = tuple(t for _, t in partial)
    if not 200 <= code <= 599:
        # RFC 5321 §4.2: out-of-range codes are fatal.
        raise RemoteProtocolError(f"reply code {code} out of range")
    enhanced, _ = split_enhanced(code, lines[0])
    texts = tuple(split_enhanced(code, t)[1] for t in lines) if enhanced else lines
    return Reply(code, enhanced, texts), lines


def read_line(raw: str, partial: list[tuple[int, str]]) -> tuple[int, bool]:
    """Add one decoded reply line to ``partial``: (its code, whether it ends the reply)."""
    code, last, text = parse_reply_line(raw)  # tolerates a bare LF ending
    if partial and code != partial[0][0]:
        raise RemoteProtocolError("reply code changed inside a multi-line reply")
    partial.append((code, text.replace("\r", " ")))
    if len(partial) > MAX_REPLY_LINES:
        raise RemoteProtocolError("too many reply lines")
    return code, last


@lru_cache(maxsize=WHOLE_REPLIES_CACHED)
def whole_replies(data: bytes) -> tuple[Parsed, ...] | None:
    """``data`` read as complete replies, in order; None unless it is exactly that and well-formed.

    The same as reading it line by line from an empty buffer (``SMTPClient._next_reply``): the
    same decoding, checks and replies; Replies are immutable, so remembered ones can be shared.
    """
    out: list[Parsed] = []
    partial: list[tuple[int, str]] = []
    pos = 0
    size = len(data)
    try:
        while pos < size:
            lf = data.find(b"\n", pos)
            if lf < 0:
                return None  # a reply still to come: the line reader keeps the rest
            raw = data[pos:lf + 1].decode("utf-8", "replace")
            pos = lf + 1
            code, last = read_line(raw, partial)
            if last:
                reply, lines = reply_of(code, partial)
                out.append((reply, lines, pos))
                partial = []
    except RemoteProtocolError:
        return None  # the line reader raises it again, where the client handles it
    return None if partial else tuple(out)
