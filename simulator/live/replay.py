"""``smtpsim live SCENARIO --replay``: the scenario's own messages through the real servers.

Each of the scenario's messages is composed as the sender's mail client
composes it and submitted at its ``at`` time (scaled by ``--time-scale``)
with the simulation's SMTP client over a real socket: 587 with STARTTLS or
465 with implicit TLS, the certificate checked against the live CA, AUTH
with the account's password (or the scenario's ``bad-password`` typo). Then
the queue does what it does; once every recipient is settled (delivered,
bounced with the DSN delivered too, or given up) the outcome lines are the
ones ``smtpsim run SCENARIO --outcomes`` prints for the simulation, so the
two can be compared line by line.

A scenario whose lesson needs something live mode cannot make real (an
on-path attacker, a forged certificate, modelled latency or loss) cannot be
replayed: ``cannot_replay`` says why.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from simulator.delivery.outcomes import outcome_lines, submission_of
from simulator.delivery.site import submitting_client, typed_password
from simulator.live.certs import client_context
from simulator.live.relay import drive_client
from simulator.mail.compose import compose
from simulator.protocols.smtp.client import OutgoingMessage, SMTPClient, SMTPClientConfig, TLSPolicy
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Host, Message, Role, Scenario

if TYPE_CHECKING:
    from simulator.live.runtime import LiveMode

# Faults about the modelled network or a forged certificate: the network and TLS are real here.
NOT_REPLAYABLE = {
    FaultKind.STARTTLS_STRIPPED: "a man in the middle strips STARTTLS: live mode has no on-path attacker",
    FaultKind.BAD_CERTIFICATE: "a forged or expired certificate: live certificates are real and valid",
    FaultKind.LATENCY: "modelled link latency: the loopback network is real",
    FaultKind.LOSS: "modelled packet loss: the loopback network is real",
}
SETTLE_MARGIN = 30.0  # real seconds beyond the scenario's own schedule before giving up waiting


def cannot_replay(scenario: Scenario) -> str | None:
    """Why ``scenario`` cannot be replayed on real servers, or None when it can."""
    if scenario.hosts_with_role(Role.ATTACKER):
        return "it has an on-path attacker, which live mode cannot place between real sockets"
    for fault in scenario.faults:
        if fault.kind in NOT_REPLAYABLE:
            return NOT_REPLAYABLE[fault.kind]
    if not scenario.messages:
        return "it has no messages to send"
    return None


async def replay(mode: LiveMode, *, timeout: float | None = None) -> list[dict[str, str | None]]:
    """Send the scenario's messages through the running ``mode``; the outcome lines once all is settled."""
    scenario, world = mode.scenario, mode.world
    world.submissions = [None] * len(scenario.messages)
    clock = world.clock
    sends = [asyncio.create_task(_send(mode, index, message)) for index, message in enumerate(scenario.messages)]
    await asyncio.gather(*sends)
    schedule = clock.schedule(scenario.queue)
    last = max(m.at for m in scenario.messages)
    limit = timeout if timeout is not None else (
        clock.real_seconds(last) + schedule.give_up_after + 3 * schedule.retry + SETTLE_MARGIN)
    try:
        async with asyncio.timeout(limit):
            while not _settled(mode):
                await asyncio.sleep(0.02)
    except TimeoutError:
        pass  # what is still open is reported as deferred
    return outcome_lines(world.submissions, world.accepted, world.ledger)


def _settled(mode: LiveMode) -> bool:
    world = mode.world
    if any(s is None for s in world.submissions):
        return False
    for submission in world.submissions:
        if submission is None or submission.queue_id is None:
            continue
        entry = world.accepted.get(submission.queue_id)
        if entry is not None and any(world.ledger.of(entry.message_id, r) is None for r in submission.recipients):
            return False
    return not (mode.queue and mode.queue.entries)  # the DSNs delivered too


async def _send(mode: LiveMode, index: int, message: Message) -> None:
    world = mode.world
    delay = world.clock.real_seconds(message.at) - world.clock.elapsed()
    if delay > 0:
        await asyncio.sleep(delay)
    mua = _sender(mode.scenario, message)
    account = mode.scenario.account(message.sender)
    port = mua.submit_port if mua is not None else 587
    implicit = port == 465
    content = compose(sender=message.sender, recipients=message.recipients, subject=message.subject,
                      body=message.body, t=world.clock.header_t(), extra_headers=message.headers)
    username = account.username if account else message.sender
    password = account.password if account else ""
    if mua is not None:
        password = typed_password(world.faults, mua, password)
        config = submitting_client(mua, username, password)
    else:
        config = SMTPClientConfig(helo_name="client.example", tls=TLSPolicy.REQUIRE_STARTTLS,
                                  username=username, password=password)
    client = SMTPClient(config, [OutgoingMessage(message.sender, message.recipients, content)])
    assert mode.certs is not None
    # A client set up to send straight to an MX (port 25) meets the live MX listener, as an outside client.
    service = "mta" if port == 25 else "msa-implicit" if implicit else "msa-starttls"
    server = world.mtas[0].hostname if port == 25 else world.msa.hostname
    address = (mode.connect_host, mode.ports[service])
    await drive_client(address, client, tls_context=client_context(mode.certs), server_name=server,
                       implicit=implicit)
    world.submissions[index] = submission_of(message.recipients, client)


def _sender(scenario: Scenario, message: Message) -> Host | None:
    sender = message.sender.lower()
    return next((h for h in scenario.hosts if h.role is Role.MUA and (h.account or "").lower() == sender), None)
