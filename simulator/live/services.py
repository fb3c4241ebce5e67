"""Which server answers on which live port, built by the one server factory.

Listeners and their state machines (the scenario's hosts, built by
``simulator.delivery.servers.server_for`` as in the simulation):

    msa-starttls  587 -> 10587   the MSA, STARTTLS then AUTH (SMTPServer, role MSA)
    msa-implicit  465 -> 10465   the MSA, implicit TLS
    mta            25 -> 10025   every MX of the scenario behind one listener
    imap/imaps    143/993        every mailbox store behind one listener
    pop3/pop3s    110/995        the same mailboxes

One MX listener serves all MX hosts: the queue says which MX a connection is
meant for (its greeting, faults, certificate, ``Received:`` by-name follow)
and which queue entry it carries (so a message offered twice is stored
once). A client from outside (swaks, openssl) meets the first MX, which
takes mail for every MX's domains, each recipient judged by the MX of its
domain. One IMAP/POP3 listener serves every store; the greeting names the
first store.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.delivery.servers import refusing_server, server_for
from simulator.protocols.common import ServerConnection
from simulator.live.checks import run_client_check
from simulator.live.hub import ConnectionCap, Hub
from simulator.live.server import Opened, Service
from simulator.scenario.model import Host
from simulator.trace.events import Kind

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld

# name -> the scenario's port, implicit TLS?
PORTS: dict[str, tuple[int, bool]] = {
    "msa-starttls": (587, False), "msa-implicit": (465, True), "mta": (25, False),
    "imap": (143, False), "imaps": (993, True), "pop3": (110, False), "pop3s": (995, True),
}

OnLogin = Callable[[str], tuple[str | None, str | None]]

# What each protocol's RFC says of a timer before the first command (the greeting timeout's trace note).
FIRST_COMMAND_RFC = {
    Kind.SMTP: ("RFC 5321 §4.5.3.2.7", "SMTP asks a server to wait at least 5 minutes for a command; live mode "
                "waits that long (--idle-timeout) only once a first command has come, a deliberate trade-off."),
    Kind.IMAP: ("RFC 9051 §5.4", "IMAP allows a shorter timer before login, to protect the server."),
    Kind.POP3: ("RFC 1939 §3", "POP3 asks for at least 10 minutes; live mode is shorter on purpose, as "
                "before login nothing is lost."),
}


def build_services(world: LiveWorld, hub: Hub, tls_for: Callable[[Host], ssl.SSLContext],
                   max_connections: int, max_per_address: int | None = None) -> list[Service]:
    caps = {group: ConnectionCap(max_connections, max_per_address) for group in ("msa", "mta", "store")}
    services = []
    for name, (port, implicit) in PORTS.items():
        if name.startswith("msa"):
            host, group, kind = world.msa, "msa", Kind.SMTP
            opener = _msa_opener(world, hub, port, tls_for)
        elif name == "mta":
            if not world.mtas:
                continue
            host, group, kind = world.mtas[0], "mta", Kind.SMTP
            opener = _mx_opener(world, hub, tls_for)
        else:
            if not world.stores:
                continue
            host, group = world.stores[0], "store"
            kind = Kind.IMAP if name.startswith("imap") else Kind.POP3
            opener = _store_opener(world, hub, host, port, tls_for)
        services.append(Service(name, port, kind, host.hostname, implicit, caps[group], opener,
                                _refuser(kind, host.hostname), FIRST_COMMAND_RFC[kind]))
    return services


def _refuser(kind: Kind, hostname: str) -> Callable[[], ServerConnection]:
    return lambda: refusing_server(kind, hostname)


def _msa_opener(world: LiveWorld, hub: Hub, port: int,
                tls_for: Callable[[Host], ssl.SSLContext]) -> Callable[[tuple[str, int]], Opened]:
    msa = world.msa

    def on_login(username: str) -> tuple[str | None, str | None]:
        mua = world.mua_for(world.account_by_username(username))
        return (mua.id if mua else None), None

    def open_(peer: tuple[str, int]) -> Opened:
        gate = hub.auth_guard.gate(peer[0])  # wrong passwords count per client address (simulator/live/authguard.py)
        side = server_for(world, msa, port, world.peer_host(None, peer[0]), login_gate=gate)
        queue = world.queue
        return Opened(side.machine, side.narrator, world.sender_mua_id(), msa.id, tls_for(msa), side.refusal,
                      on_login=on_login, gate=gate, in_flow=queue.in_flow if queue is not None else None)

    return open_


def _mx_opener(world: LiveWorld, hub: Hub, tls_for: Callable[[Host], ssl.SSLContext]) -> Callable[[tuple[str, int]], Opened]:
    def open_(peer: tuple[str, int]) -> Opened:
        known = hub.identities.get(peer)
        if known is not None:
            identity, origin, queue_id = known
            side = server_for(world, identity, 25, world.peer_host(origin, peer[0]), dedup=queue_id)
            client = origin.id
        else:
            # An outside client on the MX port is drawn as a sending server: the scenario's MSA.
            identity = world.mtas[0]
            side = server_for(world, identity, 25, world.peer_host(None, peer[0]), serves=world.mtas)
            client = world.msa.id
        check = side.check
        before = (lambda: run_client_check(world, identity.id, check)) if check is not None else None
        return Opened(side.machine, side.narrator, client, identity.id, tls_for(identity), side.refusal,
                      before_greeting=before)

    return open_


def _store_opener(world: LiveWorld, hub: Hub, host: Host, port: int,
                  tls_for: Callable[[Host], ssl.SSLContext]) -> Callable[[tuple[str, int]], Opened]:
    def on_login(username: str) -> tuple[str | None, str | None]:
        account = world.account_by_username(username)
        mua = world.mua_for(account)
        where = world.store_for_domain(account.address.rsplit("@", 1)[1]) if account else None
        return (mua.id if mua else None), (where.id if where else None)

    def open_(peer: tuple[str, int]) -> Opened:
        gate = hub.auth_guard.gate(peer[0])
        side = server_for(world, host, port, world.peer_host(None, peer[0]), login_gate=gate)
        return Opened(side.machine, side.narrator, world.reader_mua_id(host), host.id, tls_for(host), side.refusal,
                      on_login=on_login, gate=gate)

    return open_
