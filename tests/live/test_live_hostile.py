"""Hostile clients: long lines, trickling, a dropped DATA, a flood; the others are still served."""

from __future__ import annotations

import smtplib
import socket
import threading
import time

import pytest

from livekit import ALICE, ALICE_PW, BOB, CLIENT_NAME, TIMEOUT, imap_messages, message, raw_connect, read_line, submit, \
    tls, wait_for, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def _reply(sock: socket.socket) -> bytes:
    """One whole SMTP reply (all its lines)."""
    lines = []
    while True:
        line = read_line(sock)
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return b"".join(lines)


def test_very_long_lines_get_500_and_the_session_goes_on(live) -> None:
    mode = live()
    sock, greeting = raw_connect(mode.ports["mta"])
    with sock:
        assert greeting.startswith(b"220 ")
        sock.sendall(b"EHLO " + b"x" * 2_000_000 + b"\r\n")  # 2 MB on one line
        assert _reply(sock).startswith(b"500 5.5.2 Line too long")
        sock.sendall(b"EHLO far.example\r\n")
        assert _reply(sock).startswith(b"250-")
        sock.sendall(b"MAIL FROM:<a@far.example>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n")
        assert _reply(sock).startswith(b"250") and _reply(sock).startswith(b"250") and _reply(sock).startswith(b"354")
        sock.sendall(b"Subject: long\r\n\r\n" + b"y" * 100_000 + b"\r\n.\r\n")  # a text line over 1000 octets
        assert _reply(sock).startswith(b"500 5.5.2")
        sock.sendall(b"NOOP\r\n")
        assert _reply(sock).startswith(b"250 2.0.0")
    assert not mode.store.mailbox(BOB).messages  # the refused message was not delivered


def test_a_trickling_client_is_timed_out_while_others_are_served(live) -> None:
    mode = live(idle_timeout=1.0)
    result: dict[str, object] = {}

    def trickle() -> None:
        sock, _greeting = raw_connect(mode.ports["msa-starttls"])
        start = time.monotonic()
        received = b""
        try:
            for byte in b"EHLO slow.example.org\r\n":  # one byte every 0.2 s: never a whole line in time
                sock.sendall(bytes([byte]))
                time.sleep(0.2)
                sock.settimeout(0.01)
                try:
                    chunk = sock.recv(4096)
                    received += chunk
                    if not chunk:
                        break
                except TimeoutError:
                    pass
        except OSError:
            pass
        result["elapsed"] = time.monotonic() - start
        result["received"] = received
        sock.close()

    trickler = threading.Thread(target=trickle)
    trickler.start()
    silent = socket.create_connection(("127.0.0.1", mode.ports["imaps"]), timeout=TIMEOUT)  # no ClientHello ever
    assert submit(mode, message("served meanwhile")) == {}
    trickler.join(10)
    assert b"421 4.4.2" in result["received"]
    assert result["elapsed"] < 3.5
    assert silent.recv(100) == b""  # the stalled handshake was closed too
    silent.close()
    wait_for_mail(mode)


def test_a_disconnect_in_the_middle_of_data_delivers_nothing_and_loses_nothing(live) -> None:
    mode = live()
    assert submit(mode, message("acknowledged")) == {}
    client = smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT)
    client.starttls(context=tls(mode))
    client.login(ALICE, ALICE_PW)
    assert client.mail(ALICE)[0] == 250
    assert client.rcpt(BOB)[0] == 250
    client.putcmd("data")
    assert client.getreply()[0] == 354
    client.send(b"Subject: half a message\r\n\r\nand then the line goes dead")
    client.sock.shutdown(socket.SHUT_RDWR)
    client.sock.close()

    wait_for(lambda: any("the client closed the connection" in e.text for e in mode.trace.events), what="the drop")
    wait_for(lambda: not mode.queue.entries, what="the queue to empty")
    [fetched] = wait_for_mail(mode)
    assert b"Subject: acknowledged" in fetched
    assert all(b"half a message" not in m for m in imap_messages(mode))
    assert not any(e.text.startswith("queued") and "half" in e.text for e in mode.trace.events)


def test_200_concurrent_connections_the_cap_answers_421_and_others_are_served(live) -> None:
    mode = live(max_connections=100, max_per_address=200)  # every test client is 127.0.0.1
    socks = []
    greetings = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", mode.ports["msa-starttls"]), timeout=TIMEOUT)
            socks.append(sock)
        for sock in socks:
            greetings.append(read_line(sock))
        ok = [g for g in greetings if g.startswith(b"220 ")]
        refused = [g for g in greetings if g.startswith(b"421 ") and b"Too many connections" in g]
        assert len(ok) == 100 and len(refused) == 100
        # Another service's group is not affected while the flood holds the submission slots.
        assert imap_messages(mode) == []
        with smtplib.SMTP("127.0.0.1", mode.ports["mta"], local_hostname="far.example", timeout=TIMEOUT) as mx:
            assert mx.noop()[0] == 250
    finally:
        for sock in socks:
            sock.close()
    # Once the flood is gone, submission works again.
    wait_for(lambda: mode.hub is not None and not any(s.service.name == "msa-starttls" for s in mode.hub.sessions),
             what="the slots to free")
    assert submit(mode, message("after the flood")) == {}
    wait_for_mail(mode)
