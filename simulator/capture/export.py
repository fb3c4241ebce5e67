"""A trace as a packet capture Wireshark can open, and the key log that decrypts its TLS.

This is an export like the JSON Lines: it reads a finished trace and nothing
else. Time 0 of the simulation is the instant the lesson's mail headers show
(:data:`simulator.mail.headers.EPOCH`); addresses are the scenario's hosts'.
Everything in the file is the same from run to run except the TLS records,
whose keys are made fresh for every export.
"""

from __future__ import annotations

import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from simulator.capture import frames
from simulator.capture.certs import ContextBook
from simulator.capture.frames import MSS, Endpoint
from simulator.capture.keylog import copy_key_log
from simulator.capture.pcapfile import writer_for
from simulator.capture.streams import ConnectionScript, Side, connection_scripts, dns_datagrams
from simulator.capture.tcp import segments
from simulator.capture.tlsmem import TLSLinkError, encrypt
from simulator.mail.headers import EPOCH
from simulator.trace.events import Trace

_CLIENT_ROLES = frozenset({"mua", "attacker"})


class CaptureError(Exception):
    """A capture could not be written: one sentence for the person who asked."""


@dataclass(frozen=True, slots=True)
class CaptureSummary:
    pcap: Path
    keylog: Path | None
    packets: int
    connections: int
    tls_sessions: int


@dataclass(frozen=True, slots=True)
class _Packet:
    t: float
    step: int
    rank: int  # keeps one connection's packets in the order it produced them
    src: str
    dst: str
    proto: int
    payload: bytes  # the TCP segment or UDP datagram, checksummed


def check_paths(pcap: Path, keylog: Path | None = None) -> None:
    """Raise :class:`CaptureError` for a path that cannot be written, before any work is done."""
    for option, path in (("--pcap", pcap), ("--keylog", keylog)):
        if path is None:
            continue
        if path.is_dir():
            raise CaptureError(f"{option}: {path} is a directory; give a file name such as lesson.pcap")
        if not path.parent.exists():
            raise CaptureError(f"{option}: the directory {path.parent} does not exist")
        if not path.parent.is_dir():
            raise CaptureError(f"{option}: {path.parent} is not a directory")
    if keylog is not None and pcap.resolve() == keylog.resolve():
        raise CaptureError("--pcap and --keylog name the same file; the key log needs a file of its own")


def write_capture(trace: Trace, pcap: Path, *, keylog: Path | None = None, mss: int = MSS) -> CaptureSummary:
    """Write the trace's capture to ``pcap`` (pcapng if it ends in ``.pcapng``) and, if asked, the
    NSS key log (``SSLKEYLOGFILE`` format) of its TLS sessions to ``keylog``."""
    check_paths(pcap, keylog)
    try:
        with tempfile.TemporaryDirectory(prefix="smtpsim-capture-") as tmp:
            secrets = Path(tmp) / "keys.log" if keylog is not None else None
            book = ContextBook(Path(tmp) / "tls", _server_names(trace), secrets)
            scripts = connection_scripts(trace)
            try:
                packets = _packets(trace, scripts, book, mss)
            except TLSLinkError as exc:
                raise CaptureError(f"the TLS of this run could not be replayed: {exc}") from None
            with open(pcap, "wb") as out:
                writer = writer_for(pcap, out)
                ident: dict[str, int] = {}
                for p in packets:
                    ident[p.src] = ident.get(p.src, 0) + 1
                    packet = frames.ip_packet(p.src, p.dst, p.proto, ident[p.src], p.payload)
                    writer.write(EPOCH.timestamp() + p.t, frames.ethernet_frame(p.src, p.dst, packet))
            if keylog is not None and secrets is not None:
                copy_key_log(secrets, keylog)
    except OSError as exc:
        raise CaptureError(f"cannot write {exc.filename or pcap}: {exc.strerror or exc}") from None
    return CaptureSummary(pcap, keylog, len(packets), len(scripts), sum(1 for s in scripts if s.tls is not None))


def export_lesson(trace: Trace, directory: Path | None = None) -> CaptureSummary:
    """The player's export: ``smtpsim-<scenario>.pcapng`` and its key log, side by side in
    ``directory`` (by default the current one)."""
    if directory is None:
        try:
            directory = Path.cwd()
        except OSError as exc:
            raise CaptureError(f"the current directory cannot be used: {exc.strerror or exc}") from None
    stem = "smtpsim-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in trace.scenario)
    return write_capture(trace, directory / f"{stem}.pcapng", keylog=directory / f"{stem}-keys.log")


def _server_names(trace: Trace) -> list[str]:
    return [a.hostname for a in trace.actors if a.role not in _CLIENT_ROLES]


def _packets(trace: Trace, scripts: list[ConnectionScript], book: ContextBook, mss: int) -> list[_Packet]:
    out: list[_Packet] = []
    for d in dns_datagrams(trace):
        _same_family(d.src.ip, d.dst.ip)
        udp = frames.udp_datagram(Endpoint(d.src.ip, d.sport), Endpoint(d.dst.ip, d.dport), d.payload)
        out.append(_Packet(d.t, d.step, 0, d.src.ip, d.dst.ip, frames.PROTO_UDP, udp))
    for script in scripts:
        _same_family(script.client.ip, script.server.ip)
        ends = {
            Side.CLIENT: Endpoint(script.client.ip, _client_port(script.info.id)),
            Side.SERVER: Endpoint(script.server.ip, script.info.port),
        }
        isn = {side: _isn(trace, script.info.id, side) for side in Side}
        for seg in segments(encrypt(script, book), script.latency, isn, mss):
            src, dst = ends[seg.side], ends[seg.side.other]
            tcp = frames.tcp_segment(src, dst, seg.seq, seg.ack, seg.flags, seg.payload)
            out.append(_Packet(seg.t, seg.step, seg.order, src.ip, dst.ip, frames.PROTO_TCP, tcp))
    out.sort(key=lambda p: (p.t, p.step, p.rank))
    return out


def _client_port(conn_id: int) -> int:
    # An ephemeral port (RFC 6335) per connection, so no two connections share one.
    return 49152 + conn_id % 16384


def _isn(trace: Trace, conn_id: int, side: Side) -> int:
    # Initial sequence numbers look random (RFC 6528) but are the same every run.
    return zlib.crc32(f"{trace.scenario}/{trace.seed}/{conn_id}/{side.value}".encode())


def _same_family(a: str, b: str) -> None:
    if (":" in a) != (":" in b):
        raise CaptureError(f"hosts {a} and {b} talk to each other but one has an IPv4 and the other an "
                           "IPv6 address; give both the same kind")
