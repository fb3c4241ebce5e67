"""The SMTP servers' decisions, written once for the simulation, live mode and ``smtpsim talk``.

In the manner of aiosmtpd's handler hooks, the state machine asks its
policy; the policy decides with the scenario (accounts, mailboxes, faults)
and hands what it takes to the ``Site`` hooks (queue it, store it). Every
reply comes from the catalogue, ``simulator.protocols.smtp.replies``.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from email.utils import getaddresses
from functools import lru_cache

from simulator.delivery.authentication.signing import forwarded_to, sign_outgoing, strip_claims, verify_incoming
from simulator.delivery.connectcheck import ClientCheck, scenario_address
from simulator.delivery.site import Durable, Site, mailbox_of, store_behind
from simulator.mail.headers import complete_submission, header_value, prepend_header, received_header
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp.policy import Envelope, Pending, ServerPolicy
from simulator.protocols.smtp.replies import Reply
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Host


class SubmissionPolicy(ServerPolicy):
    """The MSA: the scenario's accounts log in, and a logged-in user may send anywhere
    (RFC 6409 §4.3; the state machine refuses MAIL before AUTH), but only as themselves:
    MAIL FROM must be the login's own address (RFC 6409 §6.1, Postfix's
    ``reject_sender_login_mismatch``), and with ``bind_from`` so must every From:
    address (§6.3). Otherwise alice could send as bob, and the bounces of her mail
    would go to bob (backscatter). The null sender is allowed, as Postfix allows it.
    Accepted mail goes to the queue before the 250, its Received field naming the login."""

    def __init__(self, site: Site, host: Host, peer: Host, *, bind_from: bool = True) -> None:
        self.site = site
        self.host = host
        self.peer = peer
        self.bind_from = bind_from

    def authenticate(self, mechanism: str, username: str, password: str) -> bool:
        return any(a.username == username and a.password == password for a in self.site.scenario.accounts)

    def _owns(self, user: str, address: str) -> bool:
        account = next((a for a in self.site.scenario.accounts if a.username == user), None)
        return account is not None and account.address.lower() == address.lower()

    def check_sender(self, envelope: Envelope, address: str) -> Reply | None:
        user = envelope.auth_user
        if user is None or not address or self._owns(user, address):
            return None
        return R.sender_not_owned(address, user)

    def _foreign_from(self, user: str, content: bytes) -> str | None:
        """The first From: address the login does not own, if any (RFC 5322 §3.6.2)."""
        for _name, address in _addresses(header_value(content, "From")):
            if address and not self._owns(user, address):
                return address
        return None

    def check_recipient(self, envelope: Envelope, address: str) -> Reply | None:
        return None

    def accept_message(self, envelope: Envelope, content: bytes) -> Reply | Pending:
        site, host = self.site, self.host
        user = envelope.auth_user
        foreign = self._foreign_from(user, content) if self.bind_from and user is not None else None
        if foreign is not None:
            return R.from_not_owned(foreign, user or "")
        queue_id = site.queue_id()
        domain = host.domains[0] if host.domains else host.hostname
        content = complete_submission(
            content, helo=envelope.helo, client_host=self.peer.hostname, client_ip=self.peer.ip,
            msa_host=host.hostname, with_protocol=envelope.transmission_type, recipients=envelope.rcpt_to,
            queue_id=queue_id, message_id=lambda: site.message_id(domain), t=site.header_time(), auth_user=user,
        )
        content = sign_outgoing(site, host, content)  # DKIM (and a footer after it), if the MSA is set up so
        try:
            job = site.enqueue(host, queue_id, envelope.mail_from or "", envelope.rcpt_to, content)
        except OSError as exc:
            return write_failed(exc, R.QUEUE_WRITE_ERROR)  # temporary: the client keeps the message and retries
        return after_writes([job] if job else [], R.queued(queue_id), R.QUEUE_WRITE_ERROR)


class InboundPolicy(ServerPolicy):
    """An MX: accepts mail for its domains' existing mailboxes and stores it.

    ``identity`` is the MX the client meant; ``serves`` the MX hosts this
    server answers for (live mode's one listener stands for several): each
    recipient is judged by the one serving its domain. ``dedup`` names the
    sender's queue entry when known, so that the same message offered again
    (after a crash between our 250 and the sender noting it) is stored once.
    """

    def __init__(self, site: Site, identity: Host, peer: Host, *, serves: Sequence[Host] = (),
                 dedup: str | None = None, client_check: ClientCheck | None = None) -> None:
        self.site = site
        self.identity = identity
        self.peer = peer
        self.serves = tuple(serves) or (identity,)
        self.dedup = dedup
        self.client_check = client_check  # the checks of the client's address, run before the greeting

    def mx_for(self, address: str) -> Host:
        if "@" not in address:
            return self.identity  # <postmaster>: this server's own
        domain = address.rsplit("@", 1)[1].lower().rstrip(".")
        return next((h for h in self.serves if domain in (d.lower() for d in h.domains)), self.identity)

    def authenticate(self, mechanism: str, username: str, password: str) -> bool:
        return False

    def check_sender(self, envelope: Envelope, address: str) -> Reply | None:
        return None

    def check_recipient(self, envelope: Envelope, address: str) -> Reply | None:
        if self.client_check is not None and self.client_check.refusal is not None:
            return self.client_check.refusal  # reverse DNS or a blocklist refused the client (connectcheck)
        address = address.lower()
        if address == "postmaster":
            return None
        site = self.site
        mx = self.mx_for(address)
        if forwarded_to(mx, address):
            return None  # forwarded: no mailbox here

        faults = site.faults
        if (faults and faults.hit(FaultKind.USER_UNKNOWN, address)) or not self._has_mailbox(mx, address):
            return R.for_recipient(R.USER_UNKNOWN, address)
        full = faults.hit(FaultKind.MAILBOX_FULL, address) if faults else None
        if full is not None:
            return R.for_recipient(R.MAILBOX_FULL if full.permanent else R.MAILBOX_FULL_TEMP, address)
        grey = faults.hit(FaultKind.GREYLISTING, mx.id) if faults else None
        if grey is not None:
            # The classic triplet: client address, envelope sender, recipient.
            triplet = (self.peer.ip, envelope.mail_from or "", address)
            now = site.now()
            first = site.greylist.setdefault(triplet, now)
            if now - first < grey.delay:
                return R.greylisted(address, grey.delay)
        return None

    def _has_mailbox(self, mx: Host, address: str) -> bool:
        account = self.site.scenario.account(address)
        store = store_behind(self.site.scenario, mx)
        return account is not None and store is not None and \
            self.site.mail_store(store).mailbox(account.username) is not None

    def accept_message(self, envelope: Envelope, content: bytes) -> Reply | Pending:
        site = self.site
        queue_id = site.queue_id()
        t = site.header_time()
        sender = envelope.mail_from or ""
        faults = site.faults
        first = self.mx_for(envelope.rcpt_to[0]) if envelope.rcpt_to else self.identity
        verdict = verify_incoming(site, first, scenario_address(site.scenario, self.peer),
                                  envelope.helo or "", sender, content)
        if verdict is not None and verdict.refusal is not None:
            return verdict.refusal  # refused in the session, so no bounce goes to a possibly forged sender
        if verdict is not None:
            content = strip_claims(content, first.hostname)  # RFC 8601 §5: forged results in our name
        jobs: list[Durable] = []
        try:
            for rcpt in envelope.rcpt_to:
                mx = self.mx_for(rcpt)
                target = forwarded_to(mx, rcpt)
                if faults and faults.hit(FaultKind.REMOTE_BOUNCE, rcpt.lower()):
                    # Accepted now, failed later: this MX owes the sender a DSN.
                    site.bounce_later(mx, sender, rcpt, content, "5.2.2",
                                      f"mailbox for <{rcpt}> is over quota at final delivery")
                    continue
                account = mailbox_of(site.scenario, rcpt, mx)
                if account is None and target is None:
                    continue  # <postmaster> of a domain without accounts: nowhere to put it
                copy = prepend_header(content, "Received", received_header(
                    from_helo=envelope.helo or self.peer.hostname, from_host=self.peer.hostname,
                    from_ip=self.peer.ip, by_host=mx.hostname, with_protocol=envelope.transmission_type,
                    queue_id=queue_id, recipient=rcpt, t=t,
                ))
                if verdict is not None:  # RFC 8601 §4: above the trace fields this MX adds
                    copy = prepend_header(copy, "Authentication-Results", verdict.header)
                if target is not None or account is None:
                    # Forwarding keeps the envelope sender (no SRS): the next hop checks SPF against it.
                    job = site.forward(mx, sender, rcpt, target or rcpt, copy)
                    if job is not None:
                        jobs.append(job)  # the forward is queued before the 250, like any relay
                    continue
                copy = prepend_header(copy, "Return-Path", f"<{sender}>")
                key = f"{self.dedup}.{rcpt.lower()}" if self.dedup else None
                job = site.store(mx, rcpt, account.username, copy, key)
                if job is not None:
                    jobs.append(job)
        except OSError as exc:
            return write_failed(exc, R.MAILBOX_WRITE_ERROR)
        return after_writes(jobs, R.queued(queue_id), R.MAILBOX_WRITE_ERROR)


def write_failed(exc: OSError, reply: Reply) -> Reply:
    """The reply to a failed write: 452 4.3.1 when the disk is full (RFC 3463 §3.4, RFC 5321 §4.2.3), else ``reply``."""
    return R.SYSTEM_STORAGE_FULL if exc.errno in (errno.ENOSPC, errno.EDQUOT) else reply


def after_writes(jobs: list[Durable], reply: Reply, failed: Reply) -> Reply | Pending:
    """``reply`` once every write in ``jobs`` is done; the writes themselves are left to the driver.

    The writes run in order and stop at the first failure; those done are committed either way
    (their files are on disk: a retry of the same queue entry finds them and stores nothing twice).
    """
    if not jobs:
        return reply
    done: list[Durable] = []

    def work() -> None:
        for job in jobs:
            job.write()
            done.append(job)

    def settle(error: OSError | None) -> Reply:
        for job in done:
            job.commit()
        return reply if error is None else write_failed(error, failed)

    return Pending(work, settle)


@lru_cache(maxsize=256)
def _addresses(value: str) -> tuple[tuple[str, str], ...]:
    """The (name, address) pairs of a header value; a run's senders write the same From: each time."""
    return tuple(getaddresses([value]))
