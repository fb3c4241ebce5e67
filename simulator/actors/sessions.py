"""Open a connection to a server actor and run one protocol session on it.

The server comes from the one factory (``simulator.delivery.servers``), so
the MUA's submission, the queue's relay and the readers meet the same
servers as live mode's clients and ``smtpsim talk``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from enum import Enum
from typing import TYPE_CHECKING, Any

from simulator.actors.dnsclient import client_check
from simulator.actors.network import Connection, drive_session
from simulator.delivery.servers import IMPLICIT_TLS_PORTS, PROTOCOL_OF_PORT, SYN_TIMEOUT, server_for
from simulator.protocols.common import ClientConnection
from simulator.protocols.smtp.stripping import strip_starttls_offer
from simulator.scenario.faults import Fault, FaultKind
from simulator.scenario.model import Host, Role
from simulator.trace.fields import Kind, TLSMode

if TYPE_CHECKING:
    from simulator.actors.world import World


class SessionResult(Enum):
    """How a session ended, from the client's side."""

    OK = "ok"  # the dialogue ran (whatever the server answered)
    REFUSED = "refused"  # connection refused (RST)
    TIMEOUT = "timeout"  # no SYN-ACK, or no greeting
    TLS = "tls"  # the client refused the server's certificate


def session(
    world: World,
    client_host: Host,
    server_host: Host,
    port: int,
    client: ClientConnection,
    *,
    verify: bool = True,
) -> Generator[Any, Any, SessionResult]:
    """Connect, (implicit TLS,) run the dialogue, close."""
    kind = PROTOCOL_OF_PORT[port]
    conn = Connection(world, client_host.id, server_host.id, port, kind)
    faults = world.faults
    if port not in server_host.ports or (faults and faults.hit(FaultKind.CONNECTION_REFUSED, server_host.id)):
        yield from conn.refused()
        return SessionResult.REFUSED
    if faults and faults.hit(FaultKind.HOST_DOWN, server_host.id):
        yield from conn.syn_timeout(SYN_TIMEOUT)
        return SessionResult.TIMEOUT
    yield from conn.open()
    if faults and faults.hit(FaultKind.NO_ANSWER, server_host.id):
        wait = world.scenario.queue.connect_timeout
        yield wait
        conn.emit(Kind.TCP, client_host.id, f"no greeting after {wait / 60:g} min: giving up",
                  "The connection opened but the server never said 220. A client waits 5 minutes for the "
                  "greeting, then gives up; for a relay that is a temporary failure.", "RFC 5321 §4.5.3.2.1")
        yield from conn.close(client_host.id)
        return SessionResult.TIMEOUT
    version = server_host.tls if server_host.tls != "none" else "1.3"
    bad_cert = faults.hit(FaultKind.BAD_CERTIFICATE, server_host.id) if faults else None
    problem = bad_cert.problem if bad_cert else None
    if port in IMPLICIT_TLS_PORTS:
        ok = yield from conn.tls_handshake(version, TLSMode.IMPLICIT, server_host.hostname, verify=verify, problem=problem)
        if not ok:
            yield from conn.close(client_host.id)
            return SessionResult.TLS
    side = server_for(world, server_host, port, client_host)
    if side.check is not None:  # the MX asks DNS about the client before it greets it
        yield from client_check(world, server_host.id, side.check)
    side.machine.start(side.refusal)
    tamper = None
    stripper = faults.on_link(FaultKind.STARTTLS_STRIPPED, client_host.id, server_host.id) if faults else None
    if stripper is not None and port not in IMPLICIT_TLS_PORTS:
        tamper = _stripper(world, stripper, conn)
    elif stripper is not None:
        world.note(stripper.subject, server_host.id, "the attacker sees only TLS records: nothing to strip",
                   "With implicit TLS the handshake starts before any SMTP byte, so a man in the middle has no "
                   "plaintext STARTTLS offer to remove.", "RFC 8314 §3")
    ok = yield from drive_session(
        conn, client, side.machine, side.narrator,
        tls_version=version, server_name=server_host.hostname,
        tamper=tamper, verify=verify, cert_problem=problem,
    )
    return SessionResult.OK if ok else SessionResult.TLS


def _stripper(world: World, fault: Fault, conn: Connection) -> Callable[[bytes], bytes]:
    """A man in the middle that deletes the STARTTLS offer from EHLO replies."""
    attacker = _attacker_id(world)

    def tamper(data: bytes) -> bytes:
        stripped = strip_starttls_offer(data)
        if stripped == data:
            return data
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
        return stripped

    return tamper


def _attacker_id(world: World) -> str:
    for host in world.scenario.hosts:
        if host.role is Role.ATTACKER:
            return host.id
    return "attacker"
