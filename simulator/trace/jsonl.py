"""The trace as JSON Lines: one event a line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

from simulator.trace.fields import Direction, Kind, TLSMode

if TYPE_CHECKING:  # a streamed run makes no TraceEvent (see simulator.trace.fields)
    from simulator.trace.events import TraceEvent

# One encoder for anything that is not the usual shape (see _plain): json.dumps with options would
# build a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))

# ``to_line`` writes the line itself: it runs once per event of a run (85 times a message in
# bench/scale.py), where building the dict and walking it in json's encoder was a tenth of a
# streamed run. The output is byte for byte what ``_ENCODER.encode(event.to_json())`` gives
# (tests/trace/test_jsonl.py compares them): the same key order and separators, strings through
# json's own escaper (``encode_basestring``: ensure_ascii=False), numbers as json writes them
# (``int.__repr__``, ``float.__repr__``) and the enums' values, which are constant, encoded once.
_KIND = {member: encode_basestring(member.value) for member in Kind}
_TLS = {member: encode_basestring(member.value) for member in TLSMode}
_DIR: dict[Direction | None, str] = {member: encode_basestring(member.value) for member in Direction}
_DIR[None] = "null"
# Explanations repeat thousands of times in a long run and are the longest strings: each distinct
# one is escaped once (bounded, as a run may also say things only once).
_EXPLAINED: dict[str, str] = {}
_EXPLAINED_MAX = 4096
_MIDDLE: dict[tuple[Kind, str, str, int | None, TLSMode, Direction | None], str] = {}
_TAIL: dict[tuple[str | None, bool], str] = {}
_MOMENTS: dict[float, str] = {}


def line(step: int, t: float, kind: Kind, src: str, dst: str, text: str, explain: str, port: int | None,
         tls: TLSMode, dir: Direction | None, conn: int | None, rfc: str | None, content: bool) -> str:
    """The JSON line of an event with these fields (TraceEvent's, in its order), without making one.

    A streamed run (``TraceRecorder`` with ``lines``) calls this for every event it makes.
    """
    if not (type(t) is float and t - t == 0.0 and type(step) is int and (port is None or type(port) is int)
            and (conn is None or type(conn) is int) and type(content) is bool):
        # Not the usual shape (an int or NaN time, say): json's encoder knows how to write it.
        from simulator.trace.events import TraceEvent

        event = TraceEvent(step, t, kind, src, dst, text, explain, port, tls, dir, conn, rfc, content)
        return _ENCODER.encode(event.to_json())
    explained = _EXPLAINED.get(explain)
    if explained is None:
        explained = encode_basestring(explain)
        if len(_EXPLAINED) < _EXPLAINED_MAX:
            _EXPLAINED[explain] = explained
    # The fields between "kind" and "text" are those of one direction of one link, and "rfc" and
    # "content" take a few dozen values: each run of them is written once (bounded like _EXPLAINED).
    where = (kind, src, dst, port, tls, dir)
    middle = _MIDDLE.get(where)
    if middle is None:
        middle = (f'"kind": {_KIND[kind]}, "src": {encode_basestring(src)}, "dst": {encode_basestring(dst)}, '
                  f'"port": {"null" if port is None else port}, "tls": {_TLS[tls]}, "dir": {_DIR[dir]}, "text": ')
        if len(_MIDDLE) < _EXPLAINED_MAX:
            _MIDDLE[where] = middle
    tail = _TAIL.get((rfc, content))
    if tail is None:
        tail = (f', "rfc": {"null" if rfc is None else encode_basestring(rfc)}, '
                f'"content": {"true" if content else "false"}}}')
        if len(_TAIL) < _EXPLAINED_MAX:
            _TAIL[(rfc, content)] = tail
    # Events of one instant share their time: its repr is made once. Not for zero, which equals -0.0
    # but is written differently; cleared when full (the clock only moves on).
    moment = _MOMENTS.get(t) if t else None
    if moment is None:
        moment = repr(t)
        if t:
            if len(_MOMENTS) >= _EXPLAINED_MAX:
                _MOMENTS.clear()
            _MOMENTS[t] = moment
    return (f'{{"step": {step}, "t": {moment}, {middle}{encode_basestring(text)}, "explain": {explained}, '
            f'"conn": {"null" if conn is None else conn}{tail}')


def to_line(event: TraceEvent) -> str:
    """One event as one JSON line (without the newline)."""
    return line(event.step, event.t, event.kind, event.src, event.dst, event.text, event.explain, event.port,
                event.tls, event.dir, event.conn, event.rfc, event.content)


def to_jsonl(events: Iterable[TraceEvent]) -> Iterator[str]:
    for event in events:
        yield to_line(event)


def from_jsonl(lines: Iterable[str]) -> list[TraceEvent]:
    from simulator.trace.events import TraceEvent

    return [TraceEvent.from_json(json.loads(line)) for line in lines if line.strip()]
