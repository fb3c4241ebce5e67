"""Live mode under load and attack: bounded trace, bounded narrator buffers, error limits, fairness,
per-address limits, handshake timeouts (issue 16; the limits table in docs/live.md names these tests)."""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc

import pytest

from livekit import TIMEOUT, raw_connect, read_line, wait_for
from simulator.live import trace as live_trace
from simulator.live.trace import LiveTrace
from simulator.trace.events import Direction, Kind, Trace

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]

MiB = 1 << 20


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


def test_a_flood_of_empty_lines_fills_a_connections_share_too() -> None:
    trace = LiveTrace(Trace("s", "t", "", 1, (), ()), max_events=200_000)
    conn = trace.new_connection("a", "b", 143, Kind.IMAP)
    for _ in range(100_000):
        trace.emit(Kind.IMAP, "a", "b", "", "", dir=Direction.CLIENT, conn=conn)
    assert len(trace.events) < 30_000  # each event costs memory even with no text


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


def _until_closed(sock: socket.socket, timeout: float = TIMEOUT) -> bytes:
    """Everything the server sends until it closes (the socket's timeout fails the test if it never does)."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def _send_ignoring_close(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:  # the server may close before it has read everything: that is the point
        pass


def test_long_command_lines_are_kept_short_in_the_trace(live) -> None:
    mode = live()
    sock, greeting = raw_connect(mode.ports["mta"])
    with sock:
        assert greeting.startswith(b"220 ")
        for _ in range(8):
            sock.sendall(b"EHLO " + b"x" * MiB + b"\r\n")  # 8 MiB in eight lines
            assert read_line(sock).startswith(b"500 5.5.2 Line too long")
        sock.sendall(b"NOOP\r\n")
        assert read_line(sock).startswith(b"250 ")
    conn = max(c for c in mode.trace.connections if mode.trace.connections[c].port == 25)
    assert _kept(mode.trace, conn) < 64 * 1024  # a prefix of each line, not the megabytes
    assert any("more octets not shown" in e.text for e in mode.trace.events if e.conn == conn)


# --- item 2: error limits end a junk flood; the buffers stay bounded meanwhile -------------------------


@pytest.mark.parametrize("service, junk, expected", [
    ("mta", b"NOOP\n", (b"500 5.5.2 Error: bare <LF> received", 20, b"421 4.7.0 ")),
    ("imap", b"\r\n", (b"* BAD ", 20, b"* BYE Too many invalid IMAP commands.")),
    ("pop3", b"NOOP \r\n", (b"-ERR ", 20, b"-ERR Too many bad commands.")),
])
def test_a_flood_of_bad_lines_ends_after_20_errors(live, service: str, junk: bytes,
                                                   expected: tuple[bytes, int, bytes]) -> None:
    mode = live(error_sleep=0.01)  # SMTP holds replies back past 10 errors: briefly here
    sock, greeting = raw_connect(mode.ports[service])
    with sock:
        _send_ignoring_close(sock, junk * (MiB // len(junk)))  # a MiB of bad lines
        lines = _until_closed(sock).splitlines()
    error, count, last = expected
    assert sum(line.startswith(error) for line in lines[:-1]) == count
    assert lines[-1].startswith(last)


def test_past_10_errors_each_smtp_reply_waits(live) -> None:
    # Postfix: past smtpd_soft_error_limit (10) every reply waits smtpd_error_sleep_time. Here the wait is
    # made 30 s long, so "not within 1 s" is certain however loaded the machine is.
    mode = live(error_sleep=30.0)
    sock, greeting = raw_connect(mode.ports["mta"])
    with sock:
        sock.sendall(b"BOGUS\r\n" * 11 + b"NOOP\r\n")
        for _ in range(11):
            assert read_line(sock).startswith(b"500 ")
        sock.settimeout(1.0)
        with pytest.raises(TimeoutError):
            sock.recv(100)  # the NOOP's 250 is held back


def test_below_the_soft_limit_replies_are_not_held_back(live) -> None:
    mode = live(error_sleep=30.0)
    sock, greeting = raw_connect(mode.ports["mta"])
    with sock:
        sock.sendall(b"BOGUS\r\n" * 10 + b"NOOP\r\n")
        replies = [read_line(sock) for _ in range(11)]
    assert [r[:3] for r in replies] == [b"500"] * 10 + [b"250"]


# --- item 3: one client's flood does not stall the others ------------------------------------------


def test_a_flood_on_one_port_leaves_another_clients_noop_quick(live) -> None:
    # Valid commands, so no error limit ends the flood: 8 MiB of IMAP NOOPs (a million commands), read
    # by the flooder so that nothing pauses it. Meanwhile an SMTP client on the MX port times NOOPs.
    # The issue asks for 100 ms; on a shared test machine we allow 1 s per NOOP (about 20 ms measured),
    # far below the 2 to 6 s each NOOP waited before (each reply line re-sliced the narrator's buffer).
    mode = live()
    flooder, greeting = raw_connect(mode.ports["imap"])
    stop = threading.Event()

    def flood() -> None:
        chunk = b"a NOOP\r\n" * 8192  # 64 KiB
        try:
            for _ in range(128):
                if stop.is_set():
                    return
                flooder.sendall(chunk)
        except OSError:
            pass

    def drain() -> None:
        flooder.settimeout(TIMEOUT)
        try:
            while flooder.recv(1 << 20) and not stop.is_set():
                pass
        except OSError:
            pass

    threads = [threading.Thread(target=flood, daemon=True), threading.Thread(target=drain, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        sock, greeting = raw_connect(mode.ports["mta"])
        with sock:
            assert greeting.startswith(b"220 ")
            waits = []
            for _ in range(10):
                start = time.perf_counter()
                sock.sendall(b"NOOP\r\n")
                assert read_line(sock).startswith(b"250 ")
                waits.append(time.perf_counter() - start)
                time.sleep(0.05)
        assert threads[0].is_alive() or threads[1].is_alive(), "the flood ended before the NOOPs: not a test"
        assert max(waits) < 1.0, waits
    finally:
        stop.set()
        flooder.close()
        for thread in threads:
            thread.join(TIMEOUT)


# --- item 4: per-address limits and handshake timeouts ---------------------------------------------------


@pytest.mark.parametrize("service, refusal", [
    ("msa-starttls", b"421 "), ("mta", b"421 "), ("imap", b"* BYE "), ("pop3", b"-ERR [SYS/TEMP] "),
])
def test_one_address_cannot_take_every_slot(live, service: str, refusal: bytes) -> None:
    mode = live(max_connections=10)  # so 5 per address
    socks = []
    try:
        for _ in range(5):
            sock, greeting = raw_connect(mode.ports[service])
            socks.append(sock)
            assert not greeting.startswith(refusal[:4])
        sock, greeting = raw_connect(mode.ports[service])
        socks.append(sock)
        assert greeting.startswith(refusal) and b"from your address" in greeting
        # Another address still gets in (127.0.0.2 is loopback too), up to the group's cap.
        other = socket.create_connection(("127.0.0.1", mode.ports[service]), timeout=TIMEOUT,
                                         source_address=("127.0.0.2", 0))
        socks.append(other)
        assert not read_line(other).startswith(refusal[:4])
    finally:
        for sock in socks:
            sock.close()
    # Once they are gone the address may connect again.
    wait_for(lambda: not mode.hub.sessions, what="the sessions to end")
    sock, greeting = raw_connect(mode.ports[service])
    sock.close()
    assert not greeting.startswith(refusal[:4])


def test_a_silent_client_on_an_implicit_tls_port_is_closed_after_the_handshake_timeout(live) -> None:
    mode = live(handshake_timeout=0.5)  # the idle timeout stays 300 s
    silent = socket.create_connection(("127.0.0.1", mode.ports["imaps"]), timeout=TIMEOUT)
    with silent:
        assert _until_closed(silent) == b""  # no ClientHello: closed (nothing can be said before TLS)
    assert wait_for(lambda: any("TLS handshake failed" in e.text for e in mode.trace.events), what="the note")


def test_a_stalled_handshake_after_starttls_is_closed_after_the_handshake_timeout(live) -> None:
    mode = live(handshake_timeout=0.5)
    sock, greeting = raw_connect(mode.ports["msa-starttls"])
    with sock:
        sock.sendall(b"EHLO laptop.example.org\r\n")
        while not read_line(sock).startswith(b"250 "):
            pass
        sock.sendall(b"STARTTLS\r\n")
        assert read_line(sock).startswith(b"220 ")
        assert _until_closed(sock) == b""


# --- item 4: the greeting timeout -----------------------------------------------------------------------

# (service, a first command, the last line of its reply, how the goodbye starts). The goodbyes are
# what each protocol says when it closes: SMTP 421 with 4.4.2 "bad connection" (RFC 5321 §3.8,
# RFC 3463 §3.5), IMAP an untagged BYE (RFC 9051 §7.1.5), POP3 -ERR (RFC 1939 §3).
FIRST_COMMANDS = [
    ("msa-starttls", b"EHLO laptop.example.org\r\n", b"250 ", b"421 4.4.2 "),
    ("mta", b"EHLO mx.example.net\r\n", b"250 ", b"421 4.4.2 "),
    ("imap", b"a1 CAPABILITY\r\n", b"a1 OK", b"* BYE "),
    ("pop3", b"CAPA\r\n", b".\r\n", b"-ERR "),
]


def _until(sock: socket.socket, last: bytes) -> list[bytes]:
    lines = [read_line(sock)]
    while lines[-1] and not lines[-1].startswith(last):
        lines.append(read_line(sock))
    return lines


def _greeting_notes(mode) -> list[str]:
    return [e.text for e in mode.trace.events if e.kind is Kind.NOTE and "of the greeting" in e.text]


@pytest.mark.parametrize("service, command, last, goodbye", FIRST_COMMANDS)
def test_a_silent_client_gets_the_goodbye_after_the_greeting_timeout_and_one_that_spoke_stays(
        live, service: str, command: bytes, last: bytes, goodbye: bytes) -> None:
    mode = live(greeting_timeout=0.3)  # the idle timeout stays 300 s
    talker, _ = raw_connect(mode.ports[service])
    with talker:
        talker.sendall(command)
        assert _until(talker, last)[-1].startswith(last)
        silent, greeting = raw_connect(mode.ports[service])
        with silent:
            assert greeting and not greeting.startswith(goodbye)
            said = _until_closed(silent).splitlines()
        assert len(said) == 1 and said[0].startswith(goodbye)
        if service in ("msa-starttls", "mta"):
            assert said[0].endswith(b"Error: timeout exceeded")
        assert wait_for(lambda: _greeting_notes(mode), what="the note") == \
            ["no command within 0.3 s of the greeting: closing"]
        # The client that sent a command first is still served: the idle timeout (300 s) applies to it.
        talker.sendall(command.replace(b"a1 ", b"a2 "))
        assert _until(talker, last.replace(b"a1 ", b"a2 "))[-1].startswith(last.replace(b"a1 ", b"a2 "))


def test_after_the_first_command_the_idle_timeout_applies_not_the_greeting_timeout(live) -> None:
    mode = live(greeting_timeout=0.3, idle_timeout=1.0)
    sock, _ = raw_connect(mode.ports["msa-starttls"])
    with sock:
        sock.sendall(b"EHLO laptop.example.org\r\n")
        _until(sock, b"250 ")
        said = _until_closed(sock).splitlines()
    assert len(said) == 1 and said[0].startswith(b"421 4.4.2 ")
    notes = [e.text for e in mode.trace.events if e.kind is Kind.NOTE and "closing" in e.text]
    assert notes == ["idle for 1 s: closing"]  # the idle timeout's note, not the greeting timeout's


@pytest.mark.parametrize("service, goodbye", [("msa-starttls", b"421 4.4.2 "), ("imap", b"* BYE "),
                                              ("pop3", b"-ERR ")])
def test_bytes_trickled_without_a_line_end_do_not_hold_off_the_greeting_timeout(
        live, service: str, goodbye: bytes) -> None:
    mode = live(greeting_timeout=0.3)
    sock, _ = raw_connect(mode.ports[service])
    received = b""
    with sock:
        sock.settimeout(0.05)
        for byte in b"x" * 200:  # a byte every 0.05 s, never a line end: 10 s in all, past the timeout
            try:
                sock.sendall(bytes([byte]))
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:  # closed while we sent
                break
            received += chunk
            if not chunk or received.endswith(b"\n"):
                break
    assert received.startswith(goodbye)
    assert wait_for(lambda: _greeting_notes(mode), what="the note")
