"""SIGTERM stops live mode within 2 seconds, even under a flood of clients.

Why a time bound in a test: this one is a behaviour, not a benchmark. A
service manager (systemd's TimeoutStopSec, a container runtime's grace
period) kills a server that does not stop in time, and then the clean stop
(every written message answered, the queue left consistent) never happens.
The server promises to be done within a deadline of its own (``STOP_DEADLINE``,
1.5 s) whatever its clients do; the test allows 2 s, the issue's figure,
for a busy machine's scheduling on top.
"""

from __future__ import annotations

import signal
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from crashkit import delivered, send, start, wait

pytestmark = [pytest.mark.socket, pytest.mark.timeout(90)]


def _flood(info: dict, stop: threading.Event, sockets: list[socket.socket]) -> None:
    """Connections that hold the server up: silent ones, half a command, a TLS handshake never finished."""
    port = info["ports"]["msa-starttls"]
    implicit = info["ports"]["msa-implicit"]
    # Silent; half a transaction; half a command; commands pipelined, their replies never read.
    kinds = [b"", b"EHLO flood.example\r\nMAIL FROM:<a@example.org>", b"EH", b"NOOP\r\n" * 300]
    i = 0
    while not stop.is_set() and len(sockets) < 150:
        try:
            s = socket.create_connection(("127.0.0.1", implicit if i % 5 == 4 else port), timeout=5)
        except OSError:
            time.sleep(0.01)
            continue
        s.setblocking(False)  # what the kernel takes; the rest is dropped (the flooder never waits)
        try:
            if i % 5 == 4:
                s.send(b"\x16\x03\x01\x00\x05")  # the start of a ClientHello, and no more
            else:
                s.send(kinds[i % 4])
        except OSError:
            pass
        sockets.append(s)
        i += 1


def test_sigterm_under_a_flood_stops_within_two_seconds(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    proc, info = start(data_dir, "--max-connections", "1000")
    stop = threading.Event()
    sockets: list[socket.socket] = []
    flooders = [threading.Thread(target=_flood, args=(info, stop, sockets)) for _ in range(2)]
    senders = [threading.Thread(target=send, args=(info, [f"term.{n}.{i}" for i in range(500)])) for n in range(3)]
    try:
        for t in flooders + senders:
            t.start()
        wait(lambda: len(sockets) >= 100 and sum(delivered(data_dir).values()) >= 5, 30,
             "a flood and mail flowing")
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        status = proc.wait(timeout=30)
        took = time.monotonic() - sent
        assert status == 0
        print(f"SIGTERM took {took:.2f} s")
        assert took < 2.0, f"SIGTERM took {took:.2f} s"
    finally:
        stop.set()
        for s in sockets:
            s.close()
        for t in flooders + senders:
            t.join(timeout=30)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
