"""The recorder reuses its rounding of the clock while the clock stands still: the times stay round(now, 6)."""

from __future__ import annotations

import json

from simulator.trace.events import Kind
from simulator.trace.recorder import TraceRecorder

# Readings as a clock may give them: repeated, an int equal to the float before it, zero and
# minus zero (equal, but written differently), values whose rounding moves the last digit.
READINGS = [1.25, 1.25, 1, 1, 1.0, 0.0, -0.0, -0.0, 0.0, 2.0000004, 2.0000004, 2.0000006, 3, 3.0, 3, 0.0, 0]


def _recorded(mode: str) -> list[tuple[object, str]]:
    clock = iter(READINGS)
    lines: list[str] = []
    recorder = TraceRecorder(lambda: next(clock), lines=lines.append if mode == "lines" else None)
    for _ in READINGS:
        recorder.emit(Kind.NOTE, "world", "", "x", "y")
    if mode == "lines":
        return [(json.loads(line)["t"], line.split('"t": ', 1)[1].split(",", 1)[0]) for line in lines]
    return [(e.t, repr(e.t)) for e in recorder.events]


def test_times_are_the_rounded_clock_in_every_mode() -> None:
    want = [(round(r, 6), repr(round(r, 6))) for r in READINGS]
    assert _recorded("kept") == want
    assert _recorded("lines") == want
    assert [type(t) for t, _ in _recorded("kept")] == [type(r) for r in READINGS]  # an int stays an int
