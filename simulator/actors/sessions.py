"""Open a connection to a server actor and run one protocol session on it.

One place builds the server state machine for a host and port, so the MUA's
submission, the queue's relay and the readers all meet the same servers.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.network import Connection, drive_session
from simulator.protocols import imap, pop3, smtp
from simulator.protocols.smtp.server import SMTPServer, SMTPServerConfig
from simulator.scenario.model import Host, Role
from simulator.trace.events import Kind, TLSMode
from simulator.trace.narrate.imap import IMAPNarrator
from simulator.trace.narrate.pop3 import POP3Narrator
from simulator.trace.narrate.smtp import SMTPNarrator

if TYPE_CHECKING:
    from simulator.actors.world import World

IMPLICIT_TLS_PORTS = {465, 993, 995}
_PROTOCOL = {25: Kind.SMTP, 587: Kind.SMTP, 465: Kind.SMTP, 143: Kind.IMAP, 993: Kind.IMAP, 110: Kind.POP3, 995: Kind.POP3}


def smtp_server_for(world: World, host: Host, peer: Host, port: int) -> SMTPServer:
    from simulator.actors.servers import InboundPolicy, SubmissionPolicy

    if host.role is Role.MSA:
        config = SMTPServerConfig(
            hostname=host.hostname, role=smtp.Role.MSA, implicit_tls=port == 465,
            starttls_available=host.tls != "none",
        )
        policy = SubmissionPolicy(world, host, peer, world.queue_of(host))
    else:
        config = SMTPServerConfig(
            hostname=host.hostname, role=smtp.Role.MTA, local_domains=frozenset(host.domains),
            starttls_available=host.tls != "none",
        )
        policy = InboundPolicy(world, host, peer, world.store_of(host))
    return SMTPServer(config, policy)


def session(
    world: World,
    client_host: Host,
    server_host: Host,
    port: int,
    client: Any,
    *,
    on_client_event: Callable[[Any], None] | None = None,
) -> Generator[Any, Any, bool]:
    """Connect, (implicit TLS,) run the dialogue, close. False when refused."""
    kind = _PROTOCOL[port]
    conn = Connection(world, client_host.id, server_host.id, port, kind)
    if port not in server_host.ports:
        yield from conn.refused()
        return False
    yield from conn.open()
    version = server_host.tls if server_host.tls != "none" else "1.3"
    if port in IMPLICIT_TLS_PORTS:
        yield from conn.tls_handshake(version, TLSMode.IMPLICIT, server_host.hostname)
    if kind is Kind.SMTP:
        server: Any = smtp_server_for(world, server_host, client_host, port)
        narrator: Any = SMTPNarrator(submission=port != 25)
        request, ready = smtp.StartTLSRequested, smtp.StartTLSReady
    elif kind is Kind.IMAP:
        store = world.store_of(server_host)
        server = imap.IMAPServer(
            imap.IMAPServerConfig(hostname=server_host.hostname, implicit_tls=port == 993,
                                  starttls_available=server_host.tls != "none"),
            store.mail,
        )
        narrator = IMAPNarrator()
        request, ready = imap.StartTLSRequested, imap.StartTLSReady
    else:
        store = world.store_of(server_host)
        server = pop3.POP3Server(
            pop3.POP3ServerConfig(hostname=server_host.hostname, implicit_tls=port == 995,
                                  stls_available=server_host.tls != "none"),
            store.mail,
        )
        narrator = POP3Narrator()
        request, ready = pop3.StartTLSRequested, pop3.StartTLSReady
    server.start()
    yield from drive_session(
        conn, client, server, narrator, kind,
        tls_version=version, server_name=server_host.hostname,
        is_starttls_request=lambda e: isinstance(e, request),
        is_starttls_ready=lambda e: isinstance(e, ready),
        on_client_event=on_client_event,
    )
    return True
