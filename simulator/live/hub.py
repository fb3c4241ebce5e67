"""What the live sessions share: connection caps, the idle sweep, and who-is-who on the MX port.

The queue's relay connections come from this very process; before one is
opened, the queue registers its local address here with the MX host it is
meant for, so the MX listener can greet as that host and apply its faults.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulator.live.authguard import AuthGuard, GuardLimits
from simulator.scenario.model import Host
from simulator.trace.events import Kind

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld
    from simulator.live.server import Session

DEFAULT_IDLE_TIMEOUT = 300.0  # RFC 5321 §4.5.3.2.7: a server waits at least 5 minutes for a command
DEFAULT_MAX_CONNECTIONS = 100  # per group (submission, MX, mailbox store)
# Before the greeting on an implicit-TLS port, and after STARTTLS: the handshake must end in this time.
DEFAULT_HANDSHAKE_TIMEOUT = 30.0
# From the greeting to the first complete command: shorter than the idle timeout, so that silent
# connections cannot hold every slot for 5 minutes (RFC 9051 §5.4 allows a short pre-login timer).
DEFAULT_GREETING_TIMEOUT = 60.0
ERROR_SLEEP = 1.0  # Postfix's smtpd_error_sleep_time: the delay of each reply past the soft error limit


def default_per_address(max_connections: int) -> int:
    """Half the group's cap (50 of 100, Postfix's smtpd_client_connection_count_limit): one address
    can never hold every slot."""
    return max(1, max_connections // 2)


def default_greeting_timeout(idle_timeout: float) -> float:
    """60 s, or the idle timeout if that is shorter: the first command never gets longer than the others."""
    return min(DEFAULT_GREETING_TIMEOUT, idle_timeout)


class ConnectionCap:
    """Concurrent connections of one service group, in all and per client address (Postfix's anvil)."""

    def __init__(self, limit: int, per_address: int | None = None) -> None:
        self.limit = limit
        self.per_address = per_address if per_address is not None else default_per_address(limit)
        self.count = 0
        self.by_address: dict[str, int] = {}  # only addresses with open connections

    def acquire(self, address: str = "", *, exempt: bool = False) -> str | None:
        """Take a slot: None, or why not ("cap" or "address")."""
        if self.count >= self.limit:
            return "cap"
        if not exempt and self.by_address.get(address, 0) >= self.per_address:
            return "address"
        self.count += 1
        if not exempt:
            self.by_address[address] = self.by_address.get(address, 0) + 1
        return None

    def release(self, address: str = "", *, exempt: bool = False) -> None:
        self.count = max(0, self.count - 1)
        if not exempt and address in self.by_address:
            left = self.by_address[address] - 1
            if left > 0:
                self.by_address[address] = left
            else:
                del self.by_address[address]


class Hub:
    """The sessions of every listener: caps, idle sweeps, who-is-who for relay connections."""

    def __init__(self, world: LiveWorld, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                 handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT, greeting_timeout: float | None = None,
                 error_sleep: float = ERROR_SLEEP) -> None:
        self.world = world
        self.idle_timeout = idle_timeout
        self.handshake_timeout = handshake_timeout
        self.greeting_timeout = default_greeting_timeout(idle_timeout) if greeting_timeout is None else greeting_timeout
        self.error_sleep = error_sleep
        self.sessions: set[Session] = set()
        # local address of a relay connection -> (the MX it is meant for, the sending host, its queue id)
        self.identities: dict[tuple[str, int], tuple[Host, Host, str]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task | None = None
        self.auth_guard = AuthGuard(on_block=self._note_block)  # wrong passwords per address, across connections
        self.sleep: Callable[[float], Any] = asyncio.sleep  # how a session waits (tests put a fake here)

    def _note_block(self, address: str, limits: GuardLimits) -> None:
        msa = self.world.msa.id
        self.world.trace.emit(
            Kind.NOTE, msa, msa,
            f"{address}: {limits.max_failures} wrong passwords within {limits.window / 60:g} minutes: every login "
            f"from it is refused for {limits.cooloff / 60:g} minutes",
            "Guessing passwords is made slow: each wrong one is answered after a delay, and an address that "
            "keeps trying is refused for a while, even with the right password (SMTP 421 4.7.0, IMAP NO "
            "[UNAVAILABLE], POP3 -ERR [SYS/TEMP]).", rfc="RFC 5321 §3.8")

    def register(self, local: tuple[str, int], target: Host, origin: Host, queue_id: str) -> Callable[[], None]:
        """The queue announces a connection it is about to open from ``local`` to the MX ``target``."""
        self.identities[local] = (target, origin, queue_id)

        def withdraw() -> None:
            self.identities.pop(local, None)

        return withdraw

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="idle-sweeper")

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _sweep(self) -> None:
        # One sweep for both timeouts: each session says which one applies to it now (Session.patience).
        period = max(0.05, min(1.0, min(self.idle_timeout, self.greeting_timeout) / 4))
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for session in [s for s in self.sessions if now - s.last_progress > s.patience]:
                session.timeout()

    async def close(self, grace: float = 1.0) -> None:
        """Say goodbye on every open connection (421, BYE, -ERR), then close them."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        for session in list(self.sessions):
            session.shutdown()
        deadline = time.monotonic() + grace
        while self.sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for session in list(self.sessions):
            session.abort()
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=0.3)  # handshakes and verdicts, cancelled
