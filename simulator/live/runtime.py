"""Start and stop live mode: certificates, mailboxes, queue, listeners, DNS.

``LiveMode`` runs inside an asyncio loop (``await start()``, ``await
stop()``); ``LiveThread`` runs it in a thread of its own, for a UI on the
main thread or for tests.

On disk, under the data directory (``--data-dir``, by default
``$XDG_DATA_HOME/smtpsim`` or ``~/.local/share/smtpsim``)::

    tls/ca.pem                      the CA to trust (one for every scenario)
    dkim/DOMAIN.live.pem            the MSA's DKIM signing key (one for every scenario)
    <scenario>/tls/HOSTNAME.pem     each server's certificate
    <scenario>/mail/<address>/      each account's Maildir
    <scenario>/queue/, queue-state/ the relay queue
    <scenario>/passwords.json       the accounts' random passwords (0600), when listening beyond loopback
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.delivery.authentication import DKIMKey
from simulator.live.authrecords import signing_domain, with_auth_records
from simulator.live.certs import CertPaths, client_context, ensure_certificates, permitted, server_context
from simulator.live.context import LiveWorld
from simulator.live.dkimkey import ensure_dkim_key, key_path
from simulator.live.dns import DNSServer
from simulator.live.passwords import with_random_passwords
from simulator.live.queue import LiveQueue
from simulator.live.hub import DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, ERROR_SLEEP, Hub
from simulator.live.server import listen
from simulator.live.services import PORTS, build_services
from simulator.live.spool import Spool
from simulator.live.maildir import MaildirStore
from simulator.scenario.model import Host, Role, Scenario
from simulator.trace.events import Kind

DNS_PORT = 53
# A stop is over within this, whatever the clients do (a service manager kills a server that
# takes longer, and then nothing is clean). Nothing on disk depends on it: every write is whole
# or absent (simulator.live.durable), so a stop cut short is no worse than a crash.
STOP_DEADLINE = 1.5
PORT_KEYS = (*PORTS, "dns")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "smtpsim"


@dataclass
class LiveOptions:
    listen: str = "127.0.0.1"
    base_port: int = 10000
    ephemeral: bool = False  # every listener on port 0: the OS picks
    data_dir: Path | None = None
    time_scale: float = 1.0
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_per_address: int | None = None  # None: half of max_connections (see hub.default_per_address)
    handshake_timeout: float = DEFAULT_HANDSHAKE_TIMEOUT
    greeting_timeout: float | None = None  # None: 60 s, or the idle timeout if shorter (hub.default_greeting_timeout)
    error_sleep: float = ERROR_SLEEP  # tests make it long (to see a reply held back) or short
    hold_queue: bool = False  # accept and keep mail queued, deliver nothing
    max_events: int | None = None
    keylog: Path | None = None  # the servers append each TLS session's secrets here (SSLKEYLOGFILE format)

    def check(self) -> None:
        """Raise ValueError with one sentence for an option that cannot work."""
        try:
            ipaddress.ip_address(self.listen)
        except ValueError:
            raise ValueError(f"--listen expects an IP address such as 127.0.0.1 or ::1, found {self.listen!r}") from None
        if not self.ephemeral and not 0 <= self.base_port <= 65535 - 995:
            raise ValueError(f"--base-port must be from 0 to {65535 - 995} (it is added to 25 ... 995), "
                             f"found {self.base_port}")
        if not self.time_scale > 0:
            raise ValueError(f"--time-scale must be a number > 0, found {self.time_scale}")
        if not self.idle_timeout > 0:
            raise ValueError(f"--idle-timeout must be > 0 seconds, found {self.idle_timeout}")
        if self.max_connections < 1:
            raise ValueError(f"--max-connections must be at least 1, found {self.max_connections}")
        if self.max_per_address is not None and self.max_per_address < 1:
            raise ValueError(f"--max-per-address must be at least 1, found {self.max_per_address}")
        if not self.handshake_timeout > 0:
            raise ValueError(f"--handshake-timeout must be > 0 seconds, found {self.handshake_timeout}")
        if self.greeting_timeout is not None:
            if not self.greeting_timeout > 0:
                raise ValueError(f"--greeting-timeout must be > 0 seconds, found {self.greeting_timeout}")
            if self.greeting_timeout > self.idle_timeout:
                raise ValueError(f"--greeting-timeout must be at most the idle timeout ({self.idle_timeout:g} s, "
                                 f"--idle-timeout), found {self.greeting_timeout:g}")
        if not self.error_sleep >= 0:
            raise ValueError(f"error_sleep must be >= 0 seconds, found {self.error_sleep}")


def scenario_dir_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "scenario"


@dataclass
class LiveMode:
    scenario: Scenario
    options: LiveOptions = field(default_factory=LiveOptions)

    def __post_init__(self) -> None:
        self.options.check()
        self.data_dir = (self.options.data_dir or default_data_dir()).expanduser().resolve()
        self.root = self.data_dir / scenario_dir_name(self.scenario.name)
        # Beyond loopback the lessons' published passwords would let anyone in (simulator/live/passwords.py).
        self.passwords_file: Path | None = None
        if not ipaddress.ip_address(self.options.listen).is_loopback:
            self.scenario, self.passwords_file = with_random_passwords(self.scenario, self.root)
        self.world = LiveWorld(self.scenario, time_scale=self.options.time_scale, max_events=self.options.max_events)
        self.trace = self.world.trace
        self.ports: dict[str, int] = {}
        self.certs: CertPaths | None = None
        self.dkim: DKIMKey | None = None
        self.warnings: list[str] = []
        self._servers: list[asyncio.base_events.Server] = []
        self._contexts: dict[tuple[str, bool], ssl.SSLContext] = {}
        self._dns: DNSServer | None = None
        self.hub: Hub | None = None
        self.queue: LiveQueue | None = None
        self.store: MaildirStore | None = None

    # --- start / stop ------------------------------------------------------------------------------

    async def start(self) -> None:
        opts = self.options
        names = [h.hostname for h in self.scenario.hosts if h.role not in (Role.MUA, Role.ATTACKER)]
        self.warnings = [f"{n} is not a name reserved for testing: clients will not accept its certificate"
                         for n in names if not permitted(n)]
        if not ipaddress.ip_address(opts.listen).is_loopback:
            self.warnings.append(f"listening on {opts.listen}: other computers can reach these servers; the "
                                 "accounts have random passwords (printed above, kept in "
                                 f"{self.passwords_file}); there is no open relay")
        self.certs = certs = ensure_certificates(self.data_dir / "tls", self.root / "tls", names)
        world = self.world
        # The MSA signs with a key of this data directory; the DNS server publishes it, with SPF and DMARC.
        self.dkim = dkim = ensure_dkim_key(self.data_dir / "dkim", signing_domain(world.msa))
        world.publish(dkim, with_auth_records(self.scenario.zones, world.msa))
        self.store = store = MaildirStore(self.root / "mail", self.scenario.accounts)
        self.hub = hub = Hub(world, idle_timeout=opts.idle_timeout, handshake_timeout=opts.handshake_timeout,
                             greeting_timeout=opts.greeting_timeout, error_sleep=opts.error_sleep)
        self.queue = queue = LiveQueue(
            world, Spool(self.root), mx_address=lambda: (self.connect_host, self.ports["mta"]),
            tls=self._client_context, register=hub.register, hold=opts.hold_queue)
        world.attach(store, queue)
        try:
            for service in build_services(world, hub, self._tls_for, opts.max_connections, opts.max_per_address):
                port = 0 if opts.ephemeral else opts.base_port + service.port
                server = await listen(service, hub, opts.listen, port)
                self._servers.append(server)
                self.ports[service.name] = server.sockets[0].getsockname()[1]
            self._dns = DNSServer(world.resolvers.base, world.resolvers.by_domain())
            self.ports["dns"] = await self._dns.start(opts.listen, 0 if opts.ephemeral else opts.base_port + DNS_PORT)
        except BaseException:
            await self.stop()
            raise
        hub.start()
        world.clock.reset()  # scenario time 0: every listener is up (certificates can take a moment)
        waiting = queue.start()
        world.trace.emit(
            Kind.NOTE, world.msa.id, world.msa.id,
            f"live mode: {self.scenario.name} on {opts.listen}, submission on port {self.ports['msa-starttls']}"
            + (f"; {waiting} message(s) still queued" if waiting else ""),
            "Real clients can now connect. Every session is drawn here as it happens, with the same "
            "explanations as in the simulation.",
        )

    async def stop(self) -> None:
        """Stop listening, say goodbye to open connections, leave the queue on disk (within STOP_DEADLINE)."""
        try:
            await asyncio.wait_for(self._stop(), STOP_DEADLINE)
        except TimeoutError:
            pass  # what is left is closed by the process's exit; the disk is consistent anyway

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        if self.queue is not None:
            await self.queue.stop()  # first: its relay connections are sessions of ours too
        if self.hub is not None:
            await self.hub.close()
        if self._dns is not None:
            await self._dns.stop()
        for server in self._servers:
            await server.wait_closed()
        self._servers = []
        await asyncio.to_thread(self.world.writer.close)  # what was handed to the disk is on it
        if self.queue is not None:
            self.queue.spool.close()

    # --- what to tell the user ------------------------------------------------------------------------

    @property
    def connect_host(self) -> str:
        """Where a client on this computer connects (the wildcard addresses mean loopback)."""
        return {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.options.listen, self.options.listen)

    def accounts(self) -> list[dict[str, str]]:
        return [{"address": a.address, "username": a.username, "password": a.password}
                for a in self.world.accounts()]

    def info(self) -> dict[str, Any]:
        """The first line of ``smtpsim live --json``."""
        return {
            "ports": {key: self.ports.get(key) for key in PORT_KEYS},
            "accounts": self.accounts(),
            "passwords": "scenario" if self.passwords_file is None else "random",
            "ca": str(self.certs.ca) if self.certs else None,
            "listen": self.options.listen,
            "scenario": self.scenario.name,
            "data_dir": str(self.root),
            "time_scale": self.options.time_scale,
            "dkim": {"domain": self.dkim.domain, "selector": self.dkim.selector,
                     "key": str(key_path(self.data_dir / "dkim", self.dkim.domain, self.dkim.selector))}
            if self.dkim else None,
        }

    def _client_context(self, verify: bool) -> ssl.SSLContext:
        """The relay's TLS context: made once (loading the CA costs about a millisecond each time)."""
        key = ("relay client", verify)
        context = self._contexts.get(key)
        if context is None:
            assert self.certs is not None
            context = self._contexts[key] = client_context(self.certs, verify=verify)
        return context

    def _tls_for(self, host: Host) -> ssl.SSLContext:
        """The host's certificate and TLS versions ("1.2" caps the handshake, as the scenario says).

        One listener stands for every host of a role (all the MX hosts, all the stores): a client
        that names another of them (SNI) gets that host's certificate; other names do not switch.
        """
        siblings = frozenset(h.hostname.lower() for h in self.scenario.hosts if h.role is host.role)
        return self._context(host.hostname, host.tls == "1.2", siblings)

    def _context(self, hostname: str, tls12: bool, siblings: frozenset[str]) -> ssl.SSLContext:
        key = (hostname.lower(), tls12)
        context = self._contexts.get(key)
        if context is None:
            assert self.certs is not None
            context = server_context(self.certs.for_name(hostname))
            if self.options.keylog is not None:
                context.keylog_filename = str(self.options.keylog)  # Wireshark decrypts loopback captures
            if tls12:
                context.maximum_version = ssl.TLSVersion.TLSv1_2

            def by_name(sock: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
                if name and name.lower() in siblings and name.lower() != key[0]:
                    sock.context = self._context(name, tls12, siblings)

            context.sni_callback = by_name
            self._contexts[key] = context
        return context


class LiveThread:
    """Live mode on a background thread with its own event loop.

    ``start()`` returns once every port listens (or raises what went wrong);
    ``stop()`` shuts down cleanly and joins. Usable as a context manager.
    """

    def __init__(self, mode: LiveMode) -> None:
        self.mode = mode
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._main, name="smtpsim-live", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None

    def start(self, timeout: float = 30.0) -> LiveMode:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("live mode did not start in time")
        if self._error is not None:
            raise self._error
        return self.mode

    def stop(self, timeout: float = 30.0) -> None:
        if self.loop is not None and self._stop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def call(self, coro: Any, timeout: float = 30.0) -> Any:
        """Run a coroutine on the live loop from another thread and return its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> LiveMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.mode.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self.mode.stop()
