"""A small discrete-event core, modelled on SimPy's ``core.py``.

The queue is a heap of ``(time, key, target, value)`` tuples. ``key`` is a
sequence number that breaks ties so equal-time events run in the order they
were scheduled (that is what makes a run deterministic); urgent events get a
key below every normal one, which folds SimPy's separate priority field into
one integer and keeps heap comparisons short. There is no wall clock: ``now``
only moves when an event is popped.

Processes are generators. A process yields a number to sleep that many
simulated seconds, a :class:`Signal` to wait until someone fires it, or
another :class:`Process` to wait for it to finish. The value sent back is
``None`` after a sleep and the signal's value (or the process's return value)
otherwise. Keeping that protocol tiny keeps the hot path to one heappop, one
``send`` and one heappush per event.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from heapq import heappop, heappush
from itertools import count
from typing import Any

ProcessGenerator = Generator[Any, Any, Any]

# Urgent keys sort below every normal key at the same time.
_URGENT_OFFSET = -(1 << 62)


class EmptySchedule(Exception):
    """Raised by :meth:`Environment.step` when nothing is left to run."""


class _Stop:
    """The sentinel that ends :meth:`Environment.run` at its horizon."""

    __slots__ = ()


_STOP = _Stop()


class Signal:
    """A one-shot event that processes can wait on; fired with a value."""

    __slots__ = ("_env", "_waiters", "fired", "value")

    def __init__(self, env: Environment) -> None:
        self._env = env
        self._waiters: list[Callable[[Any], None]] = []
        self.fired = False
        self.value: Any = None

    def fire(self, value: Any = None) -> None:
        if self.fired:
            raise RuntimeError("a Signal fires once")
        self.fired = True
        self.value = value
        for waiter in self._waiters:
            self._env.schedule_urgent(waiter, value)
        self._waiters.clear()

    def wait(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(value)`` once fired (at once, if it already has)."""
        if self.fired:
            self._env.schedule_urgent(callback, self.value)
        else:
            self._waiters.append(callback)


class Process:
    """Drives one generator; created by :meth:`Environment.process`.

    The process object itself sits in the heap (no bound method per event);
    the run loop recognises it and resumes it inline.
    """

    __slots__ = ("_gen", "_env", "done", "result")

    def __init__(self, env: Environment, gen: ProcessGenerator) -> None:
        self._env = env
        self._gen = gen
        self.done = Signal(env)
        self.result: Any = None

    def __call__(self, value: Any = None) -> None:
        try:
            target = self._gen.send(value)
        except StopIteration as stop:
            self._finish(stop.value)
            return
        self._dispatch(target)

    def _finish(self, result: Any) -> None:
        self.result = result
        self.done.fire(result)

    def _dispatch(self, target: Any) -> None:
        env = self._env
        if type(target) is float or type(target) is int:
            if target < 0:
                raise ValueError(f"a process yielded a negative delay: {target!r}")
            heappush(env._queue, (env._now + target, next(env._seq), self, None))
        elif isinstance(target, Signal):
            target.wait(self)
        elif isinstance(target, Process):
            target.done.wait(self)
        else:
            raise TypeError(f"a process may yield a delay, a Signal or a Process, not {target!r}")


class Environment:
    """The simulated clock and its schedule."""

    __slots__ = ("_now", "_queue", "_seq")

    def __init__(self, initial_time: float = 0.0) -> None:
        self._now = float(initial_time)
        self._queue: list[tuple[float, int, Any, Any]] = []
        self._seq = count()

    @property
    def now(self) -> float:
        return self._now

    def schedule(self, delay: float, callback: Callable[[Any], None], value: Any = None) -> None:
        """Call ``callback(value)`` ``delay`` simulated seconds from now."""
        if delay < 0:
            raise ValueError(f"negative delay {delay!r}")
        heappush(self._queue, (self._now + delay, next(self._seq), callback, value))

    def schedule_urgent(self, callback: Callable[[Any], None], value: Any = None) -> None:
        """Call ``callback(value)`` now, before normal events of this instant."""
        heappush(self._queue, (self._now, _URGENT_OFFSET + next(self._seq), callback, value))

    def process(self, gen: ProcessGenerator, delay: float = 0.0) -> Process:
        """Start a generator as a process, ``delay`` seconds from now."""
        proc = Process(self, gen)
        self.schedule(delay, proc)
        return proc

    def signal(self) -> Signal:
        return Signal(self)

    def peek(self) -> float:
        """The time of the next event, or infinity when the schedule is empty."""
        return self._queue[0][0] if self._queue else float("inf")

    def step(self) -> None:
        """Run exactly one event."""
        try:
            self._now, _, callback, value = heappop(self._queue)
        except IndexError:
            raise EmptySchedule() from None
        if callback is not _STOP:
            callback(value)

    def run(self, until: float | None = None) -> None:
        """Run until the schedule is empty, or until simulated time ``until``.

        Events scheduled exactly at ``until`` run; the clock then reads ``until``.
        """
        queue = self._queue
        if until is not None:
            if until < self._now:
                raise ValueError(f"until={until} lies in the past (now={self._now})")
            # A sentinel after every event already due at `until` ends the loop,
            # so the hot loop needs no horizon test per event.
            stop_key = (1 << 62) - 1
            heappush(queue, (float(until), stop_key, _STOP, None))
        seq = self._seq
        process_type = Process
        stop = _STOP
        while queue:
            now, _, target, value = heappop(queue)
            self._now = now
            if type(target) is process_type:
                # Inline resume: the common case of a process sleeping.
                try:
                    delay = target._gen.send(value)
                except StopIteration as finished:
                    target._finish(finished.value)
                    continue
                if (type(delay) is float or type(delay) is int) and delay >= 0:
                    heappush(queue, (now + delay, next(seq), target, None))
                else:
                    target._dispatch(delay)
            elif target is stop:
                return
            else:
                target(value)
