"""A person's mail client: submits mail to the MSA, reads mail from the store."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.sessions import SessionResult, session
from simulator.delivery.outcomes import submission_of
from simulator.delivery.site import submitting_client, typed_password
from simulator.mail.compose import compose
from simulator.protocols.smtp.client import OutgoingMessage, SMTPClient
from simulator.scenario.model import Host, Message, Role

if TYPE_CHECKING:
    from simulator.actors.world import World
    from simulator.protocols import imap, pop3

# The reading protocol is imported when a mailbox is first read (a scenario reads with one of them).


class MUA:
    def __init__(self, world: World, host: Host) -> None:
        self.world = world
        self.host = host
        account = world.scenario.account(host.account or "")
        assert account is not None  # the loader checked it
        self.account = account
        self._read_scheduled = False
        self.fetched: list[bytes] = []
        if host.idle:  # a phone: connected from the start, in IDLE (RFC 2177)
            world.env.process(self._read())

    def submit(self, message: Message, index: int = 0) -> Generator[Any, Any, None]:
        """Compose and submit the scenario's message number ``index``."""
        msa = self._msa()
        content = compose(sender=message.sender, recipients=message.recipients, subject=message.subject,
                          body=message.body, t=self.world.env.now, extra_headers=message.headers)
        port = self.host.submit_port
        password = typed_password(self.world.faults, self.host, self.account.password)
        client = SMTPClient(submitting_client(self.host, self.account.username, password),
                            [OutgoingMessage(message.sender, message.recipients, content)])
        outcome = yield from session(self.world, self.host, msa, port, client)
        self.world.submissions[index] = submission_of(message.recipients, client)
        self._report_submission(outcome, client)

    def _report_submission(self, outcome: SessionResult, client: SMTPClient) -> None:
        """What the person sees in their mail client when submission did not work."""
        results = client.results[0] if client.results else {}
        accepted = any(200 <= code < 300 for code, _, _ in results.values())
        if outcome is SessionResult.OK and accepted:
            return
        if outcome is SessionResult.TLS:
            why = "the server's certificate was refused, so the client sent nothing"
        elif outcome in (SessionResult.REFUSED, SessionResult.TIMEOUT):
            why = "the submission server could not be reached"
        elif client.auth_failed:
            why = "the server refused the login (535 5.7.8): check the password"
        elif client.tls_unavailable:
            why = ("the server did not offer STARTTLS, so the client refused to send the password in the clear "
                   "(an attacker may have removed the offer)")
        else:
            why = "the server refused the message"
        self.world.note(self.host.id, self.host.id, f"not sent: {why}",
                        "Nothing left this computer: the message is still in the outbox, and the person sees an error "
                        "right away. Submission failures are reported to the user, not by a bounce.",
                        "RFC 6409 §3.2")

    def _msa(self) -> Host:
        if self.host.msa is not None:
            return self.world.scenario.host(self.host.msa)
        return self.world.scenario.hosts_with_role(Role.MSA)[0]

    def mail_arrived(self) -> None:
        """New mail in this person's mailbox: the client checks a little later."""
        if self.host.idle:
            return  # connected and in IDLE: the server tells it at once
        if not self._read_scheduled:
            self._read_scheduled = True
            self.world.env.process(self._read(), delay=self.host.read_delay)

    def _read(self) -> Generator[Any, Any, None]:
        self._read_scheduled = False
        store = self.world.store_for_address(self.account.address)
        if store is None:
            return
        port = self.host.read_port
        client: imap.IMAPClient | pop3.POP3Client
        if self.host.read_protocol == "imap":
            from simulator.protocols import imap

            client = imap.IMAPClient(imap.IMAPClientConfig(
                username=self.account.username, password=self.account.password,
                tls=imap.IMAPTLS.IMPLICIT if port == 993 else imap.IMAPTLS.STARTTLS,
                idle=self.host.idle, trash=self.host.after_reading == "trash",
            ))
        else:
            from simulator.protocols import pop3

            client = pop3.POP3Client(pop3.POP3ClientConfig(
                username=self.account.username, password=self.account.password,
                tls=pop3.POP3TLS.IMPLICIT if port == 995 else pop3.POP3TLS.STLS,
            ))
        yield from session(self.world, self.host, store, port, client)
        self.fetched.extend(_contents(client))


def _contents(client: imap.IMAPClient | pop3.POP3Client) -> list[bytes]:
    fetched = getattr(client, "fetched", None)  # IMAP's FETCH results; POP3 has RETR's
    items = fetched if fetched is not None else client.retrieved  # type: ignore[union-attr]
    return [item.content for item in items]
