"""A small discrete-event core, modelled on SimPy's ``core.py``.

Normal events wait in a heap of ``(time, sequence, callback, value)``; urgent
events, which are always for the current time, wait in a FIFO beside it and
run first. That is the order of SimPy's ``(time, priority, sequence)`` heap
with priority 0 for urgent and 1 for normal: events at one instant run in the
order they were scheduled, urgent ones before normal ones, which makes a run
deterministic (a hypothesis test compares the two orders). There is no wall
clock: ``now`` only moves when the next event is taken.

Processes are generators. A process yields a number to sleep that many
simulated seconds, a :class:`Signal` to wait until someone fires it, or
another :class:`Process` to wait for it to finish. The value sent back is
``None`` after a sleep and the signal's value (or the process's return value)
otherwise.

What it saves over SimPy is objects and calls, not queue work: a sleep is one
heap entry and no event object, a process is the signal of its own end, and
the run loop resumes a process inline. On ``bench/engine.py``'s workloads
(process CPU time, same run) that is about 2x SimPy with float delays and
request/reply through signals, which is what simulation runs look like (1.0
to 1.4 events per instant), and about 1.8x with 100 processes waking at the
same instants (see docs/benchmarks.md).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from heapq import heappop, heappush
from itertools import count
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
        waiters = self._waiters
        if waiters:
            urgent = self._env._urgent
            if len(waiters) == 1:  # the usual case: one process waits for one answer
                urgent.append((waiters[0], value))
            else:
                urgent.extend([(waiter, value) for waiter in waiters])
            waiters.clear()

    def wait(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(value)`` once fired (at once, if it already has)."""
        if self.fired:
            self._env.schedule_urgent(callback, self.value)
        else:
            self._waiters.append(callback)


class Process(Signal):
    """Drives one generator; created by :meth:`Environment.process`.

    A process is also the signal of its own end (``done``): it fires with the
    generator's return value, so waiting on a process costs no second object.
    The process object itself waits in the queue (no bound method per event);
    the run loop recognises it and resumes it inline.
    """

    __slots__ = ("_gen", "result")

    def __init__(self, env: Environment, gen: ProcessGenerator) -> None:
        self._env = env
        self._waiters = []
        self.fired = False
        self.value = None
        self._gen = gen
        self.result: Any = None

    @property
    def done(self) -> Signal:
        """Fired with the process's return value when its generator ends."""
        return self

    def fire(self, value: Any = None) -> None:
        raise RuntimeError("a process fires by itself when its generator ends")

    def __call__(self, value: Any = None) -> None:
        try:
            target = self._gen.send(value)
        except StopIteration as stop:
            self._finish(stop.value)
            return
        self._dispatch(target)

    def _finish(self, result: Any) -> None:
        self.result = result
        Signal.fire(self, result)

    def _dispatch(self, target: Any) -> None:
        if type(target) in _NUMBERS:
            if target < 0:
                raise ValueError(f"a process yielded a negative delay: {target!r}")
            self._env.schedule(target, self, None)
        elif isinstance(target, Signal):  # a Process too: it is the signal of its end
            target.wait(self)
        else:
            raise TypeError(f"a process may yield a delay, a Signal or a Process, not {target!r}")


class Environment:
    """The simulated clock and its schedule."""

    __slots__ = ("_now", "_queue", "_urgent", "_seq")

    def __init__(self, initial_time: float = 0.0) -> None:
        self._now = float(initial_time)
        # Normal events: a heap of (time, sequence, callback, value); the sequence number breaks
        # ties in scheduling order and the callback is never compared.
        self._queue: list[tuple[float, int, Any, Any]] = []
        # Urgent events are always for the current time and run before any normal one: a FIFO
        # beside the heap, which orders them as priority 0 in a (time, priority, sequence) heap.
        self._urgent: deque[tuple[Any, Any]] = deque()
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
        self._urgent.append((callback, value))

    def process(self, gen: ProcessGenerator, delay: float = 0.0) -> Process:
        """Start a generator as a process, ``delay`` seconds from now."""
        proc = Process(self, gen)
        self.schedule(delay, proc)
        return proc

    def signal(self) -> Signal:
        return Signal(self)

    def peek(self) -> float:
        """The time of the next event, or infinity when the schedule is empty."""
        if self._urgent:
            return self._now
        return self._queue[0][0] if self._queue else float("inf")

    def step(self) -> None:
        """Run exactly one event."""
        if self._urgent:
            callback, value = self._urgent.popleft()
        elif self._queue:
            self._now, _, callback, value = heappop(self._queue)
        else:
            raise EmptySchedule()
        callback(value)

    def run(self, until: float | None = None) -> None:
        """Run until the schedule is empty, or until simulated time ``until``.

        Events scheduled exactly at ``until`` run; the clock then reads ``until``.
        """
        if until is not None and until < self._now:
            raise ValueError(f"until={until} lies in the past (now={self._now})")
        horizon = float("inf") if until is None else float(until)
        queue, urgent, seq = self._queue, self._urgent, self._seq
        process_type, signal_type = Process, Signal
        at = self._now
        while True:
            if urgent:
                target, value = urgent.popleft()
            elif queue and queue[0][0] <= horizon:
                at, _, target, value = heappop(queue)
                self._now = at
            else:
                break
            if type(target) is not process_type:
                target(value)
                continue
            # Inline resume: what Process.__call__ and _dispatch do, without the calls. A process
            # sleeps (a number), or waits on a signal or on another process's end.
            try:
                yielded = target._gen.send(value)
            except StopIteration as finished:
                target._finish(finished.value)
                continue
            kind = type(yielded)
            if (kind is float or kind is int) and yielded >= 0:
                heappush(queue, (at + yielded, next(seq), target, None))
                continue
            if kind is not signal_type and kind is not process_type:
                target._dispatch(yielded)  # a negative delay or nonsense: its error
                continue
            if yielded.fired:
                urgent.append((target, yielded.value))
            else:
                yielded._waiters.append(target)
        if until is not None:
            self._now = horizon
