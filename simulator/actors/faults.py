"""Which faults are in force at a given moment, and how often they have hit."""

from __future__ import annotations

from collections.abc import Callable

from simulator.scenario.faults import Fault


class FaultBook:
    """Answers "is fault X active on Y now?" and counts the attempts it met.

    A fault limited to N attempts affects the first N times its target is
    tried; every check that finds it in its time window counts as one.
    """

    def __init__(self, faults: tuple[Fault, ...], clock: Callable[[], float]) -> None:
        self._faults = faults
        self._clock = clock
        self._hits = [0] * len(faults)

    def __bool__(self) -> bool:
        return bool(self._faults)

    def hit(self, kind: str, subject: str) -> Fault | None:
        """The active fault of this kind on this subject, counting this attempt."""
        subject = subject.lower()
        return self._first(kind, lambda f: f.subject.lower() == subject)

    def on_link(self, kind: str, a: str, b: str) -> Fault | None:
        """A link fault between two hosts, in either direction."""
        return self._first(kind, lambda f: f.link is not None and set(f.link) == {a, b})

    def _first(self, kind: str, matches: Callable[[Fault], bool]) -> Fault | None:
        now = self._clock()
        for i, fault in enumerate(self._faults):
            if fault.kind != kind or not matches(fault):
                continue
            if now < fault.start or (fault.until is not None and now >= fault.until):
                continue
            if fault.attempts is not None and self._hits[i] >= fault.attempts:
                continue
            self._hits[i] += 1
            return fault
        return None

    def of_kind(self, kind: str) -> list[Fault]:
        return [f for f in self._faults if f.kind == kind]
