"""CVE-2011-0411 over a real socket: plaintext pipelined after STARTTLS must never run.

An attacker on the path appends commands to the client's STARTTLS packet; a
server that buffered them would run them as if they came inside TLS. Ours
discards them (RFC 3207 §4.2 forgets everything from before the handshake).
"""

from __future__ import annotations

import re
import socket
import ssl

import pytest

from simulator.protocols.smtp import CommandReceived, MailAccepted, Role, SMTPServer, SMTPServerConfig

from adapter import LoopbackServer

pytestmark = [pytest.mark.socket, pytest.mark.timeout(30)]

_LAST_LINE = re.compile(rb"(?:^|\r\n)\d{3} [^\r\n]*\r\n\Z")


def mta() -> SMTPServer:
    return SMTPServer(SMTPServerConfig("mx.example.org", Role.MTA, local_domains=frozenset({"example.org"})))


def reply(sock: socket.socket) -> bytes:
    """One complete (possibly multi-line) SMTP reply."""
    data = b""
    while not _LAST_LINE.search(data):
        chunk = sock.recv(4096)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    return data


def test_commands_pipelined_after_starttls_are_discarded_not_run_inside_tls(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with LoopbackServer(mta, server_tls) as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        assert reply(raw).startswith(b"220 mx.example.org ")
        raw.sendall(b"EHLO client.example\r\n")
        assert b"250-STARTTLS\r\n" in reply(raw)
        raw.sendall(b"STARTTLS\r\nMAIL FROM:<evil@example.net>\r\nRCPT TO:<b@example.org>\r\n")  # one packet
        assert reply(raw) == b"220 2.0.0 Ready to start TLS\r\n"  # and nothing for the injected lines
        tls = client_tls.wrap_socket(raw, server_hostname="localhost")
        tls.sendall(b"EHLO client.example\r\n")
        assert b"250-STARTTLS" not in reply(tls)
        tls.sendall(b"RCPT TO:<b@example.org>\r\n")
        assert reply(tls).startswith(b"503 5.5.1 ")  # no MAIL was ever accepted
        tls.sendall(b"QUIT\r\n")
        assert reply(tls).startswith(b"221 ")
        tls.close()
        server.wait_idle()
    assert server.errors == []
    assert server.events_of(MailAccepted) == []
    assert [e.verb for e in server.events_of(CommandReceived)] == ["EHLO", "STARTTLS", "EHLO", "RCPT", "QUIT"]
