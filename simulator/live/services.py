"""Which server answers on which live port, built as the simulation builds it.

Listeners and their state machines (the scenario's hosts, the simulation's
configurations):

    msa-starttls  587 -> 10587   the MSA, STARTTLS then AUTH (SMTPServer, role MSA)
    msa-implicit  465 -> 10465   the MSA, implicit TLS
    mta            25 -> 10025   every MX of the scenario behind one listener
    imap/imaps    143/993        every mailbox store behind one listener
    pop3/pop3s    110/995        the same mailboxes

One MX listener serves all MX hosts: the queue says which MX a connection is
meant for (its greeting, faults, ``Received:`` by-name follow), and each
recipient is judged by the MX of its domain. A client from outside (swaks,
openssl) meets the first MX, which takes mail for every MX's domains. One
IMAP/POP3 listener serves every store; the greeting names the first store.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.live.policies import LiveMXPolicy, LiveSubmissionPolicy
from simulator.live.hub import ConnectionCap, Hub
from simulator.live.server import Opened, Service
from simulator.protocols import imap, pop3, smtp
from simulator.protocols.common import ServerConnection, ShutdownReason
from simulator.scenario.model import Host
from simulator.trace.events import Kind
from simulator.trace.narrate.imap import IMAPNarrator
from simulator.trace.narrate.pop3 import POP3Narrator
from simulator.trace.narrate.smtp import SMTPNarrator

if TYPE_CHECKING:
    from simulator.live.context import LiveWorld
    from simulator.live.queue import LiveQueue
    from simulator.live.store import MaildirStore

# name -> the scenario's port, implicit TLS?
PORTS: dict[str, tuple[int, bool]] = {
    "msa-starttls": (587, False), "msa-implicit": (465, True), "mta": (25, False),
    "imap": (143, False), "imaps": (993, True), "pop3": (110, False), "pop3s": (995, True),
}


def build_services(world: LiveWorld, hub: Hub, store: MaildirStore, queue: LiveQueue,
                   tls_for: Callable[[Host], ssl.SSLContext], max_connections: int) -> list[Service]:
    caps = {group: ConnectionCap(max_connections) for group in ("msa", "mta", "store")}
    msa = world.msa
    services = []
    for name, (port, implicit) in PORTS.items():
        if name.startswith("msa"):
            services.append(Service(name, port, Kind.SMTP, msa.hostname, implicit, caps["msa"],
                                    _msa_opener(world, queue, tls_for, implicit),
                                    _bare_smtp(msa.hostname, smtp.Role.MSA)))
        elif name == "mta" and world.mtas:
            services.append(Service(name, port, Kind.SMTP, world.mtas[0].hostname, implicit, caps["mta"],
                                    _mx_opener(world, hub, store, queue, tls_for),
                                    _bare_smtp(world.mtas[0].hostname, smtp.Role.MTA)))
        elif world.stores and name.startswith(("imap", "pop3")):
            kind = Kind.IMAP if name.startswith("imap") else Kind.POP3
            opener, bare = _store_opener(world, store, tls_for, kind, implicit)
            services.append(Service(name, port, kind, world.stores[0].hostname, implicit, caps["store"],
                                    opener, bare))
    return services


def _bare_smtp(hostname: str, role: smtp.Role) -> Callable[[], ServerConnection]:
    config = smtp.SMTPServerConfig(hostname=hostname, role=role)
    return lambda: smtp.SMTPServer(config)


def _msa_opener(world: LiveWorld, queue: LiveQueue, tls_for: Callable[[Host], ssl.SSLContext],
                implicit: bool) -> Callable[[tuple[str, int]], Opened]:
    msa = world.msa
    config = smtp.SMTPServerConfig(hostname=msa.hostname, role=smtp.Role.MSA, implicit_tls=implicit,
                                   starttls_available=msa.tls != "none")

    def on_login(username: str) -> tuple[str | None, str | None]:
        mua = world.mua_for(world.account_by_username(username))
        return (mua.id if mua else None), None

    def open_(peer: tuple[str, int]) -> Opened:
        policy = LiveSubmissionPolicy(world, msa, world.peer_host(None, peer[0]), queue)
        return Opened(smtp.SMTPServer(config, policy), SMTPNarrator(submission=True), world.sender_mua_id(),
                      msa.id, tls_for(msa), on_login=on_login)

    return open_


def _mx_opener(world: LiveWorld, hub: Hub, store: MaildirStore, queue: LiveQueue,
               tls_for: Callable[[Host], ssl.SSLContext]) -> Callable[[tuple[str, int]], Opened]:
    def open_(peer: tuple[str, int]) -> Opened:
        known = hub.identities.get(peer)
        identity, origin = known if known else (world.mtas[0], None)
        faults = world.faults
        if known:
            hosts = [identity]
        else:
            hosts = list(world.mtas)
        denied = {h.id for h in hosts if faults and faults.hit("relay-denied", h.id)}
        local = frozenset(d for h in hosts if h.id not in denied for d in h.domains)
        too_large = faults.hit("message-too-large", identity.id) if faults else None
        config = smtp.SMTPServerConfig(
            hostname=identity.hostname, role=smtp.Role.MTA, local_domains=local,
            starttls_available=identity.tls != "none",
            max_message_size=too_large.limit if too_large else smtp.SMTPServerConfig.max_message_size,
        )
        refusal = None
        if faults and faults.hit("service-unavailable", identity.id):
            refusal = ShutdownReason.SERVICE_UNAVAILABLE
        policy = LiveMXPolicy(world, identity, world.peer_host(origin, peer[0]), store, queue)
        # An outside client on the MX port is drawn as a sending server: the scenario's MSA.
        client = origin.id if origin else world.msa.id
        return Opened(smtp.SMTPServer(config, policy), SMTPNarrator(submission=False), client, identity.id,
                      tls_for(identity), refusal=refusal)

    return open_


def _store_opener(world: LiveWorld, store: MaildirStore, tls_for: Callable[[Host], ssl.SSLContext], kind: Kind,
                  implicit: bool) -> tuple[Callable[[tuple[str, int]], Opened], Callable[[], ServerConnection]]:
    host = world.stores[0]
    if kind is Kind.IMAP:
        imap_config = imap.IMAPServerConfig(hostname=host.hostname, implicit_tls=implicit,
                                            starttls_available=host.tls != "none")
    else:
        pop3_config = pop3.POP3ServerConfig(hostname=host.hostname, implicit_tls=implicit,
                                            starttls_available=host.tls != "none")

    def on_login(username: str) -> tuple[str | None, str | None]:
        account = world.account_by_username(username)
        mua = world.mua_for(account)
        where = world.store_for_domain(account.address.rsplit("@", 1)[1]) if account else None
        return (mua.id if mua else None), (where.id if where else None)

    def machine() -> ServerConnection:
        if kind is Kind.IMAP:
            return imap.IMAPServer(imap_config, store)
        return pop3.POP3Server(pop3_config, store)

    def open_(peer: tuple[str, int]) -> Opened:
        narrator = IMAPNarrator() if kind is Kind.IMAP else POP3Narrator()
        return Opened(machine(), narrator, world.reader_mua_id(host), host.id, tls_for(host), on_login=on_login)

    return open_, machine
