"""The trace as JSON Lines: one event a line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from simulator.trace.events import TraceEvent


# One encoder for every line: json.dumps with options would build a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def to_line(event: TraceEvent) -> str:
    """One event as one JSON line (without the newline)."""
    return _ENCODER.encode(event.to_json())


def to_jsonl(events: Iterable[TraceEvent]) -> Iterator[str]:
    for event in events:
        yield to_line(event)


def from_jsonl(lines: Iterable[str]) -> list[TraceEvent]:
    return [TraceEvent.from_json(json.loads(line)) for line in lines if line.strip()]
