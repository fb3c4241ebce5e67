"""The one server factory: which state machine answers on a host's port, configured how.

The simulation's sessions, live mode's listeners and ``smtpsim talk`` all
build their servers here, so a scenario's submission server, MX and mailbox
store are the same everywhere: the same configuration, the same policy, the
same faults (a size limit, a forgotten domain, a 421 at the greeting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from simulator.delivery.connectcheck import ClientCheck, checks_client, scenario_address
from simulator.delivery.policies import InboundPolicy, SubmissionPolicy
from simulator.delivery.site import Site
from simulator.protocols import smtp
from simulator.protocols.common import LoginGate, ServerConnection, ShutdownReason
from simulator.protocols.mailstore import MailStore
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Host, Role
from simulator.trace.fields import Kind
from simulator.trace.narrate import Line
from simulator.trace.narrate.smtp import SMTPNarrator

# IMAP and POP3 (machines and narrators) are imported when a server of theirs is first made: a
# scenario without a mailbox reader, and `smtpsim run`'s start-up, do not pay for them.

PROTOCOL_OF_PORT: dict[int, Kind] = {25: Kind.SMTP, 587: Kind.SMTP, 465: Kind.SMTP, 143: Kind.IMAP, 993: Kind.IMAP,
                                     110: Kind.POP3, 995: Kind.POP3}
IMPLICIT_TLS_PORTS = frozenset({465, 993, 995})  # RFC 8314: TLS before the first protocol byte
PORT_NAMES = {25: "SMTP relay", 587: "submission", 465: "submissions (implicit TLS)", 143: "IMAP",
              993: "IMAPS (implicit TLS)", 110: "POP3", 995: "POP3S (implicit TLS)"}
SYN_TIMEOUT = 30.0  # how long a sending MTA waits for SYN-ACK (Postfix's smtp_connect_timeout)


class Narrator(Protocol):
    """Cuts a connection's bytes into explained trace lines (``simulator.trace.narrate``)."""

    def client(self, data: bytes) -> list[Line]: ...

    def server(self, data: bytes) -> list[Line]: ...


@dataclass
class ServerSide:
    """A new connection's server: the machine, its narrator, and how it greets."""

    machine: ServerConnection
    narrator: Narrator
    kind: Kind
    refusal: ShutdownReason | None = None  # greet with a refusal instead (a scenario fault)
    check: ClientCheck | None = None  # an MX's checks of the client's address: run them before the greeting


def server_for(site: Site, host: Host, port: int, peer: Host, *, serves: Sequence[Host] = (),
               dedup: str | None = None, login_gate: LoginGate | None = None) -> ServerSide:
    """The server ``host`` runs on ``port`` for a client ``peer``.

    ``serves``: for an MX, every MX host this server stands for (live mode's
    one MX listener); by default only ``host``. ``dedup``: the sender's queue
    entry, when known (see ``InboundPolicy``). ``login_gate``: what the machine
    asks before checking a password (live mode's guard against guessing).
    """
    kind = PROTOCOL_OF_PORT[port]
    starttls = host.tls != "none"
    if kind is Kind.IMAP:
        from simulator.protocols import imap
        from simulator.trace.narrate.imap import IMAPNarrator

        config = imap.IMAPServerConfig(hostname=host.hostname, implicit_tls=port == 993, starttls_available=starttls)
        return ServerSide(imap.IMAPServer(config, site.mail_store(host), login_gate=login_gate), IMAPNarrator(), kind)
    if kind is Kind.POP3:
        from simulator.protocols import pop3
        from simulator.trace.narrate.pop3 import POP3Narrator

        pconfig = pop3.POP3ServerConfig(hostname=host.hostname, implicit_tls=port == 995, starttls_available=starttls)
        return ServerSide(pop3.POP3Server(pconfig, site.mail_store(host), login_gate=login_gate), POP3Narrator(), kind)
    faults = site.faults
    if host.role is Role.MSA:
        sconfig = smtp.SMTPServerConfig(hostname=host.hostname, role=smtp.Role.MSA, implicit_tls=port == 465,
                                        starttls_available=starttls)
        policy: smtp.ServerPolicy = SubmissionPolicy(site, host, peer)
    else:
        hosts = tuple(serves) or (host,)
        too_large = faults.hit(FaultKind.MESSAGE_TOO_LARGE, host.id) if faults else None
        # A misconfigured MX that forgot its own domains refuses them as relaying.
        denied = {h.id for h in hosts if faults and faults.hit(FaultKind.RELAY_DENIED, h.id)}
        sconfig = smtp.SMTPServerConfig(
            hostname=host.hostname, role=smtp.Role.MTA,
            local_domains=frozenset(d for h in hosts if h.id not in denied for d in h.domains),
            starttls_available=starttls,
            max_message_size=too_large.limit if too_large else smtp.SMTPServerConfig.max_message_size,
        )
        check = ClientCheck(faults, host, peer, scenario_address(site.scenario, peer)) if checks_client(host) else None
        policy = InboundPolicy(site, host, peer, serves=hosts, dedup=dedup, client_check=check)
    refusal = None
    if host.role is Role.MTA and faults and faults.hit(FaultKind.SERVICE_UNAVAILABLE, host.id):
        refusal = ShutdownReason.SERVICE_UNAVAILABLE
    check = policy.client_check if isinstance(policy, InboundPolicy) else None
    # A scenario's mail client set up to send on 25 (not live mode's outsiders, drawn as a sending server).
    try:
        mua = site.scenario.host(peer.id).role is Role.MUA
    except KeyError:
        mua = False
    narrator = SMTPNarrator(submission=port != 25, client_is_mua=port != 25 or mua)
    return ServerSide(smtp.SMTPServer(sconfig, policy, login_gate=login_gate), narrator, kind, refusal, check)


def refusing_server(kind: Kind, hostname: str) -> ServerConnection:
    """A bare machine of the protocol, only to say a refusal (over a connection cap) in its words."""
    if kind is Kind.IMAP:
        from simulator.protocols import imap

        return imap.IMAPServer(imap.IMAPServerConfig(hostname=hostname), _NO_MAIL)
    if kind is Kind.POP3:
        from simulator.protocols import pop3

        return pop3.POP3Server(pop3.POP3ServerConfig(hostname=hostname), _NO_MAIL)
    return smtp.SMTPServer(smtp.SMTPServerConfig(hostname=hostname, role=smtp.Role.MTA))


_NO_MAIL = MailStore()  # a refusal reads no mailbox
