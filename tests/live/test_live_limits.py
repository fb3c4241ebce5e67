"""Live mode under load and attack: bounded trace, bounded narrator buffers, error limits, fairness,
per-address limits, handshake timeouts (issue 16; the limits table in docs/live.md names these tests)."""

from __future__ import annotations

import socket
import tracemalloc

import pytest

from livekit import TIMEOUT
from simulator.live import trace as live_trace
from simulator.live.trace import LiveTrace
from simulator.trace.events import Direction, Kind, Trace

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]

MiB = 1 << 20


def _connect(port: int) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return sock, _line(sock)


def _line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def _kept(trace: LiveTrace, conn: int) -> int:
    return sum(len(e.text) for e in trace.events if e.conn == conn)


# --- item 1: what the trace keeps ------------------------------------------------------------------


def test_the_trace_keeps_a_prefix_of_each_long_line() -> None:
    trace = LiveTrace(Trace("s", "t", "", 1, (), ()))
    conn = trace.new_connection("a", "b", 25, Kind.SMTP)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            line = "EHLO " + "x" * MiB
            trace.emit(Kind.SMTP, "a", "b", line, "", dir=Direction.CLIENT, conn=conn)
            del line
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < MiB  # ten lines of 1 MiB each: far less than one of them is kept
    shown = trace.events[-1].text
    assert shown.startswith("EHLO xxx") and "more characters not shown" in shown
    assert len(shown) < 8192


def test_the_trace_keeps_a_bounded_amount_per_connection_and_says_so() -> None:
    trace = LiveTrace(Trace("s", "t", "", 1, (), ()))
    conn = trace.new_connection("a", "b", 25, Kind.SMTP)
    body = "y" * 60_000
    for _ in range(200):  # 12 MB of message bodies on one connection
        trace.emit(Kind.SMTP, "a", "b", body, "", dir=Direction.CLIENT, conn=conn, content=True)
    assert _kept(trace, conn) <= 4 * MiB
    assert any("not kept" in e.text for e in trace.events if e.conn == conn)
    other = trace.new_connection("a", "b", 25, Kind.SMTP)  # another connection is not affected
    trace.emit(Kind.SMTP, "a", "b", body, "", dir=Direction.CLIENT, conn=other, content=True)
    assert trace.events[-1].text == body


def test_an_ended_connection_leaves_the_table_once_its_events_are_gone() -> None:
    trace = LiveTrace(Trace("s", "t", "", 1, (), ()), max_events=1000)
    for _ in range(2000):
        conn = trace.new_connection("a", "b", 25, Kind.SMTP)
        trace.emit(Kind.SMTP, "a", "b", "QUIT", "", dir=Direction.CLIENT, conn=conn)
        trace.end_connection(conn)
    assert len(trace.connections) <= 1000
    kept = {e.conn for e in trace.events}
    assert kept <= set(trace.connections)  # every kept event still finds its connection
    assert not trace._shown  # no per-connection bookkeeping is left for ended connections
