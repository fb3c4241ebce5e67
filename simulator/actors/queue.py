"""The sending MTA's queue in the simulation: the engine drives the shared delivery planner.

What to do next (MX order, retries, DSNs) is decided by
``simulator.delivery.planner``; this process only performs it on simulated
time: DNS lookups through ``dnsclient``, relay sessions through ``relay``,
waits as engine delays, and DSNs queued here like any other message.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.dnsclient import lookup
from simulator.actors.relay import relay_to
from simulator.delivery.outcomes import QueueEntry
from simulator.delivery.planner import (
    Action,
    DeliveryPlanner,
    Finished,
    LookUp,
    Note,
    Relay,
    failed_after_acceptance,
    failed_after_acceptance_note,
    queued_note,
    record,
    render_dsn,
    reports,
)
from simulator.mail.dsn import DSNAction
from simulator.mail.headers import header_value
from simulator.scenario.model import Host

if TYPE_CHECKING:
    from simulator.actors.world import World


PICKUP_DELAY = 1.0  # seconds from "queued" to the first delivery attempt


class OutboundQueue:
    """One host's queue (the MSA's, or an MX's for the bounces it writes); one process per message."""

    def __init__(self, world: World, host: Host) -> None:
        self.world = world
        self.host = host
        self.entries: dict[str, QueueEntry] = {}
        self.contents: dict[str, bytes] = {}

    def enqueue(self, queue_id: str, sender: str, recipients: tuple[str, ...], content: bytes) -> None:
        world = self.world
        entry = QueueEntry(queue_id, sender, tuple(recipients), world.env.now, self.host.id,
                           message_id=header_value(content, "Message-ID"))
        self.entries[queue_id] = entry
        self.contents[queue_id] = content
        self._perform(queued_note(queue_id, sender, tuple(recipients)), content)
        # The queue manager picks new mail up shortly after it is written.
        world.env.process(self._deliver(entry, content), delay=PICKUP_DELAY)

    def bounce_later(self, sender: str, rcpt: str, content: bytes, status: str, diagnostic: str,
                     *, delay: float) -> None:
        """A message this host accepted but then could not deliver (a remote bounce)."""
        world = self.world
        arrival = world.env.now  # it arrived here when this host said 250
        message_id = header_value(content, "Message-ID")

        def fail() -> Generator[Any, Any, None]:
            yield delay
            entry = failed_after_acceptance(world.queue_id(), sender, rcpt, arrival, self.host.id, message_id,
                                            status, diagnostic, world.env.now)
            self._perform(failed_after_acceptance_note(rcpt, diagnostic), content)
            for action in reports(entry, DSNAction.FAILED, self.host):
                self._perform(action, content)

        world.env.process(fail())

    def _deliver(self, entry: QueueEntry, content: bytes) -> Generator[Any, Any, None]:
        """Attempt, wait, retry: whatever the planner says, until it is finished."""
        world = self.world
        planner = DeliveryPlanner(entry, world.scenario.queue, self.host, world.by_ip, world.rng.shuffle)
        answer: Any = None
        while True:
            action = planner.next(answer, now=world.env.now)
            answer = None
            if isinstance(action, LookUp):
                answer = yield from lookup(world, self.host.id, action.name, action.rdtype)
            elif isinstance(action, Relay):
                answer = yield from relay_to(world, self.host, action, entry.sender, content)
            elif isinstance(action, Finished):
                return
            elif isinstance(action, Note):
                self._perform(action, content)
            else:
                # Only a retry or a DSN gets here (the action classes are disjoint, so the order of the
                # checks does not matter): their classes are imported when first asked for.
                from simulator.delivery._actions_more import Wait
                if isinstance(action, Wait):
                    yield action.seconds
                else:
                    self._perform(action, content)

    def _perform(self, action: Action, content: bytes) -> None:
        """A note for the trace, or a DSN to write and queue."""
        world = self.world
        if isinstance(action, Note):
            world.note(self.host.id, self.host.id, action.text, action.explain, action.rfc, kind=action.kind)
            return
        from simulator.delivery._actions_more import Report
        assert isinstance(action, Report)
        record(world.ledger, action)
        if action.dropped:
            return
        dsn = render_dsn(action, content, to_header=lambda t: t, t=world.env.now,
                         message_id=world.message_id(action.id_domain), boundary=world.boundary())
        self.enqueue(world.queue_id(), "", (action.entry.sender,), dsn)
