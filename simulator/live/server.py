"""Real sockets around the sans-I/O servers: one asyncio Protocol per connection.

Bytes from the socket go to the state machine's ``receive_data()``; what
``data_to_send()`` returns goes back. The driver never asks which protocol
it runs (every machine is a ``common.ServerConnection``) and never writes
protocol bytes itself. When the machine asks for TLS (the shared
``StartTLSRequested`` event) reading stops at once, the reply is flushed and
``loop.start_tls`` runs the real handshake on the same connection; then
``tls_established()``. Implicit-TLS listeners (465, 993, 995) run the
handshake before the greeting. Both directions are cut into trace lines by the
simulation's narrators, so a live session reads like a simulated one.

Limits, so that one client cannot hurt the others:

- a cap on concurrent connections per service group (submission, MX, mailbox
  store), and a lower one per client address (the queue's own relay
  connections aside); a connection over either gets the machine's refusal
  (``421``, ``* BYE``, ``-ERR [SYS/TEMP]``) and is closed; on an implicit-TLS
  port it is closed at once;
- a TLS handshake (implicit TLS, or after STARTTLS) must end within the
  handshake timeout, or the connection is closed (nothing can be said
  before TLS is up);
- a greeting timeout, shorter than the idle timeout: from the greeting to
  the first complete command (its reply), so that connections that say
  nothing give their slot back soon; then the idle timeout's goodbye;
- an idle timeout: a client must complete a command (get a reply) within it,
  or keep sending at least 64 KiB per period (a message in SMTP DATA);
  trickling a byte now and then does not count (slowloris). Then the
  machine's goodbye (``421 4.4.2``, ``* BYE``, ``-ERR``), closed;
- line and message size limits are the state machines' own (512-octet
  commands, 1000-octet text lines, SIZE), and so are the error limits (20,
  then the machine's goodbye); past SMTP's soft error limit each reply waits
  ``error_sleep`` (1 s, Postfix's smtpd_error_sleep_time);
- a client's bytes are handled ``TURN`` octets at a time, then the others get
  their turn: one flood never stalls every port;
- when a client stops reading our replies, we stop reading its commands.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from simulator.delivery.servers import PORT_NAMES
from simulator.live import crashpoints
from simulator.live.authguard import AddressGate
from simulator.live.hub import ConnectionCap, Hub
from simulator.protocols.common import (
    AnswerPending,
    LoginSucceeded,
    Paced,
    ServerConnection,
    ShutdownReason,
    StartTLSRequested,
    Unprompted,
)
from simulator.trace.events import Direction, Kind, TLSMode

DATA_PROGRESS = 65536  # bytes received that count as progress (a message in DATA)
TURN = 4096  # bytes of one client handled before the event loop serves the others


@dataclass
class Opened:
    """What a service gives a new connection."""

    machine: ServerConnection  # SMTPServer, IMAPServer or POP3Server
    narrator: Any
    client: str  # actor ids, as the trace draws the connection
    server: str
    tls_context: ssl.SSLContext
    refusal: ShutdownReason | None = None  # refuse at the greeting (a scenario fault)
    on_login: Callable[[str], tuple[str | None, str | None]] | None = None  # user -> (client, server) actors
    before_greeting: Callable[[], None] | None = None  # an MX's checks of the client's address (DNS lookups)
    gate: AddressGate | None = None  # the guard against password guessing: holds back a wrong password's reply
    in_flow: Callable[[], Awaitable[None] | None] | None = None  # the MSA: what to wait for, if the queue is behind


@dataclass
class Service:
    name: str  # "msa-starttls", "imaps" ...
    port: int  # the scenario's port (587, 993 ...): what the trace shows
    kind: Kind
    hostname: str
    implicit_tls: bool
    cap: ConnectionCap
    open: Callable[[tuple[str, int]], Opened]  # peer address -> the connection's machine
    bare: Callable[[], ServerConnection]  # a machine to refuse a connection over the cap with
    first_command: tuple[str, str] = ("", "")  # (RFC, what it says) of a timer before the first command


class Session(asyncio.Protocol):
    """One accepted connection."""

    def __init__(self, hub: Hub, service: Service) -> None:
        self.hub = hub
        self.service = service
        self.trace = hub.world.trace
        self.transport: Any = None
        self.opened: Opened | None = None
        self.machine: ServerConnection | None = None
        self._paced: Paced | None = None  # the machine, if Paced: asked once, not per turn (a Protocol isinstance is slow)
        self.conn = 0
        self.peer = ("?", 0)
        self.last_progress = time.monotonic()
        self.tls = TLSMode.NONE
        self._upgrading = False
        self._closing = False
        self._counted = False
        self._paused_writing = False
        self._data_bytes = 0
        self._started = False
        self._greeted = False  # the greeting has gone out: the greeting timeout runs
        self._commanded = False  # a first command got its reply: from here the idle timeout runs
        self._gone = False
        self._early: list[bytes | None] = []  # what arrived inside TLS before _handshake() resumed
        self._backlog = bytearray()  # received, waiting for this client's next turn
        self._turn: asyncio.Handle | None = None
        self._slept = False  # past the soft error limit: the sleep before the next line is over
        self._exempt = False  # the queue's own relay connection: no per-address limit
        self._holding = False  # a wrong password's reply waits out the failure delay; input waits in _backlog
        self._awaiting = False  # an answer waits on the disk writer
        self._stop_after_verdict = False  # the server is stopping: answer that message first

    # --- asyncio callbacks -----------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = (str(peer[0]), int(peer[1])) if peer else ("?", 0)
        service = self.service
        self._exempt = self.peer in self.hub.identities
        refused = service.cap.acquire(self.peer[0], exempt=self._exempt)
        if refused is not None:
            self._refuse(ShutdownReason.TOO_MANY_CONNECTIONS if refused == "cap"
                         else ShutdownReason.TOO_MANY_FROM_ADDRESS)
            return
        self._counted = True
        self.hub.sessions.add(self)
        self.opened = opened = service.open(self.peer)
        self.machine = opened.machine
        self._paced = opened.machine if isinstance(opened.machine, Paced) else None
        if isinstance(opened.machine, Unprompted):  # IMAP IDLE: news may come at any time
            opened.machine.set_wakeup(self._unprompted)
        self.conn = self.trace.new_connection(opened.client, opened.server, service.port, service.kind)
        name = PORT_NAMES.get(service.port, service.name)
        self._emit(Kind.TCP, opened.client, f"connection from {self.peer[0]}:{self.peer[1]} to port "
                   f"{transport.get_extra_info('sockname')[1]} ({name}, port {service.port} in the scenario)",
                   f"A real client opened a TCP connection to the live {name} server.", "RFC 9293 §3.5")
        if service.implicit_tls:
            self._upgrade(self._greet, TLSMode.IMPLICIT)
        else:
            self._greet()

    def data_received(self, data: bytes) -> None:
        if self._upgrading:
            # Reading stopped when the handshake began, so this came through TLS, right after
            # the handshake and before _handshake() resumed: keep it for then.
            self._early.append(data)
            return
        if self.machine is None or self._closing:
            return
        self._backlog += data
        if self._turn is None and not (self._holding or self._awaiting):
            self._work()
        elif self._awaiting:
            # More came while the disk answers: keep it, and read no more until the answer is sent.
            self.transport.pause_reading()

    def _work(self) -> None:
        """Handle the backlog, one turn at a time; between turns the other clients are served."""
        self._turn = None
        budget = TURN
        while self._backlog and self.machine is not None and not (self._closing or self._upgrading):
            if self._holding or self._awaiting:
                return  # a reply is held back (a wrong password) or waits on the disk: the rest after it
            paced = self._paced
            if paced is not None and paced.slowed and not self._slept:
                self._later(self.hub.error_sleep)  # past the soft error limit: wait, then one line
                self._slept = True
                return
            if budget <= 0:
                self._later(0.0)
                return
            size = min(TURN, budget)
            if self._slept or (paced is not None and paced.reading_commands):
                # Commands go in one line at a time, so that each reply can be held back when slowed.
                self._slept = False
                end = self._backlog.find(0x0A, 0, size)  # LF: where the machine's line ends
                size = end + 1 if end >= 0 else size
            piece = bytes(self._backlog[:size])
            del self._backlog[:size]
            budget -= len(piece)
            self._take(piece)
            if self._holding or self._awaiting:
                return
        if self._closing or self._upgrading:
            self._backlog.clear()  # after QUIT, or plaintext pipelined after STARTTLS: never read
        if not (self._paused_writing or self._upgrading or self._closing) and self.transport is not None:
            self.transport.resume_reading()

    def _later(self, delay: float) -> None:
        self.transport.pause_reading()  # the backlog is enough for now
        loop = asyncio.get_running_loop()
        self._turn = loop.call_later(delay, self._work) if delay else loop.call_soon(self._work)

    def _take(self, data: bytes) -> None:
        machine = self.machine
        assert machine is not None
        opened = self.opened
        assert opened is not None
        for line in opened.narrator.client(data):
            self._emit(self.service.kind, opened.client, line.text, line.explain, line.rfc, Direction.CLIENT,
                       line.content)
        self._data_bytes += len(data)
        if self._data_bytes >= DATA_PROGRESS:
            self._data_bytes = 0
            self.last_progress = time.monotonic()
        try:
            events = machine.receive_data(data)
            delay = opened.gate.take_delay() if opened.gate is not None else 0.0
            if delay > 0:
                self._hold(events, delay)
            else:
                self._after(events)
        except Exception as exc:  # a bug in a state machine must cost one connection, not the server
            self._emit(Kind.NOTE, self._server, f"internal error: {exc!r}; connection closed",
                       "Something went wrong inside smtpsim (please report it); only this connection is affected.",
                       None)
            self.abort()

    def eof_received(self) -> bool:
        if self._upgrading:
            self._early.append(None)
            return False
        if self._turn is not None:  # what came before the EOF is handled first, now
            self._turn.cancel()
            self._turn = None
            while self._backlog and self.machine is not None and not (self._closing or self._upgrading
                                                                      or self._holding or self._awaiting):
                piece = bytes(self._backlog[:TURN])
                del self._backlog[:TURN]
                self._take(piece)
        if self.machine is not None and not self.machine.closed:
            self._emit(Kind.TCP, self._client, "the client closed the connection",
                       "The client went away without QUIT/LOGOUT: any open transaction is dropped, nothing half "
                       "received is kept.", "RFC 5321 §4.1.1.5")
            self._lost()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        """The connection is gone (idempotent): free the slot, end the machine, trace it."""
        self._gone = True
        if self._turn is not None:
            self._turn.cancel()
            self._turn = None
        self._backlog.clear()
        if self._counted:
            self._counted = False
            self.service.cap.release(self.peer[0], exempt=self._exempt)
        self.hub.sessions.discard(self)
        if self.machine is not None and not self.machine.closed:
            self._lost()
        if self.conn:
            self._emit(Kind.TCP, self._server, "connection closed", "The TCP connection is closed.", "RFC 9293 §3.6")
            self.trace.end_connection(self.conn)
            self.conn = 0

    def _hold(self, events: list[Any], delay: float) -> None:
        """A wrong password: answer it after ``delay`` and read nothing meanwhile (authguard.py)."""
        self._holding = True
        self.transport.pause_reading()
        self.hub.spawn(self._release(events, delay))

    async def _release(self, events: list[Any], delay: float) -> None:
        await self.hub.sleep(delay)
        self._holding = False
        if self._gone or self._closing:
            return
        self._after(events)
        if self._turn is None:
            self._work()  # what came meanwhile waited in the backlog; _work resumes reading

    def pause_writing(self) -> None:
        # The client does not read what we send: stop reading what it sends.
        self._paused_writing = True
        if not self._upgrading:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self._paused_writing = False
        if not (self._upgrading or self._closing or self._holding or self._awaiting) and self._turn is None:
            self.transport.resume_reading()

    # --- the machine ------------------------------------------------------------------------------

    def _greet(self) -> None:
        assert self.opened is not None and self.machine is not None
        if self.opened.before_greeting is not None:
            self.opened.before_greeting()
        self._started = True
        self._after(self.machine.start(self.opened.refusal))
        self._greeted = True  # every later reply answers a complete command (see _flush)

    @property
    def patience(self) -> float:
        """Seconds without progress before the sweep calls timeout(): shorter until the first command."""
        if self._greeted and not self._commanded:
            return self.hub.greeting_timeout
        return self.hub.idle_timeout

    def _unprompted(self) -> None:
        """The machine has output no input asked for (news for an IDLE client): send it now."""
        if self._started and not self._upgrading and not self._closing and self.machine is not None:
            self._after([])

    def _replay(self) -> None:
        early, self._early = self._early, []
        for data in early:
            if data is None:
                self.eof_received()
                self._close()  # the transport already saw this EOF; close our side now
                return
            self.data_received(data)

    def _after(self, events: list[Any]) -> None:
        """Flush the machine's output, then act on its events (TLS, login, close)."""
        assert self.machine is not None
        self._flush()
        starttls = False
        for event in events:
            if isinstance(event, StartTLSRequested):
                starttls = True
            elif isinstance(event, AnswerPending):
                self._await_answer(event)
            elif isinstance(event, LoginSucceeded) and self.opened and self.opened.on_login:
                client, server = self.opened.on_login(event.user)
                self._reattribute(client, server)
        if self.machine.closed:
            self._close()
        elif starttls:
            self._upgrade(self.machine.tls_established, TLSMode.STARTTLS)

    def _flush(self) -> None:
        assert self.machine is not None
        out = self.machine.data_to_send()
        if not out:
            return
        self.last_progress = time.monotonic()
        self._data_bytes = 0
        if self._greeted:
            # A reply: a complete command came (bytes without a line end get none, so they never count).
            self._commanded = True
        self.transport.write(out)  # first: the client need not wait for the narration
        opened = self.opened
        assert opened is not None
        for line in opened.narrator.server(out):
            self._emit(self.service.kind, opened.server, line.text, line.explain, line.rfc, Direction.SERVER,
                       line.content)

    def _await_answer(self, pending: AnswerPending) -> None:
        """The answer's disk writes go to the writer thread; handle nothing more until it is sent.

        Reading is paused only if the client sends more meanwhile (``data_received``): the usual
        client waits for the 250, and pausing and resuming a TLS transport for nothing costs a turn
        of the loop and a failed TLS read every message. The backlog grows by one read at most.
        """
        self._awaiting = True
        held = self.opened.in_flow() if self.opened is not None and self.opened.in_flow is not None else None
        if held is None:
            self._write(pending)  # the usual case: no Task, one hand-off to the writer and one back
        else:
            self.hub.spawn(self._write_after(held, pending))

    async def _write_after(self, held: Awaitable[None], pending: AnswerPending) -> None:
        await held  # before the write: a held message is not yet queued
        self._write(pending)

    def _write(self, pending: AnswerPending) -> None:
        self.hub.world.writer.submit(pending.work, lambda _result, error: self._answer(pending, error))

    def _answer(self, pending: AnswerPending, failure: BaseException | None) -> None:
        error: OSError | None = None
        if isinstance(failure, OSError):
            error = failure
        elif isinstance(failure, Exception):  # a bug in a write must cost this message (451), not the server
            error = OSError(None, f"internal error: {failure!r}")
        elif failure is not None:
            raise failure
        events = pending.resume(error)  # what was written becomes visible, even if the client left
        self._awaiting = False
        if self._gone or self.machine is None:
            return
        self._after(events)
        crashpoints.reached(crashpoints.CrashPoint.ANSWERED)  # the first answer of a run is the MSA's 250
        if self._stop_after_verdict:
            self._stop_after_verdict = False
            self.shutdown()
        elif self._turn is None:
            self._work()  # what was pipelined waited in the backlog; _work resumes reading

    def _lost(self) -> None:
        if not self._started or self.machine is None:
            return
        self.machine.connection_lost()

    # --- TLS ----------------------------------------------------------------------------------------

    def _upgrade(self, then: Callable[[], Any], mode: TLSMode) -> None:
        self._upgrading = True
        self.transport.pause_reading()  # now: the next bytes are the ClientHello, not commands
        self.hub.spawn(self._handshake(then, mode))

    async def _handshake(self, then: Callable[[], Any], mode: TLSMode) -> None:
        assert self.opened is not None
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(self.transport, self, self.opened.tls_context, server_side=True,
                                             ssl_handshake_timeout=min(self.hub.handshake_timeout,
                                                                       self.hub.idle_timeout))
        except (OSError, ssl.SSLError, ConnectionError, TimeoutError, RuntimeError) as exc:
            self._emit(Kind.TLS, self._server, f"TLS handshake failed: {exc.__class__.__name__}",
                       "The handshake did not complete (the client may not trust the certificate, or it went "
                       "away); the connection is closed.", "RFC 8446 §6.2")
            self._closing = True
            self.transport.abort()
            self._cleanup()  # asyncio does not call connection_lost for a failed handshake
            return
        if transport is None or self._gone:  # the connection closed during the handshake
            self._cleanup()
            return
        self.transport = transport
        self._upgrading = False
        self.tls = mode
        self.trace.update_connection(self.conn, tls=mode)
        ssl_object = transport.get_extra_info("ssl_object")
        version = ssl_object.version() if ssl_object else "TLS"
        cipher = ssl_object.cipher()[0] if ssl_object and ssl_object.cipher() else "?"
        intro = "Implicit TLS: the handshake came first." if mode is TLSMode.IMPLICIT else \
            "STARTTLS: the handshake ran on the same TCP connection."
        self._emit(Kind.TLS, self._server, f"{version} established, cipher {cipher} (a real handshake)",
                   f"{intro} The certificate comes from smtpsim's local CA; from here on this connection is "
                   "encrypted.", "RFC 8446" if version == "TLSv1.3" else "RFC 5246")
        then()
        if mode is TLSMode.STARTTLS:
            self._after([])
        self._replay()

    # --- ends ---------------------------------------------------------------------------------------

    def _refuse(self, reason: ShutdownReason) -> None:
        service = self.service
        self._emit_refusal(reason)
        if not service.implicit_tls:
            # The protocol's own refusal, untraced (a flood must not fill the trace).
            machine = service.bare()
            machine.start(reason)
            self.transport.write(machine.data_to_send())
        self.transport.close()

    def _emit_refusal(self, reason: ShutdownReason) -> None:
        # Not a traced connection (that would let a flood fill the trace); one note.
        cap = self.service.cap
        why = f"{cap.limit} already open" if reason is ShutdownReason.TOO_MANY_CONNECTIONS else \
            f"{cap.per_address} already open from {self.peer[0]}"
        self.trace.emit(Kind.NOTE, self.hub.world.msa.id, self.hub.world.msa.id,
                        f"{self.service.name}: refused a connection from {self.peer[0]}:{self.peer[1]} ({why})",
                        "A server caps concurrent connections, in all and per client address, so one client cannot "
                        "take them all; the extra one gets 421 (try again later) and is closed.", rfc="RFC 5321 §3.8")

    def timeout(self) -> None:
        """Idle for too long: say so and close (RFC 5321 §4.5.3.2.7, §3.8)."""
        if self._closing:
            self.abort()
            return
        if self._awaiting or self._holding:
            self.last_progress = time.monotonic()  # the client waits for us, not we for it
            return
        if not self._upgrading and isinstance(self.machine, Unprompted) and self.machine.still_there():
            self._flush()  # waiting is what this client asked for (IDLE): a keepalive, not a goodbye
            return
        if self._greeted and not self._commanded:
            rfc, says = self.service.first_command
            self._emit(Kind.NOTE, self._server,
                       f"no command within {self.hub.greeting_timeout:g} s of the greeting: closing",
                       "The client connected but sent no complete command after the greeting (a byte now and "
                       "then does not count). A connection that says nothing only holds a slot, so the server "
                       f"waits less for the first command than between commands, and frees the slot. {says}",
                       rfc or None)
        else:
            self._emit(Kind.NOTE, self._server, f"idle for {self.hub.idle_timeout:g} s: closing",
                       "The client sent no complete command within the timeout (sending a byte now and then does "
                       "not count), so the server closes the connection and frees its slot.", "RFC 5321 §4.5.3.2.7")
        if self._upgrading or self.machine is None:
            self.abort()
            return
        self._goodbye(ShutdownReason.IDLE_TIMEOUT)

    def shutdown(self) -> None:
        """The server is stopping (a message being written is answered first, then the goodbye)."""
        if self._closing:
            return
        if self._awaiting:
            self._stop_after_verdict = True
            return
        if self._upgrading or self.machine is None:
            self.abort()
            return
        self._goodbye(ShutdownReason.SERVER_STOPPING)

    def _goodbye(self, reason: ShutdownReason) -> None:
        """The machine says goodbye in its protocol; we send it and close."""
        assert self.machine is not None
        if self._started:
            self.machine.shutdown(reason)
            self._flush()
        self._close()

    def _close(self) -> None:
        self._closing = True
        self.transport.close()  # after what is buffered has gone out

    def abort(self) -> None:
        self._closing = True
        if self.transport is not None:
            self.transport.abort()

    # --- trace ----------------------------------------------------------------------------------------

    @property
    def _client(self) -> str:
        return self.opened.client if self.opened else "client"

    @property
    def _server(self) -> str:
        return self.opened.server if self.opened else "server"

    def _reattribute(self, client: str | None, server: str | None) -> None:
        assert self.opened is not None
        if client:
            self.opened.client = client
        if server:
            self.opened.server = server
        self.trace.update_connection(self.conn, client=client, server=server)

    def _emit(self, kind: Kind, src: str, text: str, explain: str, rfc: str | None,
              direction: Direction | None = None, content: bool = False) -> None:
        opened = self.opened  # _client and _server, without two property calls per line
        client, server = (opened.client, opened.server) if opened is not None else ("client", "server")
        self.trace.emit(kind, src, server if src == client else client, text, explain, port=self.service.port,
                        tls=self.tls, dir=direction, conn=self.conn or None, rfc=rfc, content=content)


async def listen(service: Service, hub: Hub, host: str, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: Session(hub, service), host, port, backlog=512, reuse_address=True)
