"""Helpers for the IMAP server tests: a store with messages, sessions at each state, a line reader."""

from __future__ import annotations

import re
from typing import Any

from simulator.protocols.imap import IMAPServer, IMAPServerConfig
from simulator.protocols.mailstore import MailStore

HOST = "mail.example.org"
DATE = "28-Nov-2026 17:31:00 +0000"
MSG1 = b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: One\r\n\r\nFirst.\r\n"
MSG2 = b"From: carol@example.org\r\nSubject: Two\r\n\r\nSecond.\r\n.leading dot\r\n"

# The capabilities this server must list, written out from the RFCs' capability names:
# RFC 3501 §7.2.1 (IMAP4rev1, STARTTLS, LOGINDISABLED, AUTH=), RFC 4959 (SASL-IR), RFC 2971 (ID),
# RFC 5161 (ENABLE), RFC 2177 (IDLE), RFC 7888 (LITERAL+) before login, and after it RFC 2342
# (NAMESPACE), RFC 4315 (UIDPLUS), RFC 6851 (MOVE), RFC 3691 (UNSELECT), RFC 3348 (CHILDREN),
# RFC 5258 (LIST-EXTENDED), RFC 5819 (LIST-STATUS), RFC 6154 (SPECIAL-USE), RFC 7889 (APPENDLIMIT).
CAPS_PLAIN = "IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED"
CAPS_TLS = "IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ AUTH=PLAIN"
CAPS_AUTHENTICATED = ("IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN "
                      "LIST-EXTENDED LIST-STATUS SPECIAL-USE APPENDLIMIT=52428800")


def store_with(*messages: bytes, user: str = "alice") -> MailStore:
    store = MailStore()
    store.add_account(user, "wonderland")
    for content in messages:
        store.deliver(user, content, DATE)
    return store


def connect(store: MailStore, *, greeted: bool = True, **config: Any) -> IMAPServer:
    server = IMAPServer(IMAPServerConfig(HOST, **config), store)
    server.start()
    if greeted:
        server.data_to_send()
    return server


def make_server(messages: tuple[bytes, ...] = (MSG1, MSG2), greeted: bool = True, **config: Any) -> IMAPServer:
    return connect(store_with(*messages), greeted=greeted, **config)


def talk(server: IMAPServer, data: bytes) -> bytes:
    server.receive_data(data)
    return server.data_to_send()


def logged_in(store: MailStore | None = None, **kwargs: Any) -> IMAPServer:
    server = connect(store if store is not None else store_with(MSG1, MSG2), implicit_tls=True, **kwargs)
    assert talk(server, b"a1 LOGIN alice wonderland\r\n").startswith(b"a1 OK")
    return server


def selected(store: MailStore | None = None, mailbox: bytes = b"INBOX", **kwargs: Any) -> IMAPServer:
    server = logged_in(store, **kwargs)
    reply = talk(server, b"a2 SELECT " + mailbox + b"\r\n")
    assert b"a2 OK" in reply, reply
    return server


def lines(reply: bytes) -> list[str]:
    """Response lines, without literals' contents (those are cut at the {n})."""
    return reply.decode("utf-8", "replace").split("\r\n")[:-1]


def tagged(reply: bytes, tag: str) -> str:
    return next(line for line in lines(reply) if line.startswith(tag + " "))


def fetch_items(reply: bytes, seq: int) -> str:
    match = re.search(rb"^\* %d FETCH \((.*)\)\r\n" % seq, reply, re.M | re.S)
    assert match, reply
    return match.group(1).decode("utf-8", "replace")
