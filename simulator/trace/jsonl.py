"""The trace as JSON Lines: one event a line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring

from simulator.trace.events import Direction, Kind, TLSMode, TraceEvent

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


def _plain(event: TraceEvent) -> bool:
    """The types the fast path knows (anything else, e.g. a NaN time, goes through json)."""
    t = event.t
    return (
        (type(t) is float and t - t == 0.0 or type(t) is int)
        and type(event.step) is int
        and (event.port is None or type(event.port) is int)
        and (event.conn is None or type(event.conn) is int)
        and type(event.content) is bool
    )


def to_line(event: TraceEvent) -> str:
    """One event as one JSON line (without the newline)."""
    if not _plain(event):
        return _ENCODER.encode(event.to_json())
    port, conn, rfc = event.port, event.conn, event.rfc
    return (
        f'{{"step": {event.step}, "t": {event.t!r}, "kind": {_KIND[event.kind]}, '
        f'"src": {encode_basestring(event.src)}, "dst": {encode_basestring(event.dst)}, '
        f'"port": {"null" if port is None else port}, "tls": {_TLS[event.tls]}, "dir": {_DIR[event.dir]}, '
        f'"text": {encode_basestring(event.text)}, "explain": {encode_basestring(event.explain)}, '
        f'"conn": {"null" if conn is None else conn}, '
        f'"rfc": {"null" if rfc is None else encode_basestring(rfc)}, '
        f'"content": {"true" if event.content else "false"}}}'
    )


def to_jsonl(events: Iterable[TraceEvent]) -> Iterator[str]:
    for event in events:
        yield to_line(event)


def from_jsonl(lines: Iterable[str]) -> list[TraceEvent]:
    return [TraceEvent.from_json(json.loads(line)) for line in lines if line.strip()]
