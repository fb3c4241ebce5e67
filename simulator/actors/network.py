"""TCP connections between actors, the modelled TLS handshake, and the
generic driver that pumps bytes between a client and a server state machine.

Time advances only here: each transfer costs the link's one-way latency.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from simulator.actors.idle import idle_wait
from simulator.delivery.servers import PORT_NAMES, Narrator
from simulator.engine import Signal
from simulator.protocols.common import ClientConnection, ServerConnection, StartTLSReady, StartTLSRequested
from simulator.protocols.tls import handshake
from simulator.scenario.faults import FaultKind
from simulator.trace.fields import Direction, Kind, TLSMode

if TYPE_CHECKING:
    from simulator.actors.world import World


class Connection:
    """One TCP connection as the trace shows it."""

    def __init__(self, world: World, client: str, server: str, port: int, protocol: Kind) -> None:
        self.world = world
        self.client = client
        self.server = server
        self.port = port
        self.protocol = protocol
        self.latency = world.scenario.link_latency(client, server)
        extra = world.faults.on_link(FaultKind.LATENCY, client, server) if world.faults else None
        if extra is not None:
            self.latency += extra.seconds
        self.loss = world.faults.on_link(FaultKind.LOSS, client, server) if world.faults else None
        self.tls = TLSMode.NONE
        self.id = world.recorder.new_connection(client, server, port, protocol, TLSMode.NONE)

    def emit(self, kind: Kind, sender: str, text: str, explain: str, rfc: str | None,
             *, direction: Direction | None = None, content: bool = False) -> None:
        receiver = self.server if sender == self.client else self.client
        self.world.recorder.emit(kind, sender, receiver, text, explain, port=self.port, tls=self.tls,
                                 dir=direction, conn=self.id, rfc=rfc, content=content)

    def emit_lines(self, kind: Kind, sender: str, lines: list[Any], direction: Direction,
                   *, content: bool = True) -> None:
        """emit() for each narrated line (content=False ignores the lines' own content flag)."""
        receiver = self.server if sender == self.client else self.client
        record = self.world.recorder.emit
        port, tls, conn = self.port, self.tls, self.id
        for line in lines:
            record(kind, sender, receiver, line.text, line.explain, port=port, tls=tls,
                   dir=direction, conn=conn, rfc=line.rfc, content=content and line.content)

    def open(self) -> Generator[float, Any, None]:
        """The three-way handshake: one and a half round trips."""
        name = PORT_NAMES.get(self.port, "")
        what = f" ({name})" if name else ""
        self.emit(Kind.TCP, self.client, f"SYN → port {self.port}",
                  f"The client opens a TCP connection to port {self.port}{what}: first a SYN.", "RFC 9293 §3.5")
        yield self.latency
        self.emit(Kind.TCP, self.server, "SYN, ACK", "The server accepts: SYN-ACK.", "RFC 9293 §3.5")
        yield self.latency
        self.emit(Kind.TCP, self.client, "ACK", "The client acknowledges: the connection is open.", "RFC 9293 §3.5")
        yield self.latency

    def transfer(self, sender: str) -> Generator[float, Any, None]:
        """One segment's trip; a lost one is retransmitted after the timeout (RFC 6298)."""
        if self.loss is not None:
            rto = 1.0  # RFC 6298 §2.1: the initial retransmission timeout
            while self.world.rng.random() < self.loss.rate:
                self.emit(Kind.TCP, sender, f"segment lost; retransmitted after {rto:g} s",
                          "A packet was lost on the way. TCP notices the missing acknowledgement and sends it "
                          "again after the retransmission timeout, which doubles each time.", "RFC 6298 §5")
                yield rto
                rto = min(rto * 2, 60.0)
        yield self.latency

    def syn_timeout(self, timeout: float) -> Generator[float, Any, None]:
        """SYNs into the void: the host is down or a firewall drops them."""
        self.emit(Kind.TCP, self.client, f"SYN → port {self.port}", f"The client tries port {self.port}.", "RFC 9293 §3.5")
        waited, rto = 0.0, 1.0  # RFC 6298 §2.1: the first timeout is 1 s
        while waited + rto < timeout:
            yield rto
            waited += rto
            # Labelled with the wait since the previous SYN: 1, 2, 4, 8 s (the timer backs off).
            self.emit(Kind.TCP, self.client, f"SYN (retransmitted after {rto:g} s)",
                      "No SYN-ACK came back; TCP sends the SYN again, doubling the wait each time.", "RFC 6298 §5.5")
            rto *= 2
        yield timeout - waited
        self.emit(Kind.TCP, self.client, f"no answer after {timeout:g} s: connection timed out",
                  "Nothing answered: the host is down or unreachable. For mail this is a temporary failure, "
                  "so the sender tries the next MX or retries later.", "RFC 5321 §4.5.4.1")

    def refused(self) -> Generator[float, Any, None]:
        self.emit(Kind.TCP, self.client, f"SYN → port {self.port}", f"The client tries port {self.port}.", "RFC 9293 §3.5")
        yield self.latency
        self.emit(Kind.TCP, self.server, "RST", "Nothing listens there: the host answers with a reset.", "RFC 9293 §3.5")
        yield self.latency

    def close(self, closer: str) -> Generator[float, Any, None]:
        self.emit(Kind.TCP, closer, "FIN", "The connection is closed.", "RFC 9293 §3.6")
        yield self.latency

    def tls_handshake(self, version: str, mode: TLSMode, server_name: str, *, verify: bool = True,
                      problem: str | None = None) -> Generator[float, Any, bool]:
        """The modelled handshake. False when the client refused the certificate.

        ``verify``: whether the client checks the certificate (mail clients do;
        an MTA relaying on port 25 with opportunistic TLS usually does not,
        RFC 7435). ``problem``: what is wrong with it, if anything.
        """
        hs = handshake(version)
        intro = (
            "Implicit TLS: the handshake comes first, before any protocol byte."
            if mode is TLSMode.IMPLICIT
            else "The upgrade: a TLS handshake on the same TCP connection."
        )
        for i, flight in enumerate(hs.flights):
            sender = self.client if flight.sender == "C" else self.server
            explain = _flight_explain(flight.messages[0], hs.version, server_name)
            if i == 0:
                explain = intro + " " + explain
            self.emit(Kind.TLS, sender, ", ".join(flight.messages), explain, hs.rfc)
            if problem is not None and verify and "Certificate" in flight.messages:
                yield self.latency
                what = (f"it names other.invalid, not {server_name}" if problem == "name-mismatch"
                        else "it expired on 2026-01-01")
                self.emit(Kind.TLS, self.client, "Alert: bad_certificate (fatal)",
                          f"The client checked the server's certificate and refused it: {what}. It could be an "
                          "impostor, so the client stops before sending anything secret.", "RFC 8446 §6.2")
                return False
            # Flights that follow each other from the same side go out together.
            nxt = hs.flights[i + 1] if i + 1 < len(hs.flights) else None
            if nxt is None or nxt.sender != flight.sender:
                yield self.latency
        self.tls = mode
        self.world.recorder.update_connection(self.id, mode)
        text, explain = _established(hs.version, hs.cipher, hs.round_trips, server_name, verify, problem)
        self.emit(Kind.TLS, self.server, text, explain, hs.rfc)
        return True


# The handshake's explanations depend only on their arguments and every message repeats them:
# each distinct set is written once (bounded; a server name is per host).
@lru_cache(maxsize=1024)
def _established(version: str, cipher: str, round_trips: int, server_name: str, verify: bool,
                 problem: str | None) -> tuple[str, str]:
    """The text and explanation of the line that says the handshake is done."""
    if problem is not None:
        checked = (f"certificate NOT valid ({'wrong name' if problem == 'name-mismatch' else 'expired'}), "
                   "accepted unchecked")
        note = ("The certificate is bad, but this sender uses opportunistic TLS on port 25 and does not check "
                "it: the link is encrypted against eavesdroppers, not against an impostor (RFC 7435).")
    elif verify:
        checked = f"certificate for {server_name} verified"
        note = f"From here on this connection is encrypted and the server proved it is {server_name}."
    else:
        checked = "certificate not checked (opportunistic TLS)"
        note = ("From here on this connection is encrypted. Relaying servers on port 25 usually do not check "
                "certificates (opportunistic TLS, RFC 7435): it stops eavesdroppers, not impostors.")
    return (f"{version} established, cipher {cipher}, {checked}",
            f"{note} {version} took {round_trips} round trip{'s' if round_trips > 1 else ''}.")


@lru_cache(maxsize=1024)
def _flight_explain(first: str, version: str, server_name: str) -> str:
    if first.startswith("ClientHello"):
        return (f"The client says which TLS versions and ciphers it supports and names the server it wants "
                f"({server_name}, in the SNI extension).")
    if first.startswith("ServerHello"):
        return f"The server picks {version} and a cipher" + (
            " and sends its half of the key exchange." if version == "TLS 1.3"
            else ", sends its certificate and its half of the key exchange."
        )
    if first == "EncryptedExtensions":
        return ("Already encrypted: the server's certificate and its signature over the handshake, which proves "
                "it holds the certificate's private key.")
    if first == "ClientKeyExchange":
        return "The client sends its half of the key exchange; both sides switch to the new keys."
    if first == "ChangeCipherSpec":
        return "The server switches to the new keys too; the handshake is complete."
    return "The client confirms the handshake; both sides now share the keys."


def drive_session(
    conn: Connection,
    client: ClientConnection,
    server: ServerConnection,
    narrator: Narrator,
    *,
    tls_version: str,
    server_name: str,
    tamper: Callable[[bytes], bytes] | None = None,
    verify: bool = True,
    cert_problem: str | None = None,
) -> Generator[float | Signal, Any, bool]:
    """Pump bytes both ways until both sides are done, whatever the protocol.

    ``tamper`` rewrites what the server sends before the client sees it (a
    man in the middle). ``verify``/``cert_problem`` go to the STARTTLS
    handshake. Returns False when the client aborted over a bad certificate.

    The server's greeting must already be queued (``server.start()``). Each
    transfer is traced line by line and costs one link latency. The machines'
    shared events say when to run a TLS handshake (``StartTLSRequested`` on
    the server, ``StartTLSReady`` on the client).
    """
    kind = conn.protocol
    tls_requested = False
    while True:
        progressed = False
        data = server.data_to_send()
        if data:
            progressed = True
            conn.emit_lines(kind, conn.server, narrator.server(data), Direction.SERVER)
            if conn.loss is None:
                yield conn.latency  # what transfer() yields on a lossless link, without a generator
            else:
                yield from conn.transfer(conn.server)
            if tamper is not None:
                data = tamper(data)
            if not client.closed:
                ready = False
                for event in client.receive_data(data):  # a loop, not any(): no generator per chunk
                    if isinstance(event, StartTLSReady):
                        ready = True
                if ready and tls_requested:
                    ok = yield from conn.tls_handshake(tls_version, TLSMode.STARTTLS, server_name,
                                                       verify=verify, problem=cert_problem)
                    if not ok:
                        yield from conn.close(conn.client)
                        return False
                    server.tls_established()
                    client.tls_established()
                    tls_requested = False
        data = client.data_to_send()
        if data:
            progressed = True
            conn.emit_lines(kind, conn.client, narrator.client(data), Direction.CLIENT)
            if conn.loss is None:
                yield conn.latency  # what transfer() yields on a lossless link, without a generator
            else:
                yield from conn.transfer(conn.client)
            if not server.closed:
                for event in server.receive_data(data):
                    tls_requested = tls_requested or isinstance(event, StartTLSRequested)
        if not progressed:
            wait = idle_wait(conn.world, client, server)  # an IMAP IDLE: wait for news, not the end
            if wait is None:
                break
            yield wait
            continue
        if server.closed and client.closed:
            # Flush anything the server queued before closing (e.g. 221).
            rest = server.data_to_send()
            if rest:
                conn.emit_lines(kind, conn.server, narrator.server(rest), Direction.SERVER, content=False)
                yield conn.latency
                client.receive_data(rest)
            break
    yield from conn.close(conn.server if server.closed else conn.client)
    return True
