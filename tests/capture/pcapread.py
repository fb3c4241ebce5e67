"""A reader for the captures the tests check, written apart from the writer: classic pcap and pcapng,
Ethernet, IPv4/IPv6, TCP and UDP. It checks every checksum itself (RFC 1071: the ones' complement
sum over a packet that carries its checksum is 0xFFFF)."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Packet:
    t: float
    src: str
    dst: str
    proto: str  # "tcp" or "udp"
    sport: int
    dport: int
    payload: bytes
    seq: int = 0
    ack: int = 0
    flags: int = 0  # TCP: FIN 1, SYN 2, RST 4, PSH 8, ACK 16
    window: int = 0
    checksums_ok: bool = True


def _sum16(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = 0
    for (word,) in struct.iter_unpack("!H", data):
        total += word
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def _records(raw: bytes):
    magic = struct.unpack_from("<I", raw)[0]
    if magic == 0xA1B2C3D4:
        pos = 24
        while pos < len(raw):
            sec, usec, incl, _orig = struct.unpack_from("<IIII", raw, pos)
            yield sec + usec / 1e6, raw[pos + 16:pos + 16 + incl]
            pos += 16 + incl
    elif magic == 0x0A0D0D0A:
        pos = 0
        while pos < len(raw):
            kind, length = struct.unpack_from("<II", raw, pos)
            assert struct.unpack_from("<I", raw, pos + length - 4)[0] == length, "pcapng block lengths differ"
            if kind == 6:
                _iface, high, low, cap, _orig = struct.unpack_from("<IIIII", raw, pos + 8)
                yield ((high << 32) | low) / 1e6, raw[pos + 28:pos + 28 + cap]
            pos += length
    else:
        raise AssertionError(f"not a capture file (magic {magic:#x})")


def read_capture(path: Path) -> list[Packet]:
    out = []
    for t, frame in _records(path.read_bytes()):
        (ethertype,) = struct.unpack_from("!H", frame, 12)
        ip = frame[14:]
        if ethertype == 0x0800:
            ihl = (ip[0] & 0x0F) * 4
            total = struct.unpack_from("!H", ip, 2)[0]
            proto = ip[9]
            src, dst = str(ipaddress.IPv4Address(ip[12:16])), str(ipaddress.IPv4Address(ip[16:20]))
            ok = _sum16(ip[:ihl]) == 0xFFFF
            body = ip[ihl:total]
            pseudo = ip[12:20] + struct.pack("!BBH", 0, proto, len(body))
        else:
            assert ethertype == 0x86DD
            length, proto = struct.unpack_from("!HB", ip, 4)
            src, dst = str(ipaddress.IPv6Address(ip[8:24])), str(ipaddress.IPv6Address(ip[24:40]))
            body, ok = ip[40:40 + length], True
            pseudo = ip[8:40] + struct.pack("!I3xB", len(body), proto)
        ok = ok and _sum16(pseudo + body) == 0xFFFF
        if proto == 6:
            sport, dport, seq, ack, off, flags, window = struct.unpack_from("!HHIIBBH", body)
            out.append(Packet(t, src, dst, "tcp", sport, dport, body[(off >> 4) * 4:], seq, ack, flags, window, ok))
        else:
            sport, dport, _length, _sum = struct.unpack_from("!HHHH", body)
            out.append(Packet(t, src, dst, "udp", sport, dport, body[8:], checksums_ok=ok))
    return out


def reassemble(packets: list[Packet], src: str, sport: int) -> bytes:
    """The bytes one end sent on one connection, by sequence number (retransmissions counted once)."""
    mine = [p for p in packets if p.proto == "tcp" and p.src == src and p.sport == sport]
    isn = next(p.seq for p in mine if p.flags & 0x02)
    data: dict[int, bytes] = {}
    for p in mine:
        if p.payload:
            offset = (p.seq - isn - 1) % 2**32
            assert data.get(offset, p.payload) == p.payload, "a retransmission carries other bytes"
            data[offset] = p.payload
    out = b""
    for offset in sorted(data):
        assert offset == len(out), f"a hole in the stream at {len(out)}"
        out += data[offset]
    return out
