"""A small discrete-event core, modelled on SimPy's ``core.py``.

Events wait in a heap of distinct times; each time has a bucket of two FIFO
queues, urgent first, then normal. Events at one instant therefore run in the
order they were scheduled (urgent ones before normal ones), which is exactly
the order a heap of ``(time, priority, sequence)`` gives, and what makes a
run deterministic. Sharing an instant is rare in real runs: the shipped
scenarios have 1.0 events per instant and ``bench/scale.py``'s generated
traffic 1.2 to 1.4, so nearly every push opens a new instant (a heap push of a
float and a dict insert); the bucket pays off only when many actors wake on
the same tick, as in ``bench/engine.py``'s first workload. What the run loop
saves in every case is SimPy's event objects: a sleeping process is resumed
inline. There is no wall clock: ``now`` only moves when the next time is taken.

Processes are generators. A process yields a number to sleep that many
simulated seconds, a :class:`Signal` to wait until someone fires it, or
another :class:`Process` to wait for it to finish. The value sent back is
``None`` after a sleep and the signal's value (or the process's return value)
otherwise.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from heapq import heappop, heappush
from typing import Any

ProcessGenerator = Generator[Any, Any, Any]
_NUMBERS = (int, float)


class EmptySchedule(Exception):
    """Raised by :meth:`Environment.step` when nothing is left to run."""


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

    The process object itself waits in the queue (no bound method per event);
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
        if type(target) in _NUMBERS:
            if target < 0:
                raise ValueError(f"a process yielded a negative delay: {target!r}")
            self._env.schedule(target, self, None)
        elif isinstance(target, Signal):
            target.wait(self)
        elif isinstance(target, Process):
            target.done.wait(self)
        else:
            raise TypeError(f"a process may yield a delay, a Signal or a Process, not {target!r}")


class Environment:
    """The simulated clock and its schedule."""

    __slots__ = ("_now", "_times", "_buckets")

    def __init__(self, initial_time: float = 0.0) -> None:
        self._now = float(initial_time)
        self._times: list[float] = []  # a heap of the distinct times that have events
        # time -> (urgent queue, normal queue) of (callback, value) pairs
        self._buckets: dict[float, tuple[deque, deque]] = {}

    @property
    def now(self) -> float:
        return self._now

    def _bucket(self, at: float) -> tuple[deque, deque]:
        bucket = self._buckets.get(at)
        if bucket is None:
            bucket = self._buckets[at] = (deque(), deque())
            heappush(self._times, at)
        return bucket

    def schedule(self, delay: float, callback: Callable[[Any], None], value: Any = None) -> None:
        """Call ``callback(value)`` ``delay`` simulated seconds from now."""
        if delay < 0:
            raise ValueError(f"negative delay {delay!r}")
        self._bucket(self._now + delay)[1].append((callback, value))

    def schedule_urgent(self, callback: Callable[[Any], None], value: Any = None) -> None:
        """Call ``callback(value)`` now, before normal events of this instant."""
        self._bucket(self._now)[0].append((callback, value))

    def process(self, gen: ProcessGenerator, delay: float = 0.0) -> Process:
        """Start a generator as a process, ``delay`` seconds from now."""
        proc = Process(self, gen)
        self.schedule(delay, proc)
        return proc

    def signal(self) -> Signal:
        return Signal(self)

    def peek(self) -> float:
        """The time of the next event, or infinity when the schedule is empty."""
        times = self._times
        if not times:
            return float("inf")
        urgent, normal = self._buckets[times[0]]
        if urgent or normal:
            return times[0]
        # step() took the last event of this instant and leaves its empty bucket at the top of
        # the heap until the next step (only the top can be empty): the next time is the smaller
        # of the top's children. Nothing is removed here, so peek() is safe inside run() too.
        rest = times[1:3]
        return min(rest) if rest else float("inf")

    def _next(self) -> tuple[Callable[[Any], None], Any] | None:
        """Take the next event, advancing the clock; None when empty."""
        times, buckets = self._times, self._buckets
        while times:
            at = times[0]
            urgent, normal = buckets[at]
            if urgent or normal:
                self._now = at
                return urgent.popleft() if urgent else normal.popleft()
            heappop(times)
            del buckets[at]
        return None

    def step(self) -> None:
        """Run exactly one event."""
        item = self._next()
        if item is None:
            raise EmptySchedule()
        callback, value = item
        callback(value)

    def run(self, until: float | None = None) -> None:
        """Run until the schedule is empty, or until simulated time ``until``.

        Events scheduled exactly at ``until`` run; the clock then reads ``until``.
        """
        if until is not None and until < self._now:
            raise ValueError(f"until={until} lies in the past (now={self._now})")
        horizon = float("inf") if until is None else float(until)
        times, buckets = self._times, self._buckets
        process_type = Process
        numbers = _NUMBERS
        while times:
            at = times[0]
            if at > horizon:
                break
            self._now = at
            urgent, normal = buckets[at]
            # Drain this instant. Events scheduled for it while it runs join
            # the same queues, behind what is already there: FIFO, as a
            # (time, sequence) heap would order them.
            while True:
                if urgent:
                    target, value = urgent.popleft()
                elif normal:
                    target, value = normal.popleft()
                else:
                    break
                if type(target) is process_type:
                    # Inline resume: the common case of a process sleeping.
                    try:
                        delay = target._gen.send(value)
                    except StopIteration as finished:
                        target._finish(finished.value)
                        continue
                    if type(delay) in numbers and delay >= 0:
                        when = at + delay
                        bucket = buckets.get(when)
                        if bucket is None:
                            bucket = buckets[when] = (deque(), deque())
                            heappush(times, when)
                        bucket[1].append((target, None))
                    else:
                        target._dispatch(delay)
                else:
                    target(value)
            heappop(times)
            del buckets[at]
        if until is not None:
            self._now = horizon
