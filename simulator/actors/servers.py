"""The SMTP servers' decisions (policies) and the mailbox store actor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.mail.headers import complete_submission, header_value, imap_date, prepend_header, received_header
from simulator.protocols.mailstore import MailStore
from simulator.protocols.smtp.replies import Reply
from simulator.protocols.smtp.server import Envelope, ServerPolicy
from simulator.scenario.model import Host
from simulator.trace.events import Kind

if TYPE_CHECKING:
    from simulator.actors.queue import OutboundQueue
    from simulator.actors.world import World


class StoreActor:
    """The mailbox server: IMAP and POP3 read from the same mailboxes."""

    def __init__(self, world: World, host: Host) -> None:
        self.world = world
        self.host = host
        self.mail = MailStore()
        for account in world.scenario.accounts:
            if account.address.split("@", 1)[1] in host.domains:
                self.mail.add_account(account.username, account.password)

    def has_mailbox(self, address: str) -> bool:
        account = self.world.scenario.account(address)
        return account is not None and self.mail.mailbox(account.username) is not None

    def deliver(self, mta: Host, address: str, content: bytes) -> None:
        account = self.world.scenario.account(address)
        assert account is not None
        stored = self.mail.deliver(account.username, content, imap_date(self.world.env.now))
        self.world.ledger.append(("delivered", header_value(content, "Message-ID"), address.lower()))
        self.world.note(
            mta.id, self.host.id,
            f"stored in {address}'s INBOX on {self.host.hostname} (UID {stored.uid})",
            "Final delivery: the MX hands the message to the mailbox store (real systems use LMTP "
            "or a local delivery agent) and adds Return-Path with the envelope sender.",
            "RFC 5321 §4.4",
            kind=Kind.DELIVER,
        )
        self.world.mail_arrived(address)


class SubmissionPolicy(ServerPolicy):
    """The MSA: logins from the scenario's accounts; accepted mail goes to the queue."""

    def __init__(self, world: World, host: Host, peer: Host, queue: OutboundQueue) -> None:
        self.world = world
        self.host = host
        self.peer = peer
        self.queue = queue

    def authenticate(self, mechanism: str, username: str, password: str) -> bool:
        return any(a.username == username and a.password == password for a in self.world.scenario.accounts)

    def check_sender(self, envelope: Envelope, address: str) -> Reply | None:
        return None

    def check_recipient(self, envelope: Envelope, address: str) -> Reply | None:
        return None

    def accept_message(self, envelope: Envelope, content: bytes) -> Reply:
        queue_id = self.world.queue_id()
        domain = self.host.domains[0] if self.host.domains else self.host.hostname
        content = complete_submission(
            content, helo=envelope.helo, client_host=self.peer.hostname, client_ip=self.peer.ip,
            msa_host=self.host.hostname, with_protocol=envelope.transmission_type, recipients=envelope.rcpt_to,
            queue_id=queue_id, message_id=lambda: self.world.message_id(domain), t=self.world.env.now,
        )
        self.queue.enqueue(queue_id, envelope.mail_from or "", envelope.rcpt_to, content)
        return Reply(250, "2.0.0", f"Ok: queued as {queue_id}")


LOCAL_DELIVERY_DELAY = 0.05  # seconds from the MX's 250 to the message in the mailbox


class InboundPolicy(ServerPolicy):
    """An MX: accepts mail for its domains' existing mailboxes, delivers into its store."""

    def __init__(self, world: World, host: Host, peer: Host, store: StoreActor) -> None:
        self.world = world
        self.host = host
        self.peer = peer
        self.store = store

    def authenticate(self, mechanism: str, username: str, password: str) -> bool:
        return False

    def check_sender(self, envelope: Envelope, address: str) -> Reply | None:
        return None

    def check_recipient(self, envelope: Envelope, address: str) -> Reply | None:
        address = address.lower()
        if address == "postmaster":
            return None
        faults = self.world.faults
        if (faults and faults.hit("user-unknown", address)) or not self.store.has_mailbox(address):
            return Reply(550, "5.1.1", f"<{address}>: Recipient address rejected: User unknown in virtual mailbox table")
        full = faults.hit("mailbox-full", address) if faults else None
        if full is not None:
            if full.permanent:
                return Reply(552, "5.2.2", f"<{address}>: Recipient address rejected: Mailbox full")
            return Reply(452, "4.2.2", f"<{address}>: Recipient address rejected: Mailbox full, try again later")
        grey = faults.hit("greylisting", self.host.id) if faults else None
        if grey is not None:
            # The classic triplet: client address, envelope sender, recipient.
            triplet = (self.peer.ip, envelope.mail_from or "", address)
            first = self.world.greylist.setdefault(triplet, self.world.env.now)
            if self.world.env.now - first < grey.delay:
                return Reply(451, "4.7.1", f"<{address}>: Recipient address rejected: Greylisted, please try again "
                             f"in {grey.delay / 60:g} minutes")
        return None

    def accept_message(self, envelope: Envelope, content: bytes) -> Reply:
        queue_id = self.world.queue_id()
        faults = self.world.faults
        for rcpt in envelope.rcpt_to:
            if faults and faults.hit("remote-bounce", rcpt.lower()):
                # Accepted now, failed later: this MX owes the sender a DSN.
                self.world.queue_of(self.host).bounce_later(
                    envelope.mail_from or "", rcpt, content, "5.2.2",
                    f"mailbox for <{rcpt}> is over quota at final delivery", delay=2.0,
                )
                continue
            copy = prepend_header(content, "Received", received_header(
                from_helo=envelope.helo or self.peer.hostname, from_host=self.peer.hostname, from_ip=self.peer.ip,
                by_host=self.host.hostname, with_protocol=envelope.transmission_type, queue_id=queue_id,
                recipient=rcpt, t=self.world.env.now,
            ))
            copy = prepend_header(copy, "Return-Path", f"<{envelope.mail_from or ''}>")
            # The 250 comes first: the MX has the message safely queued; local
            # delivery into the mailbox follows a moment later.
            self.world.env.schedule(LOCAL_DELIVERY_DELAY, self._store, (rcpt, copy))
        return Reply(250, "2.0.0", f"Ok: queued as {queue_id}")

    def _store(self, item: tuple[str, bytes]) -> None:
        rcpt, content = item
        self.store.deliver(self.host, rcpt, content)
