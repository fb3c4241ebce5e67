"""Against password guessing: a delay after each wrong password, and a cooling-off per client address.

Without it a client could try a thousand passwords a second. The guard keeps,
per client address and across connections, the times of its recent wrong
passwords:

- each wrong password is answered only after ``failure_delay`` (2 s, Dovecot's
  ``auth_failure_delay`` default); the live driver waits with asyncio and reads
  nothing more from that connection meanwhile;
- ``max_failures`` (10) wrong passwords within ``window`` (10 min) and the
  address is refused for ``cooloff`` (10 min): every attempt, right password or
  not, gets the protocol's "try again later" (SMTP ``421 4.7.0`` and close, IMAP
  ``NO [UNAVAILABLE]``, POP3 ``-ERR [SYS/TEMP]``) without being checked. The
  10-minute window and ban are fail2ban's defaults (``findtime``, ``bantime``;
  its default ``maxretry`` is 5, stricter than ours for one student's typos).

A successful login does not clear the count (Dovecot's penalty does): otherwise
someone with one account could interleave their own logins with guesses. The
machines ask the guard through ``simulator.protocols.common.LoginGate``; the
guard itself does no I/O and reads time from an injected clock.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class GuardLimits:
    failure_delay: float = 2.0  # seconds before a wrong password is answered (Dovecot auth_failure_delay)
    max_failures: int = 10  # wrong passwords per address within the window ...
    window: float = 600.0  # ... (seconds) before the address is refused
    cooloff: float = 600.0  # seconds the address is refused for
    max_addresses: int = 10_000  # addresses remembered at once (the oldest are forgotten): bounded memory


class AuthGuard:
    """Wrong passwords per client address, for every live server (one per live mode)."""

    def __init__(self, limits: GuardLimits = GuardLimits(), clock: Callable[[], float] = time.monotonic,
                 on_block: Callable[[str, GuardLimits], None] | None = None) -> None:
        self.limits = limits
        self.clock = clock
        self.on_block = on_block  # told when an address starts its cooling-off (live mode notes it in the trace)
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._blocked_until: OrderedDict[str, float] = OrderedDict()

    def blocked(self, address: str) -> bool:
        until = self._blocked_until.get(address)
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self._blocked_until[address]  # cooled off: a fresh start
        self._failures.pop(address, None)
        return False

    def failed(self, address: str) -> None:
        """A wrong password from ``address``."""
        now, limits = self.clock(), self.limits
        times = self._failures.pop(address, None) or deque(maxlen=limits.max_failures)
        while times and now - times[0] >= limits.window:
            times.popleft()
        times.append(now)
        self._failures[address] = times  # most recent last
        if len(times) >= limits.max_failures and address not in self._blocked_until:
            self._blocked_until[address] = now + limits.cooloff
            if self.on_block is not None:
                self.on_block(address, limits)
        for table in (self._failures, self._blocked_until):
            while len(table) > limits.max_addresses:
                table.popitem(last=False)

    def failures(self, address: str) -> int:
        """Wrong passwords from ``address`` still counted (within the window)."""
        now = self.clock()
        return sum(1 for t in self._failures.get(address, ()) if now - t < self.limits.window)

    def gate(self, address: str) -> AddressGate:
        """The ``LoginGate`` for one connection from ``address``."""
        return AddressGate(self, address)


class AddressGate:
    """One connection's view of the guard; it also tells the driver to hold back a wrong password's reply."""

    def __init__(self, guard: AuthGuard, address: str) -> None:
        self.guard = guard
        self.address = address
        self._pending = 0  # wrong passwords whose replies are not yet sent

    def allowed(self) -> bool:
        return not self.guard.blocked(self.address)

    def failed(self) -> None:
        self.guard.failed(self.address)
        self._pending += 1

    def take_delay(self) -> float:
        """Seconds to wait before sending what the machine just queued (0: send now).

        One delay per wrong password: pipelined guesses wait as long as guesses sent one by one.
        """
        pending, self._pending = self._pending, 0
        return pending * self.guard.limits.failure_delay
