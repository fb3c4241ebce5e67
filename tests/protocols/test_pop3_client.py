"""The scripted POP3 client, fed server responses written by hand from
RFC 1939's examples, plus end-to-end runs against the POP3 server."""

from __future__ import annotations

import pytest

from simulator.protocols.errors import LocalProtocolError, RemoteProtocolError
from simulator.protocols.mailstore import MailStore
from simulator.protocols.pop3 import (
    POP3TLS,
    CommandFailed,
    LoginFailed,
    MaildropStatus,
    MessageRetrieved,
    POP3Client,
    POP3ClientConfig,
    POP3ClientStep,
    POP3Server,
    POP3ServerConfig,
    RetrievedMessage,
    SessionClosed,
    StartTLSReady,
)

GREETING = b"+OK POP3 server ready\r\n"
CAPA_110 = b"+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nSTLS\r\n.\r\n"
CAPA_TLS = b"+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\n.\r\n"
MSG = b"From: bob@example.org\r\nSubject: Hi\r\n\r\n.leading dot\r\n.\r\nbye\r\n"
STUFFED = b"From: bob@example.org\r\nSubject: Hi\r\n\r\n..leading dot\r\n..\r\nbye\r\n"


def client(tls: POP3TLS = POP3TLS.IMPLICIT, delete: bool = False) -> POP3Client:
    return POP3Client(POP3ClientConfig("mrose", "tanstaaf", tls, delete))


def feed(c: POP3Client, data: bytes) -> tuple[bytes, list]:
    events = c.receive_data(data)
    return c.data_to_send(), events


def to_stat(c: POP3Client) -> None:
    assert feed(c, GREETING)[0] == b"CAPA\r\n"
    assert feed(c, CAPA_TLS)[0] == b"USER mrose\r\n"
    assert feed(c, b"+OK mrose is a real hoopy frood\r\n")[0] == b"PASS tanstaaf\r\n"
    assert feed(c, b"+OK mrose's maildrop has 2 messages (320 octets)\r\n")[0] == b"STAT\r\n"


def test_client_sends_capa_after_greeting() -> None:
    assert feed(client(), GREETING) == (b"CAPA\r\n", [])


def test_client_stls_flow() -> None:
    c = client(POP3TLS.STLS)
    feed(c, GREETING)
    assert feed(c, CAPA_110)[0] == b"STLS\r\n"
    out, events = feed(c, b"+OK Begin TLS negotiation\r\n")
    assert out == b"" and events == [StartTLSReady()]
    c.tls_established()
    # RFC 2595: capabilities are discarded and CAPA SHOULD be re-issued.
    assert c.data_to_send() == b"CAPA\r\n"
    assert feed(c, CAPA_TLS)[0] == b"USER mrose\r\n"


def test_client_ignores_bytes_between_stls_ok_and_handshake() -> None:
    c = client(POP3TLS.STLS)
    feed(c, GREETING)
    feed(c, CAPA_110)
    assert feed(c, b"+OK Begin TLS negotiation\r\n+OK injected\r\n")[1] == [StartTLSReady()]
    c.tls_established()
    assert c.data_to_send() == b"CAPA\r\n"


def test_client_refuses_to_continue_without_offered_stls() -> None:
    c = client(POP3TLS.STLS)
    feed(c, GREETING)
    out, events = feed(c, CAPA_TLS)
    assert out == b"QUIT\r\n" and events == [
        CommandFailed("STLS", "server does not offer STLS; not continuing in cleartext")
    ]


def test_client_carries_on_when_server_lacks_capa() -> None:
    c = client()
    feed(c, GREETING)
    # RFC 2449: -ERR to CAPA means the server does not support it.
    assert feed(c, b"-ERR unknown command\r\n")[0] == b"USER mrose\r\n"


def test_client_reports_login_failure_and_quits() -> None:
    c = client()
    feed(c, GREETING)
    feed(c, CAPA_TLS)
    feed(c, b"+OK mrose is a real hoopy frood\r\n")
    out, events = feed(c, b"-ERR invalid password\r\n")
    assert events == [LoginFailed("mrose", "invalid password")] and out == b"QUIT\r\n"
    assert feed(c, b"+OK dewey POP3 server signing off\r\n")[1] == [SessionClosed()]


def test_client_retrieves_each_message_and_unstuffs() -> None:
    c = client()
    to_stat(c)
    out, events = feed(c, b"+OK 2 320\r\n")
    assert events == [MaildropStatus(2, 320)] and out == b"RETR 1\r\n"
    out, events = feed(c, b"+OK %d octets\r\n%s.\r\n" % (len(MSG), STUFFED))
    assert events == [MessageRetrieved(1, MSG)] and out == b"RETR 2\r\n"
    out, _ = feed(c, b"+OK 3 octets\r\nx\r\n.\r\n")
    assert out == b"QUIT\r\n"
    assert c.retrieved == [RetrievedMessage(1, MSG), RetrievedMessage(2, b"x\r\n")]


def test_client_deletes_after_retrieving_when_asked() -> None:
    c = client(delete=True)
    to_stat(c)
    feed(c, b"+OK 1 5\r\n")
    assert feed(c, b"+OK 3 octets\r\nx\r\n.\r\n")[0] == b"DELE 1\r\n"
    assert feed(c, b"+OK message 1 deleted\r\n")[0] == b"QUIT\r\n"


def test_client_with_empty_maildrop_quits() -> None:
    c = client()
    to_stat(c)
    assert feed(c, b"+OK 0 0\r\n")[0] == b"QUIT\r\n"


def test_client_parses_response_split_across_reads() -> None:
    c = client()
    to_stat(c)
    feed(c, b"+OK 1 66\r\n")
    reply = b"+OK %d octets\r\n%s.\r\n" % (len(MSG), STUFFED)
    events = []
    for i in range(len(reply)):
        events += c.receive_data(reply[i : i + 1])
    assert events == [MessageRetrieved(1, MSG)]


def test_client_closes_on_eof() -> None:
    c = client()
    assert c.receive_data(b"") == [SessionClosed()] and c.step is POP3ClientStep.CLOSED


def test_client_rejects_non_pop3_status_lines() -> None:
    with pytest.raises(RemoteProtocolError):
        client().receive_data(b"220 smtp.example.org ESMTP\r\n")


def test_client_rejects_malformed_stat() -> None:
    c = client()
    to_stat(c)
    with pytest.raises(RemoteProtocolError):
        c.receive_data(b"+OK lots\r\n")


def test_client_tls_established_out_of_turn_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        client(POP3TLS.STLS).tls_established()


# --- end to end -------------------------------------------------------------------------


def pump(c: POP3Client, s: POP3Server) -> list:
    """Shuttle bytes both ways until both sides are closed; TLS is a no-op."""
    events: list = []
    s.start()
    for _ in range(200):
        received = c.receive_data(s.data_to_send())
        events += received
        if StartTLSReady() in received:
            s.tls_established()  # the driver ran the handshake on both ends
            c.tls_established()
        data = c.data_to_send()
        if data:
            events += s.receive_data(data)
        if c.closed and s.closed:
            return events
    raise AssertionError("session did not finish")


def store_with(*messages: bytes) -> MailStore:
    store = MailStore()
    store.add_account("mrose", "tan staaf")
    for content in messages:
        store.deliver("mrose", content, "28-Nov-2026 17:31:00 +0000")
    return store


@pytest.mark.parametrize(
    ("tls", "implicit"), [(POP3TLS.STLS, False), (POP3TLS.IMPLICIT, True)], ids=["110", "995"]
)
def test_end_to_end_delivered_message_comes_back_byte_equal(tls: POP3TLS, implicit: bool) -> None:
    other = b"Subject: second\r\n\r\n..\r\n.\r\n\r\n"
    store = store_with(MSG, other)
    s = POP3Server(POP3ServerConfig("mail.example.org", implicit_tls=implicit), store)
    c = POP3Client(POP3ClientConfig("mrose", "tan staaf", tls))
    events = pump(c, s)
    assert [m.content for m in c.retrieved] == [MSG, other]
    assert (StartTLSReady() in events) == (tls is POP3TLS.STLS)
    assert len(store.mailbox("mrose").messages) == 2  # nothing deleted


def test_end_to_end_delete_empties_the_maildrop() -> None:
    store = store_with(MSG, MSG)
    s = POP3Server(POP3ServerConfig("mail.example.org", implicit_tls=True), store)
    pump(POP3Client(POP3ClientConfig("mrose", "tan staaf", POP3TLS.IMPLICIT, delete=True)), s)
    assert store.mailbox("mrose").messages == []


def test_end_to_end_cleartext_client_is_refused_by_tls_only_server() -> None:
    s = POP3Server(POP3ServerConfig("mail.example.org"), store_with(MSG))
    c = POP3Client(POP3ClientConfig("mrose", "tan staaf", POP3TLS.NONE))
    events = pump(c, s)
    assert any(isinstance(e, LoginFailed) for e in events) and c.retrieved == []
