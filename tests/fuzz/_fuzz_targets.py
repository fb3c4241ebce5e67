"""Fuzz targets: every parser that takes bytes from the network, with the invariants each must keep.

A target takes one ``bytes`` and returns normally, or raises ``AssertionError`` (an invariant broke)
or something unexpected (a crash). The first octets choose how the machine is set up and where the
stream is cut into ``receive_data()`` calls, so coverage-guided fuzzing (atheris) reaches every mode
and chunking; the hypothesis tests in ``test_fuzz_parsers.py`` and ``run_atheris.py`` share them.

Invariants, whatever arrives:

- a server never raises (a bad client costs a reply, not the server), its replies keep the
  protocol's form, and its buffers stay within the protocol's limits (no unbounded memory);
- a client raises only ``ProtocolError`` (the server broke the protocol: the driver ends the session);
- the DNS server answers with a well-formed message or stays silent;
- the narrators (which live mode runs on every byte) never raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from simulator.protocols import imap, pop3, smtp
from simulator.protocols.common import StartTLSRequested
from simulator.protocols.imap._framing import MAX_APPEND, MAX_COMMAND, MAX_LINE
from simulator.protocols.errors import ProtocolError
from simulator.protocols.mailstore import MailStore
from simulator.protocols.smtp import _sasl
from simulator.protocols.smtp.address import AddressError, ParameterError, parse_params, parse_path, split_path
from simulator.protocols.smtp.server import AUTH_LINE_MAX

HOST = "mx.example.org"
USER, PASSWORD = "alice", "secret"
MESSAGE = (b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: One\r\n"
           b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n--b--\r\n")
SMTP_REPLY = re.compile(rb"\d{3}[ -][^\r\n]*\r\n")
LINE_SLACK = 16  # a line ending and a few octets of bookkeeping

Target = Callable[[bytes], None]


def _cuts(data: bytes, seed: int) -> list[bytes]:
    """``data`` in pieces: whole, every ``seed % 7 + 1`` octets, at pseudo-random points, or in 64 KiB reads."""
    mode = seed % 4
    if mode == 0 or not data:
        return [data]
    if mode == 3:
        return [data[i:i + 65536] for i in range(0, len(data), 65536)]
    if mode == 1:
        step = seed % 7 + 1
        return [data[i:i + step] for i in range(0, len(data), step)]
    pieces, pos, x = [], 0, seed * 2654435761 % 2**32
    while pos < len(data):
        x = (x * 1103515245 + 12345) % 2**31
        size = 1 + x % 97
        pieces.append(data[pos:pos + size])
        pos += size
    return pieces


def _store() -> MailStore:
    store = MailStore()
    store.add_account(USER, PASSWORD)
    store.deliver(USER, MESSAGE, "28-Nov-2026 17:31:00 +0000")
    return store


# --- servers --------------------------------------------------------------------------------------------


def _feed(server: Any, pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Give ``server`` each piece (a STARTTLS is taken as done at once); yield what it answers to each."""
    for piece in pieces:
        if server.closed:
            return
        for event in server.receive_data(piece):
            if isinstance(event, StartTLSRequested):
                server.tls_established()
        yield server.data_to_send()


_SMTP_CONFIGS = (
    smtp.SMTPServerConfig(HOST, smtp.Role.MTA, local_domains=frozenset({"example.org"})),
    smtp.SMTPServerConfig(HOST, smtp.Role.MSA, implicit_tls=True, max_message_size=4096),
    smtp.SMTPServerConfig(HOST, smtp.Role.MSA, require_tls=True),
)


def smtp_server(data: bytes) -> None:
    head, data = (data[:2] + b"\0\0")[:2], data[2:]
    config = _SMTP_CONFIGS[head[0] % len(_SMTP_CONFIGS)]
    s = smtp.SMTPServer(config, smtp.ServerPolicy({USER: PASSWORD}))
    s.start()
    out = bytearray(s.data_to_send())
    for answer in _feed(s, _cuts(data, head[1])):
        out += answer
        # One unfinished line at most, within the longest line the state allows (AUTH's).
        assert s._lines.pending <= AUTH_LINE_MAX + LINE_SLACK, s._lines.pending
        if s._content is not None:
            assert sum(map(len, s._content.parts)) <= config.max_message_size + 1001
    # Every reply line is "NNN-text" or "NNN text" + CRLF (RFC 5321 §4.2).
    assert out.endswith(b"\r\n") and all(SMTP_REPLY.fullmatch(line + b"\r\n") for line in out.split(b"\r\n")[:-1]), \
        bytes(out)[-200:]


def imap_server(data: bytes) -> None:
    head, data = (data[:2] + b"\0\0")[:2], data[2:]
    s = imap.IMAPServer(imap.IMAPServerConfig("imap.example.org", implicit_tls=bool(head[0] & 1)), _store())
    s.start()
    if head[0] & 2:  # logged in and INBOX selected: FETCH, STORE, SEARCH, UID ... are reachable
        s.receive_data(f"p1 LOGIN {USER} {PASSWORD}\r\np2 SELECT INBOX\r\n".encode())
    s.data_to_send()
    framer = s._framer
    for out in _feed(s, _cuts(data, head[1])):
        assert not out or out.endswith(b"\r\n"), out[-80:]
        # The unfinished command line stays within the line limit; a literal within APPEND's limit.
        assert len(framer._buffer) <= MAX_LINE + LINE_SLACK, len(framer._buffer)
        assert len(framer._literal) <= MAX_APPEND and framer._size <= MAX_COMMAND + MAX_APPEND


def pop3_server(data: bytes) -> None:
    head, data = (data[:2] + b"\0\0")[:2], data[2:]
    s = pop3.POP3Server(pop3.POP3ServerConfig("pop.example.org", implicit_tls=bool(head[0] & 1)), _store())
    s.start()
    if head[0] & 2:  # in the TRANSACTION state: RETR, TOP, LIST, UIDL, DELE ...
        s.receive_data(f"USER {USER}\r\nPASS {PASSWORD}\r\n".encode())
    s.data_to_send()
    for out in _feed(s, _cuts(data, head[1])):
        assert not out or out.endswith(b"\r\n"), out[-80:]
        assert len(s._buffer) <= pop3.server.MAX_LINE + LINE_SLACK, len(s._buffer)


# --- clients (they read what a server sends) -------------------------------------------------------------


def _feed_client(client: smtp.SMTPClient | imap.IMAPClient | pop3.POP3Client, data: bytes, seed: int) -> None:
    for piece in _cuts(data, seed):
        if client.closed:
            break
        try:
            events = client.receive_data(piece)
        except ProtocolError:
            return  # the server broke the protocol: the driver ends the session (not a crash)
        client.data_to_send()
        if any(type(e).__name__ == "StartTLSReady" for e in events):
            client.tls_established()


def smtp_client(data: bytes) -> None:
    head, data = (data[:2] + b"\0\0")[:2], data[2:]
    tls = list(smtp.TLSPolicy)[head[0] % len(smtp.TLSPolicy)]
    config = smtp.SMTPClientConfig("laptop.example.org", tls, USER if head[0] & 4 else None,
                                   PASSWORD if head[0] & 4 else None, pipelining=bool(head[0] & 8))
    message = smtp.OutgoingMessage("alice@example.org", ("bob@example.net", "carol@example.net"), MESSAGE)
    _feed_client(smtp.SMTPClient(config, [message]), data, head[1])


def imap_client(data: bytes) -> None:
    head, data = (data[:2] + b"\0\0")[:2], data[2:]
    tls = list(imap.IMAPTLS)[head[0] % len(imap.IMAPTLS)]
    config = imap.IMAPClientConfig(USER, PASSWORD, tls, fetch="all" if head[0] & 4 else "unseen",
                                   trash=bool(head[0] & 8), idle=bool(head[0] & 16))
    _feed_client(imap.IMAPClient(config), data, head[1])


def pop3_client(data: bytes) -> None:
    head, data = (data[:2] + b"\0\0")[:2], data[2:]
    tls = list(pop3.POP3TLS)[head[0] % len(pop3.POP3TLS)]
    _feed_client(pop3.POP3Client(pop3.POP3ClientConfig(USER, PASSWORD, tls, delete=bool(head[0] & 4))), data,
                 head[1])


# --- small parsers ----------------------------------------------------------------------------------------


def smtp_words(data: bytes) -> None:
    """MAIL/RCPT paths and parameters, and SASL responses (AUTH payloads)."""
    text = data.decode("latin-1")
    try:
        path_text, params_text = split_path(text)
        parse_path(path_text, allow_null=True, allow_postmaster=True)
        parse_params(params_text)
    except (AddressError, ParameterError):
        pass
    for mechanism in ("PLAIN", "LOGIN"):
        exchange = _sasl.ServerExchange(mechanism)
        step = exchange.start(text.split("\r\n", 1)[0] or None)
        for line in text.split("\r\n")[1:4]:
            if not isinstance(step, _sasl.Challenge):
                break
            step = exchange.respond(line)
        assert isinstance(step, (_sasl.Challenge, _sasl.Failure, _sasl.Credentials)), step


_RESOLVER = None


def dns_query(data: bytes) -> None:
    global _RESOLVER
    import dns.message

    from simulator.delivery.dns import Resolvers
    from simulator.live.dns import answer
    from simulator.scenario.library import open_scenario

    if _RESOLVER is None:
        _RESOLVER = Resolvers(open_scenario("submission-starttls")).base
    reply = answer(_RESOLVER, {}, data)
    if reply is None:
        return
    assert len(reply) >= 12 and reply[:2] == data[:2], reply[:12]  # the query's id, a whole header
    assert reply[2] & 0x80  # QR: a response
    if reply[3] & 0xF == 0:  # NOERROR: a whole message dnspython reads back
        dns.message.from_wire(reply)


def narrators(data: bytes) -> None:
    from simulator.trace.narrate.imap import IMAPNarrator
    from simulator.trace.narrate.pop3 import POP3Narrator
    from simulator.trace.narrate.smtp import SMTPNarrator

    head, data = (data[:1] + b"\0")[:1], data[1:]
    for narrator in (SMTPNarrator(submission=bool(head[0] & 1), client_is_mua=True), IMAPNarrator(), POP3Narrator()):
        for i, piece in enumerate(_cuts(data, head[0])):
            (narrator.client if (i + head[0]) % 2 else narrator.server)(piece)


TARGETS: dict[str, Target] = {
    "smtp-server": smtp_server, "imap-server": imap_server, "pop3-server": pop3_server,
    "smtp-client": smtp_client, "imap-client": imap_client, "pop3-client": pop3_client,
    "smtp-words": smtp_words, "dns-query": dns_query, "narrators": narrators,
}

__all__ = ["TARGETS"]
