"""The trace as JSON Lines: one event a line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from simulator.trace.events import TraceEvent


def to_line(event: TraceEvent) -> str:
    """One event as one JSON line (without the newline)."""
    return json.dumps(event.to_json(), ensure_ascii=False, separators=(", ", ": "))


def to_jsonl(events: Iterable[TraceEvent]) -> Iterator[str]:
    for event in events:
        yield to_line(event)


def from_jsonl(lines: Iterable[str]) -> list[TraceEvent]:
    return [TraceEvent.from_json(json.loads(line)) for line in lines if line.strip()]
