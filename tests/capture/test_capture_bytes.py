"""The capture carries the trace's bytes: read back by a reader of our own, independent of tshark."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.capture import write_capture
from simulator.capture.streams import Op, Side, connection_scripts, stream_bytes
from simulator.run import run_scenario
from simulator.scenario import list_scenarios
from simulator.scenario.library import open_scenario
from simulator.trace.events import ActorInfo, ConnectionInfo, Direction, Kind, TLSMode, Trace, TraceEvent
from simulator.trace.narrate.imap import IMAPNarrator
from simulator.trace.narrate.pop3 import POP3Narrator
from simulator.trace.narrate.smtp import SMTPNarrator
from tests.capture.pcapread import Packet, read_capture, reassemble
from tests.capture.synthetic import CLIENT, SERVER, one_connection

SYN, RST, ACK = 0x02, 0x04, 0x10
_TRACES: dict[str, Trace] = {}


def _trace(name: str) -> Trace:
    if name not in _TRACES:
        _TRACES[name] = run_scenario(open_scenario(name))
    return _TRACES[name]


def _capture(trace: Trace, directory: Path, name: str = "c.pcap", **options) -> list[Packet]:
    write_capture(trace, directory / name, **options)
    return read_capture(directory / name)


# --- a synthetic connection: random lines, random segment sizes, random losses --------------------------

_text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n", exclude_categories=("Cs",)), max_size=300)


@st.composite
def dialogues(draw):
    """(transfers, latency): each transfer is (side, lines, how often it was lost)."""
    latency = draw(st.sampled_from([0.0, 0.001, 0.01, 0.25]))
    transfers = draw(st.lists(st.tuples(st.sampled_from(list(Side)), st.lists(_text, min_size=1, max_size=6),
                                        st.integers(0, 2)), max_size=12))
    return transfers, latency


def _expected(transfers, side: Side) -> bytes:
    return b"".join(line.encode() + b"\r\n" for s, lines, _ in transfers if s is side for line in lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialogues(), st.integers(1, 1500))
def test_reassembled_payload_is_the_trace_bytes_however_segments_are_cut(dialogue, mss):
    transfers, latency = dialogue
    with tempfile.TemporaryDirectory() as tmp:
        packets = _capture(one_connection(transfers, latency), Path(tmp), mss=mss)
    client_port = next(p.sport for p in packets if p.flags == SYN)
    assert reassemble(packets, CLIENT.ip, client_port) == _expected(transfers, Side.CLIENT)
    assert reassemble(packets, SERVER.ip, 25) == _expected(transfers, Side.SERVER)
    assert all(p.checksums_ok for p in packets)
    assert all(len(p.payload) <= mss for p in packets)
    assert [p.t for p in packets] == sorted(p.t for p in packets)
    _acks_are_honest(packets, latency)


def _acks_are_honest(packets: list[Packet], latency: float) -> None:
    """No end acknowledges a byte before it could have arrived, and no bare ACK repeats itself."""
    isn = {p.src: p.seq for p in packets if p.flags & SYN}
    sent: dict[str, list[tuple[float, int]]] = {src: [] for src in isn}  # (time, offset after) of each send
    for p in packets:
        if p.payload or p.flags & 0x03:  # data, SYN or FIN: each takes sequence space
            sent[p.src].append((p.t, (p.seq - isn[p.src]) % 2**32 + len(p.payload) + (1 if p.flags & 0x03 else 0)))
    last_bare: dict[str, int] = {}
    for p in packets:
        if not p.flags & ACK or p.flags & RST:
            continue
        peer = next(ip for ip in isn if ip != p.src)
        acked = (p.ack - isn[peer]) % 2**32
        could = max([off for t, off in sent[peer] if t + latency <= p.t + 1e-6], default=0)
        assert acked <= could, f"{p.src} acknowledges {acked} at {p.t}, only {could} could have arrived"
        if not p.payload and not p.flags & 0x03:
            assert last_bare.get(p.src) != p.ack, "a duplicate bare ACK"
            last_bare[p.src] = p.ack


def test_ipv6_hosts_get_ipv6_packets(tmp_path):
    client = ActorInfo("c", "mua", "c.example.org", "2001:db8::10")
    server = ActorInfo("s", "mta", "s.example.net", "2001:db8:1::25", (25,))
    transfers = [(Side.SERVER, ["220 s.example.net ESMTP"], 0), (Side.CLIENT, ["EHLO c.example.org"], 1)]
    packets = _capture(one_connection(transfers, 0.01, client, server), tmp_path)
    assert {p.src for p in packets} == {"2001:db8::10", "2001:db8:1::25"} and all(p.checksums_ok for p in packets)
    assert reassemble(packets, "2001:db8::10", packets[0].sport) == b"EHLO c.example.org\r\n"


# --- the shipped scenarios ------------------------------------------------------------------------------

def _narrate(protocol: Kind, port: int, script) -> list[str]:
    """Feed the rebuilt bytes through fresh narrators, in the order they crossed."""
    narrator = {Kind.SMTP: lambda: SMTPNarrator(submission=port != 25), Kind.IMAP: IMAPNarrator,
                Kind.POP3: POP3Narrator}[protocol]()
    texts = []
    for a in script.actions:
        if a.op is Op.DATA:
            lines = narrator.client(a.data) if a.side is Side.CLIENT else narrator.server(a.data)
            texts.extend(line.text for line in lines)
    return texts


@pytest.mark.parametrize("name", [s.name for s in list_scenarios()])
def test_rebuilt_bytes_narrate_back_to_the_trace_and_clear_connections_carry_them(name, tmp_path):
    trace = _trace(name)
    packets = _capture(trace, tmp_path)
    attacked = {e.conn for e in trace.events if e.kind is Kind.NOTE and e.src == "mallory"}
    for script in connection_scripts(trace):
        conn = script.info
        traced = [e.text for e in trace.events if e.conn == conn.id and e.kind is conn.protocol and e.dir]
        if conn.id not in attacked:
            assert _narrate(conn.protocol, conn.port, script) == traced, f"connection {conn.id}"
        if script.tls is None and any(a.op is Op.ACCEPT for a in script.actions):
            port = next(p.sport for p in packets if p.flags == SYN and p.dport == conn.port and p.src == script.client.ip
                        and p.sport - 49152 == conn.id)
            assert reassemble(packets, script.client.ip, port) == stream_bytes(script, Side.CLIENT)
            assert reassemble(packets, script.server.ip, conn.port) == stream_bytes(script, Side.SERVER)
    assert all(p.checksums_ok for p in packets)


def test_without_tls_the_whole_dialogue_is_in_the_capture(tmp_path):
    # starttls-stripped's relay on port 25 goes on in plaintext: the message itself is readable.
    trace = _trace("starttls-stripped")
    packets = _capture(trace, tmp_path)
    relay = next(c for c in trace.connections if c.port == 25)
    client_port = 49152 + relay.id
    mx = trace.actor(relay.server).ip
    sent = reassemble(packets, trace.actor(relay.client).ip, client_port)
    lines = [e for e in trace.events if e.conn == relay.id and e.dir is Direction.CLIENT]
    assert sent == b"".join(e.text.encode() + b"\r\n" for e in lines)
    assert b"Subject: " in sent
    replies = reassemble(packets, mx, 25)
    assert replies.startswith(b"220 ") and replies.endswith(b"\r\n")


def test_the_stripped_ehlo_reply_is_what_the_client_got(tmp_path):
    """The capture is taken on the client's side of the man in the middle."""
    trace = _trace("starttls-stripped")
    packets = _capture(trace, tmp_path)
    attacked = sorted({e.conn for e in trace.events if e.kind is Kind.NOTE and e.src == "mallory" and e.conn})
    assert attacked
    for conn_id in attacked:
        conn = trace.connection(conn_id)
        server_said = [e.text for e in trace.events if e.conn == conn_id and e.dir is Direction.SERVER]
        assert "250-STARTTLS" in server_said  # the server did offer it ...
        received = reassemble(packets, trace.actor(conn.server).ip, conn.port).decode()
        assert "STARTTLS" not in received  # ... the client never saw the offer
        lines = received.split("\r\n")
        start = next(i for i, ln in enumerate(lines) if ln.startswith("250-"))
        end = next(i for i in range(start, len(lines)) if lines[i].startswith("250 "))
        first = server_said.index(lines[start])
        offered = server_said[first:next(i for i in range(first, len(server_said)) if server_said[i].startswith("250 ")) + 1]
        # The server's reply without that line, still well formed: "250-" on every line but the last (RFC 5321 §4.2.1).
        assert lines[start:end + 1] == [t for t in offered if t != "250-STARTTLS"]


def test_only_tls_bytes_differ_between_two_exports(tmp_path):
    trace = _trace("submission-starttls")
    first, second = _capture(trace, tmp_path, "a.pcap"), _capture(trace, tmp_path, "b.pcap")
    assert [p.t for p in first] == [p.t for p in second]
    udp = [(p.src, p.sport, p.payload) for p in first if p.proto == "udp"]
    assert udp and udp == [(p.src, p.sport, p.payload) for p in second if p.proto == "udp"]

    def before_tls(packets: list[Packet]) -> dict[int, list[Packet]]:
        """Each connection's packets up to its first TLS handshake record: from there keys are fresh."""
        out: dict[int, list[Packet]] = {}
        started: set[int] = set()
        for p in packets:
            if p.proto != "tcp":
                continue
            conn = p.sport if p.sport >= 49152 else p.dport
            started |= {conn} if p.payload[:1] == b"\x16" else set()
            if conn not in started:
                out.setdefault(conn, []).append(p)
        return out

    kept = before_tls(first)
    assert kept == before_tls(second) and len(kept) == 3 and all(len(v) >= 3 for v in kept.values())
    hello = [p.payload for p in first if p.payload[:1] == b"\x16"][0]
    assert hello != [p.payload for p in second if p.payload[:1] == b"\x16"][0]  # a new ClientHello random


def test_addresses_times_and_ports_come_from_the_scenario(tmp_path):
    trace = _trace("submission-starttls")
    packets = _capture(trace, tmp_path, "lesson.pcapng")  # pcapng reads back the same way
    ips = {a.ip for a in trace.actors}
    assert {p.src for p in packets} <= ips and {p.dst for p in packets} <= ips
    from simulator.mail.headers import EPOCH

    syns = [p for p in packets if p.flags == SYN]
    opened = [e for e in trace.events if e.kind is Kind.TCP and e.text.startswith("SYN →")]
    assert [round(p.t - EPOCH.timestamp(), 6) for p in syns] == [e.t for e in opened]
    assert [p.dport for p in syns] == [e.port for e in opened]
    assert {p.dport for p in packets if p.proto == "udp" and p.sport != 53} == {53}


def test_a_trace_without_handshakes_or_flights_still_makes_a_whole_capture(tmp_path):
    """Live mode's trace starts at "connection from ..." and shows TLS only once established."""
    s, c = Direction.SERVER, Direction.CLIENT
    rows = [
        (0.0, Kind.TCP, "c", "connection from 127.0.0.1:40000 to port 10587", None, TLSMode.NONE),
        (0.0, Kind.SMTP, "s", "220 s.example.net ESMTP", s, TLSMode.NONE),
        (0.1, Kind.SMTP, "c", "EHLO c.example.org", c, TLSMode.NONE),
        (0.2, Kind.SMTP, "s", "250 STARTTLS", s, TLSMode.NONE),
        (0.3, Kind.SMTP, "c", "STARTTLS", c, TLSMode.NONE),
        (0.4, Kind.SMTP, "s", "220 2.0.0 Ready to start TLS", s, TLSMode.NONE),
        (0.5, Kind.TLS, "s", "TLS 1.3 established, cipher TLS_AES_256_GCM_SHA384 (a real handshake)", None,
         TLSMode.NONE),
        (0.6, Kind.SMTP, "c", "EHLO c.example.org", c, TLSMode.STARTTLS),
        (0.7, Kind.SMTP, "s", "250 AUTH PLAIN", s, TLSMode.STARTTLS),
        (0.8, Kind.TCP, "s", "connection closed", None, TLSMode.STARTTLS),
    ]
    events = tuple(TraceEvent(i, t, kind, src, "s" if src == "c" else "c", text, "", 587, tls, d, 1)
                   for i, (t, kind, src, text, d, tls) in enumerate(rows))
    conn = ConnectionInfo(1, "c", "s", 587, Kind.SMTP, TLSMode.STARTTLS)
    trace = Trace("live", "live", "", 0, (CLIENT, SERVER), events, (conn,))
    write_capture(trace, tmp_path / "live.pcap", keylog=tmp_path / "live.keys")
    packets = read_capture(tmp_path / "live.pcap")
    assert [p.flags & 0x17 for p in packets[:3]] == [SYN, SYN | ACK, ACK]
    sent = reassemble(packets, CLIENT.ip, 49153)
    assert sent.startswith(b"EHLO c.example.org\r\nSTARTTLS\r\n\x16\x03")  # then a ClientHello
    assert b"EHLO" not in sent[30:]  # the second EHLO went inside TLS
    assert any(p.flags & 0x01 for p in packets)  # closed with a FIN
    assert "CLIENT_TRAFFIC_SECRET_0" in (tmp_path / "live.keys").read_text()
