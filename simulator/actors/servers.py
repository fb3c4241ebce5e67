"""The mailbox store actor: IMAP and POP3 read from the same mailboxes.

The servers' decisions (who logs in, which recipient exists) are the shared
policies of ``simulator.delivery.policies``; this is where a delivery lands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.delivery.outcomes import Result
from simulator.mail.headers import header_value, imap_date
from simulator.protocols.mailstore import MailStore
from simulator.scenario.model import Host
from simulator.trace.fields import Kind

if TYPE_CHECKING:
    from simulator.actors.world import World


class StoreActor:
    """The mailbox server: IMAP and POP3 read from the same mailboxes."""

    def __init__(self, world: World, host: Host) -> None:
        self.world = world
        self.host = host
        self.mail = MailStore(clock=lambda: imap_date(world.env.now))
        for account in world.scenario.accounts:
            if account.address.split("@", 1)[1] in host.domains:
                self.mail.add_account(account.username, account.password)

    def deliver(self, mta: Host, address: str, username: str, content: bytes) -> None:
        stored = self.mail.deliver(username, content, imap_date(self.world.env.now))
        self.world.ledger.settle(Result.DELIVERED, header_value(content, "Message-ID"), address, "2.0.0")
        self.world.note(
            mta.id, self.host.id,
            f"stored in {address}'s INBOX on {self.host.hostname} (UID {stored.uid})",
            "Final delivery: the MX hands the message to the mail delivery agent (MDA; real systems use "
            "LMTP or a local delivery agent), which files it in the mailbox; Return-Path records the envelope sender.",
            "RFC 5321 §4.4",
            kind=Kind.DELIVER,
        )
        self.world.mail_arrived(address)
