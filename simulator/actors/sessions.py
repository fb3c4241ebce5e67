"""Open a connection to a server actor and run one protocol session on it.

One place builds the server state machine for a host and port, so the MUA's
submission, the queue's relay and the readers all meet the same servers.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.actors.network import Connection, drive_session
from simulator.protocols import imap, pop3, smtp
from simulator.protocols.common import ServerConnection, ShutdownReason
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
        faults = world.faults
        too_large = faults.hit("message-too-large", host.id) if faults else None
        relay_denied = faults.hit("relay-denied", host.id) if faults else None
        config = SMTPServerConfig(
            hostname=host.hostname, role=smtp.Role.MTA,
            # A misconfigured MX that forgot its own domain refuses them as relaying.
            local_domains=frozenset() if relay_denied else frozenset(host.domains),
            starttls_available=host.tls != "none",
            max_message_size=too_large.limit if too_large else SMTPServerConfig.max_message_size,
        )
        policy = InboundPolicy(world, host, peer, world.store_of(host))
    return SMTPServer(config, policy)


SYN_TIMEOUT = 30.0  # how long a client waits for SYN-ACK (Postfix's smtp_connect_timeout)


def session(
    world: World,
    client_host: Host,
    server_host: Host,
    port: int,
    client: Any,
    *,
    verify: bool = True,
) -> Generator[Any, Any, str]:
    """Connect, (implicit TLS,) run the dialogue, close.

    Returns ``"ok"``, or why it did not happen: ``"refused"``, ``"timeout"``
    (no answer) or ``"tls"`` (the client refused the certificate).
    """
    kind = _PROTOCOL[port]
    conn = Connection(world, client_host.id, server_host.id, port, kind)
    faults = world.faults
    if port not in server_host.ports or (faults and faults.hit("connection-refused", server_host.id)):
        yield from conn.refused()
        return "refused"
    if faults and faults.hit("host-down", server_host.id):
        yield from conn.syn_timeout(SYN_TIMEOUT)
        return "timeout"
    yield from conn.open()
    if faults and faults.hit("no-answer", server_host.id):
        wait = world.scenario.queue.connect_timeout
        yield wait
        conn.emit(Kind.TCP, client_host.id, f"no greeting after {wait / 60:g} min: giving up",
                  "The connection opened but the server never said 220. A client waits 5 minutes for the "
                  "greeting, then gives up; for a relay that is a temporary failure.", "RFC 5321 §4.5.3.2.1")
        yield from conn.close(client_host.id)
        return "timeout"
    version = server_host.tls if server_host.tls != "none" else "1.3"
    bad_cert = faults.hit("bad-certificate", server_host.id) if faults else None
    problem = bad_cert.problem if bad_cert else None
    if port in IMPLICIT_TLS_PORTS:
        ok = yield from conn.tls_handshake(version, TLSMode.IMPLICIT, server_host.hostname, verify=verify, problem=problem)
        if not ok:
            yield from conn.close(client_host.id)
            return "tls"
    refusal = None
    server: ServerConnection
    if kind is Kind.SMTP:
        server = smtp_server_for(world, server_host, client_host, port)
        narrator: Any = SMTPNarrator(submission=port != 25)
        if faults and faults.hit("service-unavailable", server_host.id):
            refusal = ShutdownReason.SERVICE_UNAVAILABLE
    elif kind is Kind.IMAP:
        store = world.store_of(server_host)
        server = imap.IMAPServer(
            imap.IMAPServerConfig(hostname=server_host.hostname, implicit_tls=port == 993,
                                  starttls_available=server_host.tls != "none"),
            store.mail,
        )
        narrator = IMAPNarrator()
    else:
        store = world.store_of(server_host)
        server = pop3.POP3Server(
            pop3.POP3ServerConfig(hostname=server_host.hostname, implicit_tls=port == 995,
                                  starttls_available=server_host.tls != "none"),
            store.mail,
        )
        narrator = POP3Narrator()
    server.start(refusal)
    tamper = None
    stripper = faults.on_link("starttls-stripped", client_host.id, server_host.id) if faults else None
    if stripper is not None and port not in IMPLICIT_TLS_PORTS:
        tamper = _stripper(world, stripper, conn)
    elif stripper is not None:
        world.note(stripper.subject, server_host.id, "the attacker sees only TLS records: nothing to strip",
                   "With implicit TLS the handshake starts before any SMTP byte, so a man in the middle has no "
                   "plaintext STARTTLS offer to remove.", "RFC 8314 §3")
    ok = yield from drive_session(
        conn, client, server, narrator,
        tls_version=version, server_name=server_host.hostname,
        tamper=tamper, verify=verify, cert_problem=problem,
    )
    return "ok" if ok else "tls"


def _stripper(world: World, fault: Any, conn: Any):
    """A man in the middle that deletes the STARTTLS offer from EHLO replies."""
    attacker = _attacker_id(world)

    def tamper(data: bytes) -> bytes:
        lines = data.split(b"\r\n")
        kept = [ln for ln in lines if ln.upper() not in (b"250-STARTTLS", b"250 STARTTLS")]
        if len(kept) == len(lines):
            return data
        if lines[-2].upper() == b"250 STARTTLS" and len(kept) >= 2:
            # STARTTLS was the last line: the new last line must use "250 ".
            kept[-2] = b"250 " + kept[-2][4:]
        if conn.port == 25:
            consequence = ("The sending server uses TLS only when offered (opportunistic, port 25), so it "
                           "cannot tell and carries on in plaintext: a downgrade attack.")
        else:
            consequence = ("This client requires TLS for submission, so it will notice the missing offer and "
                           "stop before sending the password.")
        world.recorder.emit(
            Kind.NOTE, attacker, conn.client, "removed 250-STARTTLS from the EHLO reply",
            "A man in the middle deleted the STARTTLS offer from the server's reply. " + consequence,
            rfc="RFC 3207 §6", conn=conn.id, port=conn.port,
        )
        return b"\r\n".join(kept)

    return tamper


def _attacker_id(world: World) -> str:
    for host in world.scenario.hosts:
        if host.role is Role.ATTACKER:
            return host.id
    return "attacker"
