"""One delivery attempt from the queue to one MX address on port 25."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.sessions import SessionResult, session
from simulator.delivery.planner import Relay, RelayResult
from simulator.protocols.smtp.client import OutgoingMessage, SMTPClient, SMTPClientConfig, TLSPolicy
from simulator.scenario.model import Host

if TYPE_CHECKING:
    from simulator.actors.world import World


def relay_to(world: World, sender: Host, relay: Relay, mail_from: str,
             content: bytes) -> Generator[Any, Any, RelayResult]:
    """Offer the message to the MX; the final reply per recipient, or none if no transaction happened."""
    client = SMTPClient(
        SMTPClientConfig(helo_name=sender.hostname, tls=TLSPolicy.OPPORTUNISTIC),
        [OutgoingMessage(mail_from, relay.recipients, content)],
    )
    outcome = yield from session(world, sender, relay.host, 25, client, verify=sender.relay_tls == "verify")
    if outcome is not SessionResult.OK:
        return RelayResult({})
    results = client.results[0] if client.results else {}
    return RelayResult({rcpt: (r.code, r.enhanced, r.text) for rcpt, r in results.items()})
