"""The scripted IMAP client, fed server responses written by hand from
RFC 3501's examples, plus end-to-end runs against the IMAP server."""

from __future__ import annotations

import pytest

from simulator.protocols.errors import LocalProtocolError, RemoteProtocolError
from simulator.protocols.imap import (
    IMAPTLS,
    CommandFailed,
    FetchedMessage,
    IMAPClient,
    IMAPClientConfig,
    IMAPClientStep,
    IMAPServer,
    IMAPServerConfig,
    LoginFailed,
    MailboxSelected,
    MessageFetched,
    SessionClosed,
    StartTLSReady,
    StartTLSRequested,
)
from simulator.protocols.mailstore import MailStore

GREETING = b"* OK IMAP4rev1 Service Ready\r\n"
CAPS_143 = b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n"
CAPS_TLS = b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
MSG = b"From: bob@example.org\r\nSubject: Hi\r\n\r\nHello, Alice.\r\n.\r\n"


def client(tls: IMAPTLS = IMAPTLS.IMPLICIT, **kwargs) -> IMAPClient:
    return IMAPClient(IMAPClientConfig("alice", "wonderland", tls, **kwargs))


def feed(c: IMAPClient, data: bytes) -> tuple[bytes, list]:
    events = c.receive_data(data)
    return c.data_to_send(), events


def to_select(c: IMAPClient) -> None:
    """Walk an implicit-TLS client up to its SELECT."""
    assert feed(c, GREETING)[0] == b"a001 CAPABILITY\r\n"
    assert feed(c, CAPS_TLS + b"a001 OK CAPABILITY completed\r\n")[0].startswith(b"a002 LOGIN ")
    assert feed(c, b"a002 OK LOGIN completed\r\n")[0] == b"a003 SELECT INBOX\r\n"


SELECT_REPLY = (
    b"* 2 EXISTS\r\n* 1 RECENT\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
    b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    b"a003 OK [READ-WRITE] SELECT completed\r\n"
)


def test_client_sends_capability_after_greeting() -> None:
    c = client()
    assert feed(c, GREETING) == (b"a001 CAPABILITY\r\n", [])


def test_client_starttls_flow() -> None:
    c = client(IMAPTLS.STARTTLS)
    feed(c, GREETING)
    # Section 6.2.1 example: CAPABILITY, STARTTLS, then CAPABILITY again.
    assert feed(c, CAPS_143 + b"a001 OK CAPABILITY completed\r\n")[0] == b"a002 STARTTLS\r\n"
    out, events = feed(c, b"a002 OK Begin TLS negotiation now\r\n")
    assert out == b"" and events == [StartTLSReady()]
    c.tls_established()
    assert c.data_to_send() == b"a003 CAPABILITY\r\n"
    out, _ = feed(c, CAPS_TLS + b"a003 OK CAPABILITY completed\r\n")
    assert out == b'a004 LOGIN alice "wonderland"\r\n'


def test_client_discards_capabilities_and_bytes_after_starttls() -> None:
    c = client(IMAPTLS.STARTTLS)
    feed(c, GREETING)
    feed(c, CAPS_143 + b"a001 OK CAPABILITY completed\r\n")
    # An attacker's injected bytes after the OK must not be taken as responses.
    feed(c, b"a002 OK Begin TLS negotiation now\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
    assert c.capabilities == frozenset()
    assert c.receive_data(b"a003 OK CAPABILITY completed\r\n") == []


def test_client_quotes_password_per_astring_rules() -> None:
    c = IMAPClient(IMAPClientConfig("alice", 'say "hi" \\o/', IMAPTLS.IMPLICIT))
    feed(c, GREETING)
    out, _ = feed(c, CAPS_TLS + b"a001 OK CAPABILITY completed\r\n")
    # quoted = DQUOTE *QUOTED-CHAR DQUOTE, with "\" before DQUOTE and "\".
    assert out == b'a002 LOGIN alice "say \\"hi\\" \\\\o/"\r\n'


def test_client_sends_8bit_password_as_literal_after_continuation() -> None:
    c = IMAPClient(IMAPClientConfig("alice", "pässword", IMAPTLS.IMPLICIT))
    feed(c, GREETING)
    out, _ = feed(c, CAPS_TLS + b"a001 OK CAPABILITY completed\r\n")
    secret = "pässword".encode()
    # Section 7.5: the literal's octets wait for the server's "+".
    assert out == b"a002 LOGIN alice {%d}\r\n" % len(secret)
    assert feed(c, b"+ Ready for additional command text\r\n")[0] == secret + b"\r\n"


def test_client_refuses_login_when_logindisabled() -> None:
    c = client(IMAPTLS.NONE)
    feed(c, GREETING)
    out, events = feed(c, CAPS_143 + b"a001 OK CAPABILITY completed\r\n")
    # Section 6.2.3: a client MUST NOT send LOGIN if LOGINDISABLED is advertised.
    assert out == b"a002 LOGOUT\r\n"
    assert isinstance(events[0], LoginFailed)


def test_client_refuses_to_continue_without_offered_starttls() -> None:
    c = client(IMAPTLS.STARTTLS)
    feed(c, GREETING)
    out, events = feed(c, b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na001 OK done\r\n")
    assert out == b"a002 LOGOUT\r\n"
    assert isinstance(events[0], CommandFailed) and events[0].command == "STARTTLS"


def test_client_reports_login_failure_and_logs_out() -> None:
    c = client()
    feed(c, GREETING)
    feed(c, CAPS_TLS + b"a001 OK CAPABILITY completed\r\n")
    out, events = feed(c, b"a002 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
    assert events == [LoginFailed("alice", "[AUTHENTICATIONFAILED] Authentication failed")]
    assert out == b"a003 LOGOUT\r\n"
    out, events = feed(c, b"* BYE IMAP4rev1 Server logging out\r\na003 OK LOGOUT completed\r\n")
    assert events == [SessionClosed()] and c.closed


def test_client_searches_unseen_then_fetches_each() -> None:
    c = client()
    to_select(c)
    out, events = feed(c, SELECT_REPLY)
    assert events == [MailboxSelected("INBOX", 2)]
    assert out == b"a004 SEARCH UNSEEN\r\n"
    assert feed(c, b"* SEARCH 2\r\na004 OK SEARCH completed\r\n")[0] == b"a005 FETCH 2 BODY[]\r\n"
    reply = b"* 2 FETCH (FLAGS (\\Seen) BODY[] {%d}\r\n%s)\r\na005 OK FETCH completed\r\n"
    out, events = feed(c, reply % (len(MSG), MSG))
    assert events == [MessageFetched(2, None, MSG)]
    assert c.fetched == [FetchedMessage(2, None, MSG)]
    assert out == b"a006 LOGOUT\r\n"


def test_client_fetch_all_skips_search_and_can_peek() -> None:
    c = client(fetch="all", peek=True)
    to_select(c)
    assert feed(c, SELECT_REPLY)[0] == b"a004 FETCH 1 BODY.PEEK[]\r\n"
    assert feed(c, b"a004 OK FETCH completed\r\n")[0] == b"a005 FETCH 2 BODY.PEEK[]\r\n"


def test_client_with_nothing_unseen_logs_out() -> None:
    c = client()
    to_select(c)
    feed(c, SELECT_REPLY)
    assert feed(c, b"* SEARCH\r\na004 OK SEARCH completed\r\n")[0] == b"a005 LOGOUT\r\n"


def test_client_parses_literal_split_across_reads() -> None:
    c = client()
    to_select(c)
    feed(c, SELECT_REPLY)
    feed(c, b"* SEARCH 1\r\na004 OK SEARCH completed\r\n")
    reply = b"* 1 FETCH (UID 7 BODY[] {%d}\r\n%s FLAGS (\\Seen))\r\na005 OK FETCH completed\r\n" % (
        len(MSG), MSG,
    )  # fmt: skip
    events = []
    for i in range(len(reply)):  # one octet at a time, "{n}" and CRLF split too
        events += c.receive_data(reply[i : i + 1])
    assert events == [MessageFetched(1, 7, MSG)]


def test_client_select_failure_logs_out() -> None:
    c = client()
    to_select(c)
    out, events = feed(c, b"a003 NO [NONEXISTENT] No such mailbox\r\n")
    assert out == b"a004 LOGOUT\r\n" and isinstance(events[0], CommandFailed)


def test_client_closes_on_unsolicited_bye() -> None:
    c = client()
    to_select(c)
    assert feed(c, b"* BYE Autologout; idle for too long\r\n")[1] == [SessionClosed()]
    assert c.closed and c.step is IMAPClientStep.CLOSED


def test_client_closes_on_eof() -> None:
    c = client()
    assert c.receive_data(b"") == [SessionClosed()]


def test_client_rejects_malformed_responses() -> None:
    with pytest.raises(RemoteProtocolError):
        client().receive_data(b"HTTP/1.1 400 Bad Request\r\n")
    c = client()
    feed(c, GREETING)
    with pytest.raises(RemoteProtocolError):
        c.receive_data(b"zzz OK wrong tag\r\n")


def test_client_tls_established_out_of_turn_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        client(IMAPTLS.STARTTLS).tls_established()


def test_client_config_rejects_unknown_fetch_mode() -> None:
    with pytest.raises(ValueError):
        IMAPClientConfig("a", "b", IMAPTLS.NONE, fetch="some")


# --- end to end ------------------------------------------------------------------------


def pump(c: IMAPClient, s: IMAPServer) -> list:
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
    store.add_account("alice", "wonder land")
    for content in messages:
        store.deliver("alice", content, "28-Nov-2026 17:31:00 +0000")
    return store


@pytest.mark.parametrize(
    ("tls", "implicit"), [(IMAPTLS.STARTTLS, False), (IMAPTLS.IMPLICIT, True)], ids=["143", "993"]
)
def test_end_to_end_delivered_message_comes_back_byte_equal(tls: IMAPTLS, implicit: bool) -> None:
    other = b"Subject: second\r\n\r\n..dots\r\n\r\n"
    store = store_with(MSG, other)
    s = IMAPServer(IMAPServerConfig("mail.example.org", implicit_tls=implicit), store)
    c = IMAPClient(IMAPClientConfig("alice", "wonder land", tls))
    events = pump(c, s)
    assert [m.content for m in c.fetched] == [MSG, other]
    assert (StartTLSRequested() in events) == (tls is IMAPTLS.STARTTLS)
    assert all("\\Seen" in m.flags for m in store.mailbox("alice").messages)
    # A second session finds nothing unseen.
    again = IMAPClient(IMAPClientConfig("alice", "wonder land", tls))
    pump(again, IMAPServer(IMAPServerConfig("mail.example.org", implicit_tls=implicit), store))
    assert again.fetched == []


def test_end_to_end_peek_leaves_messages_unseen() -> None:
    store = store_with(MSG)
    s = IMAPServer(IMAPServerConfig("mail.example.org", implicit_tls=True), store)
    c = IMAPClient(IMAPClientConfig("alice", "wonder land", IMAPTLS.IMPLICIT, peek=True))
    pump(c, s)
    assert [m.content for m in c.fetched] == [MSG]
    assert store.mailbox("alice").messages[0].flags == set()


def test_end_to_end_cleartext_client_is_refused_by_tls_only_server() -> None:
    s = IMAPServer(IMAPServerConfig("mail.example.org"), store_with(MSG))
    c = IMAPClient(IMAPClientConfig("alice", "wonder land", IMAPTLS.NONE))
    events = pump(c, s)
    assert any(isinstance(e, LoginFailed) for e in events) and c.fetched == []
