"""Capture file writers: classic pcap and pcapng, Ethernet link type, microsecond stamps.

Classic pcap is what every tool reads; pcapng (chosen by the ``.pcapng``
suffix) names the application that wrote it. Both are little-endian.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

LINKTYPE_ETHERNET = 1
SNAPLEN = 262144


class PcapWriter:
    """libpcap format: a 24-byte global header, then (seconds, microseconds, lengths, bytes) per packet."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))

    def write(self, timestamp: float, frame: bytes) -> None:
        seconds, micros = _split(timestamp)
        self.out.write(struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame)


class PcapngWriter:
    """pcapng: a section header, one interface, then an enhanced packet block per packet."""

    def __init__(self, out: BinaryIO, application: str = "smtpsim") -> None:
        self.out = out
        options = _option(4, application.encode()) + _option(0, b"")  # shb_userappl, opt_endofopt
        body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + options
        self._block(0x0A0D0D0A, body)
        # One Ethernet interface; if_tsresol is left out: the default is microseconds.
        self._block(0x00000001, struct.pack("<HHI", LINKTYPE_ETHERNET, 0, SNAPLEN)
                    + _option(2, b"simulated network") + _option(0, b""))

    def write(self, timestamp: float, frame: bytes) -> None:
        seconds, micros = _split(timestamp)
        stamp = seconds * 1_000_000 + micros
        body = struct.pack("<IIIII", 0, stamp >> 32, stamp & 0xFFFFFFFF, len(frame), len(frame)) + _pad(frame)
        self._block(0x00000006, body)

    def _block(self, kind: int, body: bytes) -> None:
        length = 12 + len(body)
        self.out.write(struct.pack("<II", kind, length) + body + struct.pack("<I", length))


def writer_for(path: Path, out: BinaryIO) -> PcapWriter | PcapngWriter:
    """pcapng for a ``.pcapng`` file, classic pcap for anything else."""
    return PcapngWriter(out) if path.suffix.lower() == ".pcapng" else PcapWriter(out)


def _split(timestamp: float) -> tuple[int, int]:
    micros = round(timestamp * 1_000_000)
    return micros // 1_000_000, micros % 1_000_000


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _option(code: int, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + _pad(value)
