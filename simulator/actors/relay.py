"""One delivery attempt from the queue to one MX address on port 25."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.sessions import session
from simulator.protocols.smtp.client import OutgoingMessage, SMTPClient, SMTPClientConfig, TLSPolicy
from simulator.scenario.model import Host, Role

if TYPE_CHECKING:
    from simulator.actors.queue import QueueEntry
    from simulator.actors.world import World


def relay_to(world: World, sender: Host, address: str, mx_name: str, entry: QueueEntry,
             rcpts: list[str]) -> Generator[Any, Any, bool]:
    """True when this MX gave an answer for the recipients (accept or refuse)."""
    from simulator.actors.queue import Outcome

    target = world.by_ip.get(address)
    if target is None or target.role is not Role.MTA:
        world.note(sender.id, sender.id, f"no host answers at {address} ({mx_name})",
                   "Nothing answers at that address; the sender moves on to the next MX.", "RFC 5321 §5.1")
        return False
    client = SMTPClient(
        SMTPClientConfig(helo_name=sender.hostname, tls=TLSPolicy.OPPORTUNISTIC),
        [OutgoingMessage(entry.sender, tuple(rcpts), entry.content)],
    )
    outcome = yield from session(world, sender, target, 25, client, verify=sender.relay_tls == "verify")
    if outcome != "ok":
        return False
    results = client.results[0] if client.results else {}
    if not results:
        return False  # no transaction happened (e.g. 421 at greeting): try the next MX
    now = world.env.now
    for rcpt in rcpts:
        if rcpt not in results:
            continue
        code, enhanced, text = results[rcpt]
        diagnostic = f"{code} {enhanced + ' ' if enhanced else ''}{text}"
        if 200 <= code < 300:
            entry.outcomes[rcpt] = Outcome("delivered", enhanced or "2.0.0", diagnostic, target.hostname, now)
        elif code >= 500:
            entry.outcomes[rcpt] = Outcome("failed", enhanced or "5.0.0", diagnostic, target.hostname, now)
        else:
            entry.outcomes[rcpt] = Outcome("deferred", enhanced or "4.0.0", diagnostic, target.hostname, now)
    return True
