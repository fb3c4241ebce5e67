"""Python's own imaplib (and poplib) against our IMAP and POP3 servers, over real TCP and TLS.

The clients were written by other people from RFC 3501 and RFC 1939: where
they and our servers disagree, our servers are wrong unless the RFC says
otherwise.
"""

from __future__ import annotations

import imaplib
import poplib
import ssl

import pytest

from simulator.protocols.imap import IMAPServer, IMAPServerConfig, LoginFailed, MessageFetched
from simulator.protocols.mailstore import MailStore
from simulator.protocols.pop3 import MaildropUpdated, POP3Server, POP3ServerConfig

from adapter import LoopbackServer

pytestmark = [pytest.mark.socket, pytest.mark.timeout(30)]

USER, PASSWORD = "bob@example.net", "hunter2 but longer"
DATE = "28-Nov-2026 09:00:00 +0000"
FIRST = (
    b"Return-Path: <alice@example.org>\r\nFrom: alice@example.org\r\nTo: bob@example.net\r\n"
    b"Subject: Lunch on Friday?\r\n\r\nHi Bob,\r\n.. and a line with dots.\r\n.\r\nAlice\r\n"
)
SECOND = b"From: carol@example.com\r\nSubject: Second\r\n\r\n\xc3\xa9t\xc3\xa9 (8-bit)\r\n"


def store() -> MailStore:
    mail = MailStore()
    mail.add_account(USER, PASSWORD)
    mail.deliver(USER, FIRST, DATE)
    mail.deliver(USER, SECOND, DATE)
    return mail


class Backend:
    """One mail store shared by every connection, as a real server's disk would be."""

    def __init__(self) -> None:
        self.mail = store()

    def imap(self, implicit_tls: bool = False) -> IMAPServer:
        return IMAPServer(IMAPServerConfig("imap.example.net", implicit_tls=implicit_tls), self.mail)

    def pop3(self, implicit_tls: bool = False) -> POP3Server:
        return POP3Server(POP3ServerConfig("imap.example.net", implicit_tls=implicit_tls), self.mail)

    def flags(self, uid: int) -> set[str]:
        box = self.mail.mailbox(USER)
        assert box is not None
        return next(m.flags for m in box.messages if m.uid == uid)


# --- imaplib -------------------------------------------------------------------------------------


def test_imaplib_starttls_login_select_fetch_body_is_byte_equal(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    backend = Backend()
    with LoopbackServer(backend.imap, server_tls) as server:
        client = imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
        assert "STARTTLS" in client.capabilities and "LOGINDISABLED" in client.capabilities
        assert client.starttls(ssl_context=client_tls)[0] == "OK"
        assert "LOGINDISABLED" not in client.capabilities  # imaplib asked again, inside TLS
        assert client.login(USER, PASSWORD)[0] == "OK"
        assert client.select("INBOX") == ("OK", [b"2"])
        assert client.response("UIDVALIDITY") == ("UIDVALIDITY", [b"1"])
        typ, data = client.fetch("1", "(BODY[])")
        assert typ == "OK"
        assert data[0][1] == FIRST  # the literal, byte for byte
        typ, data = client.fetch("2", "(BODY[])")
        assert data[0][1] == SECOND  # 8-bit octets survive too
        assert client.logout()[0] == "BYE"
        server.wait_idle()
    assert server.errors == []
    assert backend.flags(1) == {"\\Seen"}  # BODY[] sets \Seen (RFC 3501 §6.4.5)
    assert [e.seq for e in server.events_of(MessageFetched)] == [1, 2]


def test_imaplib_login_before_starttls_is_refused(server_tls: ssl.SSLContext) -> None:
    with LoopbackServer(Backend().imap, server_tls) as server:
        client = imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
        with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
            client.login(USER, PASSWORD)
        client.logout()
        server.wait_idle()
    assert server.events_of(LoginFailed)


def test_imaplib_wrong_password_is_no_authenticationfailed(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with LoopbackServer(Backend().imap, server_tls) as server:
        client = imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
        client.starttls(ssl_context=client_tls)
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(USER, "wrong")
        client.logout()
        server.wait_idle()
    assert server.errors == []


def test_imaplib_imap4_ssl_body_peek_leaves_seen_unset(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    backend = Backend()
    with LoopbackServer(lambda: backend.imap(implicit_tls=True), server_tls, implicit_tls=True) as server:
        client = imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=client_tls, timeout=10)
        assert "STARTTLS" not in client.capabilities and "AUTH=PLAIN" in client.capabilities
        client.login(USER, PASSWORD)
        client.select("INBOX")
        typ, data = client.fetch("1:*", "(UID BODY.PEEK[])")
        assert typ == "OK"
        assert [part[1] for part in data if isinstance(part, tuple)] == [FIRST, SECOND]
        assert client.search(None, "UNSEEN") == ("OK", [b"1 2"])
        client.logout()
        server.wait_idle()
    assert server.errors == []
    assert backend.flags(1) == set()


# --- poplib ----------------------------------------------------------------------------------------


def test_poplib_stls_user_pass_stat_retr_dele_quit(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    backend = Backend()
    with LoopbackServer(backend.pop3, server_tls) as server:
        client = poplib.POP3("127.0.0.1", server.port, timeout=10)
        assert "STLS" in client.capa()
        assert client.stls(context=client_tls).startswith(b"+OK")
        client.user(USER)
        client.pass_(PASSWORD)
        assert client.stat() == (2, len(FIRST) + len(SECOND))
        _resp, lines, octets = client.retr(1)
        # poplib undoes the dot-stuffing; the lines are the message's, without CRLF.
        assert lines == FIRST.split(b"\r\n")[:-1] and octets >= len(FIRST)
        assert client.dele(1).startswith(b"+OK")
        assert client.quit().startswith(b"+OK")
        server.wait_idle()
    assert server.errors == []
    assert server.events_of(MaildropUpdated) == [MaildropUpdated(1, 1)]


def test_poplib_pop3_ssl(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    with LoopbackServer(lambda: Backend().pop3(implicit_tls=True), server_tls, implicit_tls=True) as server:
        client = poplib.POP3_SSL("127.0.0.1", server.port, context=client_tls, timeout=10)
        client.user(USER)
        client.pass_(PASSWORD)
        assert client.list()[1] == [b"1 %d" % len(FIRST), b"2 %d" % len(SECOND)]
        client.quit()
        server.wait_idle()
    assert server.errors == []
