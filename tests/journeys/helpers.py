"""Reading traces in tests: find steps in order, as a student would."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simulator.trace import TraceEvent

Match = Callable[[TraceEvent], bool]


def in_order(events: Sequence[TraceEvent], *matchers: tuple[str, Match]) -> list[TraceEvent]:
    """Each matcher must match a later event than the previous one; returns the matches."""
    found = []
    i = 0
    for label, match in matchers:
        while i < len(events) and not match(events[i]):
            i += 1
        assert i < len(events), f"not found in order: {label} (after {found[-1].text if found else 'start'!r})"
        found.append(events[i])
        i += 1
    return found


def line(dir: str, prefix: str, **fields) -> tuple[str, Match]:
    def match(e: TraceEvent) -> bool:
        if e.dir is None or e.dir.value != dir or not e.text.startswith(prefix):
            return False
        return all(getattr(e, k) == v for k, v in fields.items())

    return (f"{dir}: {prefix} {fields or ''}", match)


def kind(k: str, prefix: str = "", **fields) -> tuple[str, Match]:
    def match(e: TraceEvent) -> bool:
        return e.kind.value == k and e.text.startswith(prefix) and all(getattr(e, f) == v for f, v in fields.items())

    return (f"{k} {prefix} {fields or ''}", match)
