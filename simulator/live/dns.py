"""A small DNS server on UDP and TCP answering from the scenario's zones.

    dig @127.0.0.1 -p 10053 example.net MX

Answers come from the simulation's ``ZoneResolver`` (dnspython messages in
wire format), so ``dig`` shows what the simulated MTA reads. Zone faults that
change what a domain publishes (``null-mx``, ``no-mx``) are applied; faults
about the sender's resolver (timeouts, SERVFAIL) belong to the queue's own
lookups and are not. Names outside the zones get NXDOMAIN: this server never
asks anyone else. A query that cannot be parsed gets FORMERR (or nothing, if
it is not even a DNS header). TCP messages carry the two-octet length prefix
of RFC 1035 §4.2.2; the server keeps a TCP connection open for several
queries and closes it when idle.
"""

from __future__ import annotations

import asyncio
import struct

import dns.flags
import dns.message
import dns.opcode
import dns.rcode

from simulator.dns import ZoneResolver

TCP_IDLE = 10.0  # seconds a TCP client may stay silent between queries
MAX_TCP_CONNECTIONS = 64


def answer(resolver: ZoneResolver, fault_resolvers: dict[str, ZoneResolver], query: bytes) -> bytes | None:
    """The response to one query in wire format, or None to stay silent."""
    if len(query) < 12:
        return None  # not even a header: nothing to answer
    try:
        message = dns.message.from_wire(query)
    except Exception:  # dnspython raises many kinds; all mean "malformed"
        return _error(query, dns.rcode.FORMERR)
    if message.flags & dns.flags.QR:
        return None  # a response, not a query: never answer those (no loops)
    if message.opcode() != dns.opcode.QUERY:
        return _error(query, dns.rcode.NOTIMP)
    if len(message.question) != 1:
        return _error(query, dns.rcode.FORMERR)
    name = message.question[0].name.to_text().rstrip(".").lower()
    chosen = fault_resolvers.get(name, resolver)
    try:
        return chosen.respond(query)
    except Exception:
        return _error(query, dns.rcode.SERVFAIL)


def _error(query: bytes, rcode: int) -> bytes:
    """A bare header: same id, QR set, the opcode and RD echoed, the error code."""
    qid = query[:2]
    flags = struct.unpack("!H", query[2:4])[0] if len(query) >= 4 else 0
    out_flags = 0x8000 | (flags & 0x7900) | 0x0080 | (rcode & 0xF)  # QR, opcode+RD, RA
    return qid + struct.pack("!HHHHH", out_flags, 0, 0, 0, 0)


class _UDP(asyncio.DatagramProtocol):
    def __init__(self, respond) -> None:
        self.respond = respond
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        reply = self.respond(data)
        if reply is None or self.transport is None:
            return
        if len(reply) > 512 and not _has_edns(data):
            # RFC 1035 §4.2.1: too big for plain UDP: the header alone with TC set; the client retries over TCP.
            flags = struct.unpack("!H", reply[2:4])[0] | 0x0200
            reply = reply[:2] + struct.pack("!HHHHH", flags, 0, 0, 0, 0)
        self.transport.sendto(reply, addr)


def _has_edns(query: bytes) -> bool:
    try:
        return dns.message.from_wire(query).edns >= 0
    except Exception:
        return False


class _TCP(asyncio.Protocol):
    def __init__(self, server: DNSServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.counted = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        if self.server.tcp_connections >= MAX_TCP_CONNECTIONS:
            transport.close()
            return
        self.server.tcp_connections += 1
        self.server.open.add(self)
        self.counted = True
        self._arm()

    def _arm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        assert self.transport is not None
        self.timer = asyncio.get_running_loop().call_later(TCP_IDLE, self.transport.close)

    def data_received(self, data: bytes) -> None:
        if not self.counted or self.transport is None:
            return
        self.buffer += data
        while len(self.buffer) >= 2:
            size = struct.unpack("!H", self.buffer[:2])[0]
            if len(self.buffer) < 2 + size:
                break
            query = bytes(self.buffer[2:2 + size])
            del self.buffer[:2 + size]
            reply = self.server.respond(query)
            if reply is None:
                self.transport.close()
                return
            self.transport.write(struct.pack("!H", len(reply)) + reply)
            self._arm()

    def connection_lost(self, exc) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.counted:
            self.counted = False
            self.server.tcp_connections -= 1
            self.server.open.discard(self)


class DNSServer:
    """UDP and TCP on the same port; ``port`` is known once ``start`` returns."""

    def __init__(self, resolver: ZoneResolver, fault_resolvers: dict[str, ZoneResolver]) -> None:
        self.respond = lambda query: answer(resolver, fault_resolvers, query)
        self.port = 0
        self.tcp_connections = 0
        self.open: set[_TCP] = set()
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        loop = asyncio.get_running_loop()
        tries = 20 if port == 0 else 1
        for attempt in range(tries):
            # TCP first: with port 0 the OS picks one, and UDP takes the same number.
            tcp = await loop.create_server(lambda: _TCP(self), host, port, reuse_address=True)
            chosen = tcp.sockets[0].getsockname()[1]
            try:
                udp, _ = await loop.create_datagram_endpoint(lambda: _UDP(self.respond), local_addr=(host, chosen))
            except OSError:
                tcp.close()
                await tcp.wait_closed()
                if attempt == tries - 1:
                    raise
                continue
            self._tcp, self._udp, self.port = tcp, udp, chosen
            return chosen
        raise OSError("no free port for DNS")

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            for protocol in list(self.open):
                if protocol.timer is not None:
                    protocol.timer.cancel()
                if protocol.transport is not None:
                    protocol.transport.abort()
            await self._tcp.wait_closed()
