"""Waiting in a session that a server may wake: IMAP IDLE (RFC 2177) in the simulation.

``drive_session`` pumps bytes while either side has something to say. An
IDLE client has nothing to say and is not done: it waits until the server
has news (the store told the server, which calls its wakeup) or until its
IDLE timer runs out (RFC 2177: at most 29 minutes). This gives the driver
one Signal for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from simulator.engine import Signal
from simulator.protocols.common import Unprompted

if TYPE_CHECKING:
    from simulator.actors.world import World


# client -> (which IDLE it is in, when that IDLE's timer runs out): news wakes the client
# but does not restart the timer; a new IDLE command does.
_DEADLINES: WeakKeyDictionary[Any, tuple[int, float]] = WeakKeyDictionary()


def idle_wait(world: World, client: Any, server: Any) -> Signal | None:
    """A Signal that fires when the server has unprompted output or the client's IDLE timer ends;
    None when the session is not one that waits (then it is over)."""
    timeout = getattr(client, "idle_timeout", None)
    if timeout is None or client.closed or server.closed or not isinstance(server, Unprompted):
        return None
    signal = world.env.signal()
    now = world.env.now
    round_, deadline = _DEADLINES.get(client, (-1, 0.0))
    if round_ != client.idle_round:
        round_, deadline = client.idle_round, now + timeout
        _DEADLINES[client] = (round_, deadline)

    def wake() -> None:
        if not signal.fired:
            signal.fire()

    def expire(_value: object = None) -> None:
        if not signal.fired:
            client.idle_expired()
            signal.fire()

    server.set_wakeup(wake)
    world.env.schedule(max(0.0, deadline - now), expire)
    return signal
