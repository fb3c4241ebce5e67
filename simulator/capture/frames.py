"""Ethernet, IPv4/IPv6, TCP and UDP headers with correct checksums (RFC 791, 8200, 9293, 768).

Only what a capture of a lesson needs: no IP options, no fragmentation.
Addresses come from the scenario's hosts; MAC addresses are made from the IP
address (locally administered, ``02:00:`` + its last four bytes), so every
host keeps one MAC throughout a capture.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
PROTO_TCP = 6
PROTO_UDP = 17
TTL = 64

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# What Linux puts in a SYN: MSS, SACK permitted, window scale (RFC 9293, RFC 7323).
MSS = 1460
WINDOW_SCALE = 7
SYN_WINDOW = 64240
WINDOW = 8192  # after the handshake, scaled by 2**WINDOW_SCALE: 1 MiB, more than any lesson sends at once


def mac_for(ip: str) -> bytes:
    return b"\x02\x00" + ipaddress.ip_address(ip).packed[-4:]


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071): ones' complement of the ones' complement sum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@dataclass(frozen=True, slots=True)
class Endpoint:
    ip: str
    port: int


def _syn_options() -> bytes:
    # MSS (kind 2), NOP, window scale (kind 3), SACK permitted (kind 4), two NOPs: 12 bytes.
    return struct.pack("!BBH", 2, 4, MSS) + bytes([1, 3, 3, WINDOW_SCALE]) + bytes([4, 2, 1, 1])


def tcp_segment(src: Endpoint, dst: Endpoint, seq: int, ack: int, flags: int, payload: bytes) -> bytes:
    """A TCP header and payload, checksummed over the IPv4 pseudo-header."""
    options = _syn_options() if flags & SYN else b""
    offset = (20 + len(options)) // 4
    window = SYN_WINDOW if flags & SYN else WINDOW
    header = struct.pack("!HHIIBBHHH", src.port, dst.port, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF if flags & ACK else 0,
                         offset << 4, flags, window, 0, 0) + options
    segment = header + payload
    pseudo = _pseudo(src.ip, dst.ip, PROTO_TCP, len(segment))
    value = checksum(pseudo + segment)
    return segment[:16] + struct.pack("!H", value) + segment[18:]


def udp_datagram(src: Endpoint, dst: Endpoint, payload: bytes) -> bytes:
    length = 8 + len(payload)
    datagram = struct.pack("!HHHH", src.port, dst.port, length, 0) + payload
    value = checksum(_pseudo(src.ip, dst.ip, PROTO_UDP, length) + datagram) or 0xFFFF  # 0 means "none" (RFC 768)
    return datagram[:6] + struct.pack("!H", value) + datagram[8:]


def ip_packet(src: str, dst: str, proto: int, ident: int, payload: bytes) -> bytes:
    """An IPv4 header (don't fragment, TTL 64) or an IPv6 one (hop limit 64), and the payload."""
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version == 6:
        return struct.pack("!IHBB", 6 << 28, len(payload), proto, TTL) + a.packed + b.packed + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, TTL, proto, 0,
                         a.packed, b.packed)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def ethernet_frame(src_ip: str, dst_ip: str, packet: bytes) -> bytes:
    kind = ETHERTYPE_IPV6 if ipaddress.ip_address(src_ip).version == 6 else ETHERTYPE_IPV4
    return mac_for(dst_ip) + mac_for(src_ip) + struct.pack("!H", kind) + packet


def _pseudo(src: str, dst: str, proto: int, length: int) -> bytes:
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version == 6:  # the IPv6 pseudo-header (RFC 8200)
        return a.packed + b.packed + struct.pack("!I3xB", length, proto)
    return a.packed + b.packed + struct.pack("!BBH", 0, proto, length)
