"""The player's state: which step is shown, whether it plays, and how fast.

Plain Python (no Textual) so it can be tested alone; the player screen mirrors
it into reactive attributes. Stepping only moves an index over a finished
trace: the engine never runs again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from simulator.trace.events import TraceEvent

SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
BASE_TICK = 0.6  # seconds per step at x1: slow enough to read a line


class Player:
    """An index over ``length`` steps, with play/pause and a speed."""

    def __init__(self, length: int, speed: float = 1.0) -> None:
        self.length = max(0, length)
        self.index = 0
        self.playing = False
        self._speed = SPEEDS.index(speed) if speed in SPEEDS else SPEEDS.index(1.0)

    # -- where we are ---------------------------------------------------------------
    @property
    def last_index(self) -> int:
        return max(0, self.length - 1)

    @property
    def at_start(self) -> bool:
        return self.index == 0

    @property
    def at_end(self) -> bool:
        return self.index >= self.last_index

    def load(self, length: int) -> None:
        """A new trace: back to its first step, paused; the speed stays."""
        self.length = max(0, length)
        self.index = 0
        self.playing = False

    # -- moving -----------------------------------------------------------------------
    def jump(self, index: int) -> int:
        self.index = min(max(0, index), self.last_index)
        return self.index

    def next(self) -> bool:
        """One step on; False when already at the end."""
        if self.at_end:
            return False
        self.index += 1
        return True

    def back(self) -> bool:
        if self.at_start:
            return False
        self.index -= 1
        return True

    def first(self) -> None:
        self.index = 0

    def last(self) -> None:
        self.index = self.last_index

    # -- playing ----------------------------------------------------------------------
    def play(self) -> None:
        # Playing from the last step would stop at once; start over instead.
        if self.at_end:
            self.index = 0
        self.playing = self.length > 1

    def pause(self) -> None:
        self.playing = False

    def toggle(self) -> bool:
        if self.playing:
            self.pause()
        else:
            self.play()
        return self.playing

    def tick(self) -> bool:
        """One timer tick while playing: a step on; pauses on reaching the end."""
        if not self.playing:
            return False
        moved = self.next()
        if self.at_end:
            self.playing = False
        return moved

    # -- speed ------------------------------------------------------------------------
    @property
    def speed(self) -> float:
        return SPEEDS[self._speed]

    @property
    def tick_seconds(self) -> float:
        return BASE_TICK / self.speed

    def faster(self) -> bool:
        if self._speed == len(SPEEDS) - 1:
            return False
        self._speed += 1
        return True

    def slower(self) -> bool:
        if self._speed == 0:
            return False
        self._speed -= 1
        return True


def format_speed(speed: float) -> str:
    """``x0.25``, ``x1``, ``x8``."""
    return f"x{speed:g}"


def same_moment(old: Sequence[TraceEvent], new: Sequence[TraceEvent], index: int) -> int:
    """Where to stand in ``new`` after a re-run that replaced ``old`` while at ``index``.

    The same index when the two runs are identical up to it; otherwise the
    last step of ``new`` at or before the same simulated time (0 if none).
    """
    if not new or not old:
        return 0
    index = min(max(0, index), len(old) - 1)
    if index < len(new) and old[: index + 1] == new[: index + 1]:
        return index
    times = [e.t for e in new]
    return max(0, bisect_right(times, old[index].t) - 1)
