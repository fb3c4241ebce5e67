"""TCP connections between actors, the modelled TLS handshake, and the
generic driver that pumps bytes between a client and a server state machine.

Time advances only here: each transfer costs the link's one-way latency.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Protocol

from simulator.protocols.tls import handshake
from simulator.trace.events import Direction, Kind, TLSMode

if TYPE_CHECKING:
    from simulator.actors.world import World

_PORT_NAMES = {25: "SMTP relay", 587: "submission", 465: "submissions (implicit TLS)", 143: "IMAP",
               993: "IMAPS (implicit TLS)", 110: "POP3", 995: "POP3S (implicit TLS)"}


class SansIO(Protocol):
    closed: bool

    def receive_data(self, data: bytes) -> list[Any]: ...

    def data_to_send(self) -> bytes: ...

    def tls_established(self) -> None: ...


class Narrator(Protocol):
    def client(self, data: bytes) -> list[Any]: ...

    def server(self, data: bytes) -> list[Any]: ...


class Connection:
    """One TCP connection as the trace shows it."""

    def __init__(self, world: World, client: str, server: str, port: int, protocol: Kind) -> None:
        self.world = world
        self.client = client
        self.server = server
        self.port = port
        self.protocol = protocol
        self.latency = world.scenario.link_latency(client, server)
        self.tls = TLSMode.NONE
        self.id = world.recorder.new_connection(client, server, port, protocol, TLSMode.NONE)

    def emit(self, kind: Kind, sender: str, text: str, explain: str, rfc: str | None,
             *, direction: Direction | None = None, content: bool = False) -> None:
        receiver = self.server if sender == self.client else self.client
        self.world.recorder.emit(kind, sender, receiver, text, explain, port=self.port, tls=self.tls,
                                 dir=direction, conn=self.id, rfc=rfc, content=content)

    def open(self) -> Generator[float, Any, None]:
        """The three-way handshake: one and a half round trips."""
        name = _PORT_NAMES.get(self.port, "")
        what = f" ({name})" if name else ""
        self.emit(Kind.TCP, self.client, f"SYN → port {self.port}",
                  f"The client opens a TCP connection to port {self.port}{what}: first a SYN.", "RFC 9293 §3.5")
        yield self.latency
        self.emit(Kind.TCP, self.server, "SYN, ACK", "The server accepts: SYN-ACK.", "RFC 9293 §3.5")
        yield self.latency
        self.emit(Kind.TCP, self.client, "ACK", "The client acknowledges: the connection is open.", "RFC 9293 §3.5")
        yield self.latency

    def refused(self) -> Generator[float, Any, None]:
        self.emit(Kind.TCP, self.client, f"SYN → port {self.port}", f"The client tries port {self.port}.", "RFC 9293 §3.5")
        yield self.latency
        self.emit(Kind.TCP, self.server, "RST", "Nothing listens there: the host answers with a reset.", "RFC 9293 §3.5")
        yield self.latency

    def close(self, closer: str) -> Generator[float, Any, None]:
        self.emit(Kind.TCP, closer, "FIN", "The connection is closed.", "RFC 9293 §3.6")
        yield self.latency

    def tls_handshake(self, version: str, mode: TLSMode, server_name: str) -> Generator[float, Any, None]:
        """The modelled handshake; afterwards the connection is protected."""
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
            # Flights that follow each other from the same side go out together.
            nxt = hs.flights[i + 1] if i + 1 < len(hs.flights) else None
            if nxt is None or nxt.sender != flight.sender:
                yield self.latency
        self.tls = mode
        self.world.recorder.update_connection(self.id, mode)
        self.emit(
            Kind.TLS, self.server,
            f"{hs.version} established, cipher {hs.cipher}, certificate for {server_name} verified",
            f"From here on this connection is encrypted and the server proved it is {server_name}. "
            f"{hs.version} took {hs.round_trips} round trip{'s' if hs.round_trips > 1 else ''}.",
            hs.rfc,
        )


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
    client: SansIO,
    server: SansIO,
    narrator: Narrator,
    kind: Kind,
    *,
    tls_version: str,
    server_name: str,
    is_starttls_request: Callable[[Any], bool],
    is_starttls_ready: Callable[[Any], bool],
    on_server_event: Callable[[Any], None] | None = None,
    on_client_event: Callable[[Any], None] | None = None,
) -> Generator[float, Any, None]:
    """Pump bytes both ways until both sides are done.

    The server's greeting must already be queued (``server.start()``). Each
    transfer is traced line by line and costs one link latency.
    """
    tls_requested = False
    while True:
        progressed = False
        data = server.data_to_send()
        if data:
            progressed = True
            for line in narrator.server(data):
                conn.emit(kind, conn.server, line.text, line.explain, line.rfc, direction=Direction.SERVER, content=line.content)
            yield conn.latency
            if not client.closed:
                ready = False
                for event in client.receive_data(data):
                    if on_client_event is not None:
                        on_client_event(event)
                    ready = ready or is_starttls_ready(event)
                if ready and tls_requested:
                    yield from conn.tls_handshake(tls_version, TLSMode.STARTTLS, server_name)
                    server.tls_established()
                    client.tls_established()
                    tls_requested = False
        data = client.data_to_send()
        if data:
            progressed = True
            for line in narrator.client(data):
                conn.emit(kind, conn.client, line.text, line.explain, line.rfc, direction=Direction.CLIENT, content=line.content)
            yield conn.latency
            if not server.closed:
                for event in server.receive_data(data):
                    if on_server_event is not None:
                        on_server_event(event)
                    tls_requested = tls_requested or is_starttls_request(event)
        if not progressed:
            break
        if server.closed and client.closed:
            # Flush anything the server queued before closing (e.g. 221).
            rest = server.data_to_send()
            if rest:
                for line in narrator.server(rest):
                    conn.emit(kind, conn.server, line.text, line.explain, line.rfc, direction=Direction.SERVER)
                yield conn.latency
                client.receive_data(rest)
            break
    yield from conn.close(conn.server if server.closed else conn.client)
