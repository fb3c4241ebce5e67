"""The live servers' decisions: who may log in, relay, and what an accepted message becomes.

The rules are the simulation's. The submission server accepts logins of the
scenario's accounts and, once logged in, mail for anywhere (the state machine
itself refuses MAIL before AUTH and relaying for anyone else); what it takes
goes to the durable queue before the 250. The MX takes mail only for its
domains' existing mailboxes, asking ``simulator.actors.servers.InboundPolicy``
(user unknown, mailbox full, greylisting: the scenario's faults) for each
recipient, and writes the message into the Maildir before the 250.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.actors.servers import InboundPolicy, SubmissionPolicy
from simulator.mail.headers import complete_submission, imap_date, prepend_header, received_header
from simulator.protocols.smtp.policy import Envelope, ServerPolicy
from simulator.protocols.smtp.replies import Reply
from simulator.scenario.model import Host
from simulator.trace.events import Kind

QUEUE_WRITE_ERROR = Reply(451, "4.3.0", "Error: queue file write error")

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld
    from simulator.live.queue import LiveQueue
    from simulator.live.store import MaildirStore



class LiveSubmissionPolicy(SubmissionPolicy):
    """The simulation's MSA rules (the scenario's accounts log in, a logged-in user may send
    anywhere, RFC 6409 §4.3); accepted mail goes to the durable queue instead."""

    def __init__(self, world: LiveWorld, host: Host, peer: Host, queue: LiveQueue) -> None:
        super().__init__(world, host, peer, queue)  # type: ignore[arg-type]

    def accept_message(self, envelope: Envelope, content: bytes) -> Reply:
        queue_id = self.world.queue_id()
        t = self.world.clock.header_t()
        domain = self.host.domains[0] if self.host.domains else self.host.hostname
        content = complete_submission(
            content, helo=envelope.helo, client_host=self.peer.hostname, client_ip=self.peer.ip,
            msa_host=self.host.hostname, with_protocol=envelope.transmission_type, recipients=envelope.rcpt_to,
            queue_id=queue_id, message_id=lambda: self.world.message_id(domain), t=t,
        )
        try:
            self.queue.submit(queue_id, envelope.mail_from or "", envelope.rcpt_to, content, origin=self.host)
        except OSError:
            return QUEUE_WRITE_ERROR
        return Reply(250, "2.0.0", f"Ok: queued as {queue_id}")


class LiveMXPolicy(ServerPolicy):
    """Every MX of the scenario behind one listener: each recipient goes to its domain's MX.

    ``identity`` is the MX the client meant (the queue says which; an outside
    client gets the first MX). Each recipient is judged by the MX that serves
    its domain, with the simulation's own ``InboundPolicy.check_recipient``.
    """

    def __init__(self, world: LiveWorld, identity: Host, peer: Host, store: MaildirStore, queue: LiveQueue) -> None:
        self.world = world
        self.identity = identity
        self.peer = peer
        self.store = store
        self.queue = queue
        self._inbound = {h.id: InboundPolicy(world, h, peer, store) for h in world.mtas}  # type: ignore[arg-type]

    def _mx_for(self, address: str) -> Host:
        if "@" not in address:
            return self.identity  # <postmaster>: this server's own
        return self.world.mta_for_domain(address.rsplit("@", 1)[1]) or self.identity

    def authenticate(self, mechanism: str, username: str, password: str) -> bool:
        return False

    def check_recipient(self, envelope: Envelope, address: str) -> Reply | None:
        return self._inbound[self._mx_for(address).id].check_recipient(envelope, address)

    def accept_message(self, envelope: Envelope, content: bytes) -> Reply:
        queue_id = self.world.queue_id()
        t = self.world.clock.header_t()
        done = []
        try:
            for rcpt in envelope.rcpt_to:
                mx = self._mx_for(rcpt)
                if self.world.faults and self.world.faults.hit("remote-bounce", rcpt.lower()):
                    # Accepted now, failed later: this MX owes the sender a DSN.
                    self.queue.bounce_later(envelope.mail_from or "", rcpt, content, "5.2.2",
                                            f"mailbox for <{rcpt}> is over quota at final delivery", origin=mx)
                    continue
                username = self._mailbox_of(rcpt, mx)
                if username is None:
                    continue  # <postmaster> of a domain without accounts: nowhere to put it
                copy = prepend_header(content, "Received", received_header(
                    from_helo=envelope.helo or self.peer.hostname, from_host=self.peer.hostname,
                    from_ip=self.peer.ip, by_host=mx.hostname, with_protocol=envelope.transmission_type,
                    queue_id=queue_id, recipient=rcpt, t=t,
                ))
                copy = prepend_header(copy, "Return-Path", f"<{envelope.mail_from or ''}>")
                stored = self.store.deliver(username, copy, imap_date(t))
                done.append((mx, rcpt, stored.uid))
        except OSError:
            return Reply(451, "4.3.0", "Error: cannot write to the mailbox, try again later")
        for mx, rcpt, uid in done:
            store = self.world.store_behind(mx)
            self.world.trace.emit(
                Kind.DELIVER, mx.id, store.id if store else mx.id,
                f"stored in {rcpt}'s INBOX on {store.hostname if store else mx.hostname} (UID {uid})",
                "Final delivery: the MX has written the message into the mailbox (a Maildir on disk) before "
                "answering 250, and added Return-Path with the envelope sender.", rfc="RFC 5321 §4.4",
            )
        return Reply(250, "2.0.0", f"Ok: queued as {queue_id}")

    def _mailbox_of(self, rcpt: str, mx: Host) -> str | None:
        username = self.store.username_for(rcpt)
        if username is not None:
            return username
        # RFC 5321 §4.5.1: postmaster must exist; it is the first account of the MX's domains.
        for account in self.world.scenario.accounts:
            if account.address.rsplit("@", 1)[1].lower() in (d.lower() for d in mx.domains):
                return account.username
        return None
