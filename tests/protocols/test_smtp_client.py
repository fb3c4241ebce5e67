"""The scripted SMTP client, against hand-written server replies and against SMTPServer."""

from __future__ import annotations

import base64

import pytest

from simulator.protocols.errors import LocalProtocolError
from simulator.protocols.smtp import (
    ClientAuthFailed,
    ClientState,
    CommandSent,
    DataSent,
    Event,
    MessageReceived,
    MessageResult,
    OutgoingMessage,
    RecipientOutcome,
    RecipientResult,
    ReplyReceived,
    Role,
    ServerPolicy,
    ServerState,
    SessionClosed,
    SessionFailed,
    SMTPClient,
    SMTPClientConfig,
    SMTPServer,
    SMTPServerConfig,
    StartTLSReady,
    TLSPolicy,
    TLSUnavailable,
)
from simulator.protocols.smtp.client import AuthFailed

EHLO_PLAIN = b"250-mx.example.org\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
EHLO_TLS = b"250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 STARTTLS\r\n"
EHLO_PIPE = b"250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 1000000\r\n"
EHLO_AUTH = b"250-smtp.example.org\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000000\r\n"
MSG = OutgoingMessage("alice@example.net", ("bob@example.org",), b"Subject: hi\r\n\r\nhello\r\n")


def client(
    tls: TLSPolicy = TLSPolicy.NONE, messages: tuple[OutgoingMessage, ...] = (MSG,), **config: object
) -> SMTPClient:
    return SMTPClient(SMTPClientConfig("client.example.net", tls, **config), messages)  # type: ignore[arg-type]


def step(c: SMTPClient, reply: bytes) -> tuple[list[Event], bytes]:
    events = c.receive_data(reply)
    return events, c.data_to_send()


def sent(c: SMTPClient, reply: bytes) -> bytes:
    return step(c, reply)[1]


def up_to_mail(c: SMTPClient, ehlo: bytes = EHLO_PLAIN) -> bytes:
    assert sent(c, b"220 mx.example.org ESMTP\r\n") == b"EHLO client.example.net\r\n"
    return sent(c, ehlo)


# --- session setup -----------------------------------------------------------------------


def test_greeting_220_is_answered_with_ehlo() -> None:
    c = client()
    assert c.state is ClientState.GREETING
    events, out = step(c, b"220 mx.example.org ESMTP\r\n")
    assert out == b"EHLO client.example.net\r\n"
    assert events == [ReplyReceived(220, None, ("mx.example.org ESMTP",), "GREETING"),
                      CommandSent("EHLO client.example.net")]


def test_ehlo_5xx_falls_back_to_helo() -> None:
    c = client()
    sent(c, b"220 mx.example.org\r\n")
    assert sent(c, b"500 5.5.2 what?\r\n") == b"HELO client.example.net\r\n"  # RFC 5321 §3.2
    out = sent(c, b"250 mx.example.org\r\n")
    assert out == b"MAIL FROM:<alice@example.net>\r\n"  # no SIZE: HELO has no extensions
    assert not c.esmtp


def test_greeting_other_than_220_quits_and_records_the_failure() -> None:
    c = client()
    events, out = step(c, b"554 mx.example.org No SMTP service here\r\n")
    assert out == b"QUIT\r\n"  # RFC 5321 §3.1: the server waits for our QUIT
    assert SessionFailed("greeting", 554, "mx.example.org No SMTP service here") in events
    assert c.session_failure == SessionFailed("greeting", 554, "mx.example.org No SMTP service here")
    assert c.results == [{}]  # no MAIL was sent: nothing to say about recipients
    events, out = step(c, b"221 bye\r\n")
    assert c.closed and isinstance(events[-1], SessionClosed)


def test_421_anywhere_closes_without_quit_and_leaves_transient_results() -> None:
    c = client(messages=(MSG, MSG))
    up_to_mail(c)  # MAIL of the first message is in flight
    events, out = step(c, b"421 4.3.2 mx.example.org Shutting down\r\n")
    assert out == b"" and c.closed  # the server is closing (RFC 5321 §3.8): no QUIT
    outcome = c.results[0]["bob@example.org"]
    assert outcome.code == 421 and outcome.is_transient and outcome.enhanced == "4.3.2"
    assert c.results[1] == {}  # never started
    assert [e.accepted for e in events if isinstance(e, MessageResult)] == [False]
    assert c.session_failure is not None and c.session_failure.code == 421
    assert isinstance(events[-1], SessionClosed)


def test_421_greeting_closes_with_no_results() -> None:
    c = client()
    events, out = step(c, b"421 mx.example.org Service not available\r\n")
    assert out == b"" and c.closed and c.results == [{}]
    assert SessionFailed("greeting", 421, "mx.example.org Service not available") in events


def test_multiline_reply_is_one_reply() -> None:
    c = client()
    sent(c, b"220 mx.example.org\r\n")
    events, out = step(c, EHLO_PLAIN)
    assert len([e for e in events if isinstance(e, ReplyReceived)]) == 1
    assert c.capabilities == {"SIZE": "1000000", "8BITMIME": "", "ENHANCEDSTATUSCODES": ""}


def test_replies_split_across_calls_byte_by_byte() -> None:
    c = client()
    sent(c, b"220 mx.example.org\r\n")
    out = b""
    for i in range(len(EHLO_PLAIN)):
        out += sent(c, EHLO_PLAIN[i:i + 1])
    assert out == b"MAIL FROM:<alice@example.net> SIZE=22\r\n"


def test_garbage_from_the_server_ends_the_session_as_transient() -> None:
    c = client()
    events, out = step(c, b"hello there\r\n")
    assert c.closed and any(isinstance(e, SessionFailed) and e.stage == "protocol" for e in events)
    assert c.session_failure is not None and c.session_failure.code == 451


# --- STARTTLS policies ---------------------------------------------------------------------


def test_opportunistic_starttls_when_advertised() -> None:
    c = client(TLSPolicy.OPPORTUNISTIC)
    assert up_to_mail(c, EHLO_TLS) == b"STARTTLS\r\n"
    events, out = step(c, b"220 2.0.0 Ready to start TLS\r\n")
    assert StartTLSReady() in events and out == b"" and c.state is ClientState.TLS_HANDSHAKE
    events = c.tls_established()
    # RFC 3207 §4.2: forget the old extension list and say EHLO again.
    assert c.data_to_send() == b"EHLO client.example.net\r\n" and c.capabilities == {}
    assert events == [CommandSent("EHLO client.example.net")]
    assert sent(c, EHLO_PIPE).startswith(b"MAIL FROM:")  # no second STARTTLS


def test_opportunistic_goes_on_in_plaintext_when_not_advertised() -> None:
    c = client(TLSPolicy.OPPORTUNISTIC)
    assert up_to_mail(c, EHLO_PLAIN).startswith(b"MAIL FROM:<alice@example.net>")
    assert not c.tls_active


def test_opportunistic_goes_on_in_plaintext_after_454() -> None:
    c = client(TLSPolicy.OPPORTUNISTIC)
    up_to_mail(c, EHLO_TLS)
    events, out = step(c, b"454 4.7.0 TLS not available due to temporary reason\r\n")
    assert TLSUnavailable() in events and out.startswith(b"MAIL FROM:")


def test_require_starttls_quits_without_credentials_or_mail_when_not_offered() -> None:
    c = client(TLSPolicy.REQUIRE_STARTTLS, username="alice", password="secret")
    sent(c, b"220 smtp.example.org\r\n")
    events, out = step(c, EHLO_AUTH)
    assert out == b"QUIT\r\n"  # no AUTH, no MAIL
    assert TLSUnavailable() in events and c.tls_unavailable
    assert c.results == [{}] and c.session_failure is not None and c.session_failure.stage == "starttls"


def test_require_starttls_quits_on_454() -> None:
    c = client(TLSPolicy.REQUIRE_STARTTLS)
    up_to_mail(c, EHLO_TLS)
    events, out = step(c, b"454 4.7.0 TLS not available\r\n")
    assert out == b"QUIT\r\n" and TLSUnavailable() in events
    assert c.session_failure == SessionFailed("starttls", 454, "TLS not available", "4.7.0")


def test_plaintext_after_the_starttls_220_is_discarded() -> None:
    c = client(TLSPolicy.OPPORTUNISTIC)
    up_to_mail(c, EHLO_TLS)
    # STARTTLS response injection: a fake reply riding along with the 220.
    events, out = step(c, b"220 2.0.0 go ahead\r\n250-evil\r\n250 AUTH PLAIN\r\n")
    assert [type(e) for e in events] == [ReplyReceived, StartTLSReady]
    c.tls_established()
    assert c.data_to_send() == b"EHLO client.example.net\r\n"
    assert sent(c, EHLO_PIPE).startswith(b"MAIL FROM:")


def test_receive_data_during_the_handshake_raises() -> None:
    c = client(TLSPolicy.OPPORTUNISTIC)
    up_to_mail(c, EHLO_TLS)
    sent(c, b"220 2.0.0 go ahead\r\n")
    with pytest.raises(LocalProtocolError):
        c.receive_data(b"250 ok\r\n")


def test_tls_established_without_starttls_raises() -> None:
    with pytest.raises(LocalProtocolError):
        client().tls_established()


def test_implicit_tls_never_sends_starttls() -> None:
    c = client(TLSPolicy.IMPLICIT)
    assert c.tls_active
    assert up_to_mail(c, EHLO_TLS).startswith(b"MAIL FROM:")


# --- AUTH -----------------------------------------------------------------------------------


def test_auth_plain_sends_the_initial_response() -> None:
    c = client(TLSPolicy.IMPLICIT, username="alice", password="secret")
    out = up_to_mail(c, EHLO_AUTH)
    expected = base64.b64encode(b"\0alice\0secret").decode()  # RFC 4616: NUL user NUL pass
    assert out == f"AUTH PLAIN {expected}\r\n".encode()
    assert sent(c, b"235 2.7.0 Authentication successful\r\n").startswith(b"MAIL FROM:")
    assert c.authenticated


def test_auth_login_answers_the_two_334_prompts() -> None:
    c = client(TLSPolicy.IMPLICIT, username="alice", password="secret", auth_mechanism="LOGIN")
    assert up_to_mail(c, EHLO_AUTH) == b"AUTH LOGIN\r\n"
    assert sent(c, b"334 VXNlcm5hbWU6\r\n") == base64.b64encode(b"alice") + b"\r\n"
    assert sent(c, b"334 UGFzc3dvcmQ6\r\n") == base64.b64encode(b"secret") + b"\r\n"
    assert sent(c, b"235 2.7.0 ok\r\n").startswith(b"MAIL FROM:")


def test_auth_failure_quits_and_records_535() -> None:
    c = client(TLSPolicy.IMPLICIT, username="alice", password="wrong")
    up_to_mail(c, EHLO_AUTH)
    events, out = step(c, b"535 5.7.8 Authentication credentials invalid\r\n")
    assert out == b"QUIT\r\n"
    [failed] = [e for e in events if isinstance(e, ClientAuthFailed)]
    assert AuthFailed is ClientAuthFailed and failed.reply.code == 535 and c.auth_failed
    assert c.session_failure == SessionFailed("auth", 535, "Authentication credentials invalid", "5.7.8")
    assert c.results == [{}]


def test_no_auth_attempt_when_not_advertised() -> None:
    c = client(username="alice", password="secret")
    assert up_to_mail(c, EHLO_PLAIN).startswith(b"MAIL FROM:")


# --- transactions ---------------------------------------------------------------------------


def test_mail_from_carries_size_only_when_advertised_and_wanted() -> None:
    assert up_to_mail(client()) == b"MAIL FROM:<alice@example.net> SIZE=22\r\n"  # RFC 1870
    assert up_to_mail(client(send_size=False)) == b"MAIL FROM:<alice@example.net>\r\n"
    assert up_to_mail(client(), b"250 mx.example.org\r\n") == b"MAIL FROM:<alice@example.net>\r\n"


def test_null_sender_is_sent_as_angle_brackets() -> None:
    c = client(messages=(OutgoingMessage("", ("bob@example.org",), b"x"),), send_size=False)
    assert up_to_mail(c) == b"MAIL FROM:<>\r\n"


def test_8bit_content_declares_body_8bitmime_when_offered() -> None:
    c = client(messages=(OutgoingMessage("a@example.net", ("b@example.org",), "héllo".encode()),))
    assert up_to_mail(c).endswith(b" BODY=8BITMIME\r\n")


def test_full_transaction_records_rcpt_failures_and_the_data_end_reply() -> None:
    msg = OutgoingMessage("a@example.net", ("b@example.org", "ghost@example.org", "c@example.org"), b"hi\r\n")
    c = client(messages=(msg,), send_size=False)
    up_to_mail(c)
    assert sent(c, b"250 2.1.0 ok\r\n") == b"RCPT TO:<b@example.org>\r\n"
    assert sent(c, b"250 2.1.5 ok\r\n") == b"RCPT TO:<ghost@example.org>\r\n"
    events, out = step(c, b"550 5.1.1 no such user\r\n")
    assert RecipientResult(0, "ghost@example.org", 550, "5.1.1", "no such user") in events
    assert out == b"RCPT TO:<c@example.org>\r\n"
    assert sent(c, b"250 2.1.5 ok\r\n") == b"DATA\r\n"
    events, out = step(c, b"354 go\r\n")
    assert out == b"hi\r\n.\r\n" and DataSent(0, 4) in events
    events, out = step(c, b"250 2.0.0 Ok: queued as X1\r\n")
    assert out == b"QUIT\r\n"
    assert c.results[0] == {
        "b@example.org": (250, "2.0.0", "Ok: queued as X1"),
        "ghost@example.org": (550, "5.1.1", "no such user"),
        "c@example.org": (250, "2.0.0", "Ok: queued as X1"),
    }
    assert MessageResult(0, 250, "2.0.0", "Ok: queued as X1", True) in events
    events, out = step(c, b"221 2.0.0 bye\r\n")
    assert c.closed and c.state is ClientState.CLOSED


def test_all_recipients_refused_means_rset_not_data() -> None:
    c = client(send_size=False)
    up_to_mail(c)
    sent(c, b"250 ok\r\n")
    assert sent(c, b"550 5.7.1 relay denied\r\n") == b"RSET\r\n"
    events, out = step(c, b"250 2.0.0 Ok\r\n")
    assert out == b"QUIT\r\n"
    assert MessageResult(0, 550, "5.7.1", "relay denied", False) in events
    assert c.results[0]["bob@example.org"].is_permanent


def test_mail_refused_fails_every_recipient_and_moves_on() -> None:
    two = (MSG, OutgoingMessage("carol@example.net", ("dave@example.org",), b"x"))
    c = client(messages=two, send_size=False)
    up_to_mail(c)
    out = sent(c, b"451 4.7.1 Greylisted, try later\r\n")
    assert out == b"MAIL FROM:<carol@example.net>\r\n"  # no RSET: no transaction was opened
    assert c.results[0]["bob@example.org"] == (451, "4.7.1", "Greylisted, try later")


def test_data_refused_gives_its_reply_to_accepted_recipients_then_rset() -> None:
    c = client(send_size=False)
    up_to_mail(c)
    sent(c, b"250 ok\r\n")
    sent(c, b"250 ok\r\n")
    assert sent(c, b"554 5.5.1 no thanks\r\n") == b"RSET\r\n"
    assert c.results[0]["bob@example.org"] == (554, "5.5.1", "no thanks")


def test_content_is_sent_with_crlf_and_dot_stuffed() -> None:
    msg = OutgoingMessage("a@example.net", ("b@example.org",), b".start\nmid\r.dot\r\n.\n\nend")
    c = client(messages=(msg,), send_size=False)
    up_to_mail(c)
    sent(c, b"250 ok\r\n")
    sent(c, b"250 ok\r\n")
    # RFC 5321 §2.3.8 (CRLF only) and §4.5.2 (leading dots doubled).
    assert sent(c, b"354 go\r\n") == b"..start\r\nmid\r\n..dot\r\n..\r\n\r\nend\r\n.\r\n"


def test_pipelining_sends_mail_rcpts_and_data_in_one_batch() -> None:
    msg = OutgoingMessage("a@example.net", ("b@example.org", "c@example.org"), b"x\r\n")
    c = client(messages=(msg,), pipelining=True, send_size=False)
    out = up_to_mail(c, EHLO_PIPE)
    assert out == b"MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n"
    events, out = step(c, b"250 ok\r\n550 5.1.1 no\r\n250 ok\r\n354 go\r\n")
    assert out == b"x\r\n.\r\n"
    assert [e.command for e in events if isinstance(e, ReplyReceived)] == ["MAIL", "RCPT", "RCPT", "DATA"]
    sent(c, b"250 2.0.0 queued\r\n")
    assert c.results[0]["b@example.org"].code == 550 and c.results[0]["c@example.org"].delivered


def test_pipelining_is_not_used_unless_advertised() -> None:
    c = client(pipelining=True, send_size=False)
    assert up_to_mail(c, EHLO_PLAIN) == b"MAIL FROM:<alice@example.net>\r\n"


def test_pipelined_354_without_valid_recipients_gets_a_lone_dot() -> None:
    c = client(pipelining=True, send_size=False)
    up_to_mail(c, EHLO_PIPE)
    # RFC 2920 §3.1: "if the DATA command was accepted the client SMTP should send a single dot".
    assert sent(c, b"250 ok\r\n550 5.1.1 no\r\n354 go\r\n") == b".\r\n"
    events, out = step(c, b"554 5.5.1 no valid recipients\r\n")
    assert out == b"QUIT\r\n"
    assert MessageResult(0, 550, "5.1.1", "no", False) in events


def test_pipelined_mail_failure_decides_the_outcome() -> None:
    c = client(pipelining=True, send_size=False)
    up_to_mail(c, EHLO_PIPE)
    events, out = step(c, b"553 5.1.7 bad sender\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n")
    assert out == b"QUIT\r\n"
    assert c.results[0]["bob@example.org"] == (553, "5.1.7", "bad sender")


def test_each_recipient_result_is_emitted_once() -> None:
    c = client(send_size=False)
    up_to_mail(c)
    events = []
    for reply in (b"250 ok\r\n", b"250 ok\r\n", b"354 go\r\n", b"250 2.0.0 done\r\n", b"221 bye\r\n"):
        events += c.receive_data(reply)
    assert [e.address for e in events if isinstance(e, RecipientResult)] == ["bob@example.org"]


def test_connection_lost_gives_451_to_unfinished_recipients() -> None:
    c = client()
    up_to_mail(c)
    events = c.connection_lost()
    assert c.results[0]["bob@example.org"] == (451, "4.4.2", "Connection lost")  # RFC 5321 §3.8
    assert isinstance(events[-1], SessionClosed)


@pytest.mark.parametrize("address", ["a@b.c\r\nRCPT TO:<x@y.z>", "a>b@c.d", ""])
def test_addresses_that_would_inject_commands_are_refused(address: str) -> None:
    with pytest.raises(LocalProtocolError):
        client(messages=(OutgoingMessage("a@example.net", (address,) if address else (), b"x"),))


def test_outcome_is_a_code_enhanced_text_triple() -> None:
    outcome = RecipientOutcome(452, "4.5.3", "Too many recipients")
    code, enhanced, text = outcome
    assert (code, enhanced) == (452, "4.5.3") and outcome.is_transient and not outcome.is_permanent


# --- end to end against SMTPServer ------------------------------------------------------------


def pump(c: SMTPClient, s: SMTPServer) -> tuple[list[Event], list[Event]]:
    """Move bytes both ways until both sides are done; play the TLS handshake."""
    client_events: list[Event] = []
    server_events = s.start()
    for _ in range(100):
        data = s.data_to_send()
        if data:
            client_events += c.receive_data(data)
        if s.state is ServerState.STARTTLS and c.state is ClientState.TLS_HANDSHAKE:
            s.tls_established()
            client_events += c.tls_established()
        data = c.data_to_send()
        if data:
            server_events += s.receive_data(data)
        if c.closed and s.closed:
            return client_events, server_events
    raise AssertionError("the session did not finish")


CONTENT = b"From: alice@example.org\r\nSubject: test\r\n\r\n.a line with a dot\r\n..two\r\n\r\nbye\r\n"


def received(events: list[Event]) -> list[MessageReceived]:
    return [e for e in events if isinstance(e, MessageReceived)]


def test_e2e_msa_starttls_auth_plain_pipelining() -> None:
    s = SMTPServer(SMTPServerConfig("smtp.example.org", Role.MSA), ServerPolicy({"alice": "secret"}))
    msg = OutgoingMessage("alice@example.org", ("bob@example.com", "carol@example.net"), CONTENT)
    c = client(TLSPolicy.REQUIRE_STARTTLS, (msg,), username="alice", password="secret", pipelining=True)
    client_events, server_events = pump(c, s)
    [got] = received(server_events)
    assert got.content == CONTENT
    assert got.envelope.rcpt_to == ("bob@example.com", "carol@example.net")
    assert got.envelope.transmission_type == "ESMTPSA" and got.envelope.mail_params["SIZE"] == str(len(CONTENT))
    assert all(o.delivered for o in c.results[0].values())
    sent_lines = [e.line for e in client_events if isinstance(e, CommandSent)]
    assert sent_lines.index("STARTTLS") < [i for i, ln in enumerate(sent_lines) if ln.startswith("AUTH")][0]


def test_e2e_mta_opportunistic_starttls_pipelining_with_a_refused_recipient() -> None:
    s = SMTPServer(SMTPServerConfig("mx.example.org", Role.MTA, local_domains=frozenset({"example.org"})))
    msgs = (
        OutgoingMessage("a@example.net", ("b@example.org", "x@elsewhere.example"), CONTENT),
        OutgoingMessage("", ("postmaster@example.org",), b"bounce\n"),
    )
    c = client(TLSPolicy.OPPORTUNISTIC, msgs, pipelining=True)
    client_events, server_events = pump(c, s)
    first, second = received(server_events)
    assert first.content == CONTENT and first.envelope.transmission_type == "ESMTPS"
    assert second.envelope.mail_from == "" and second.content == b"bounce\r\n"
    assert c.results[0]["x@elsewhere.example"][:2] == (550, "5.7.1")
    assert c.results[0]["b@example.org"].delivered and c.results[1]["postmaster@example.org"].delivered


def test_e2e_msa_implicit_tls_login_without_pipelining() -> None:
    s = SMTPServer(SMTPServerConfig("smtp.example.org", Role.MSA, implicit_tls=True), ServerPolicy({"bob": "pw"}))
    c = client(TLSPolicy.IMPLICIT, (MSG,), username="bob", password="pw", auth_mechanism="LOGIN")
    _, server_events = pump(c, s)
    assert received(server_events)[0].envelope.auth_user == "bob"


def test_e2e_submission_without_tls_gets_530_and_a_permanent_failure() -> None:
    s = SMTPServer(SMTPServerConfig("smtp.example.org", Role.MSA, starttls_available=False))
    c = client(TLSPolicy.OPPORTUNISTIC, (MSG,), username="alice", password="secret")
    pump(c, s)
    assert c.results[0]["bob@example.org"] == (530, "5.7.0", "Authentication required")


def test_e2e_oversized_message_is_refused_at_mail_from() -> None:
    s = SMTPServer(SMTPServerConfig("mx.example.org", Role.MTA, local_domains=frozenset({"example.org"}),
                                    max_message_size=10))
    c = client(TLSPolicy.NONE, (MSG,))
    _, server_events = pump(c, s)
    assert c.results[0]["bob@example.org"][:2] == (552, "5.3.4") and not received(server_events)


def test_e2e_byte_by_byte_delivery() -> None:
    s = SMTPServer(SMTPServerConfig("mx.example.org", Role.MTA, local_domains=frozenset({"example.org"})))
    c = client(TLSPolicy.OPPORTUNISTIC, (MSG,), pipelining=True)
    server_events = s.start()
    for _ in range(100):
        data = s.data_to_send()
        for i in range(len(data)):
            c.receive_data(data[i:i + 1])
        if s.state is ServerState.STARTTLS and c.state is ClientState.TLS_HANDSHAKE:
            s.tls_established()
            c.tls_established()
        data = c.data_to_send()
        for i in range(len(data)):
            server_events += s.receive_data(data[i:i + 1])
        if c.closed and s.closed:
            break
    assert received(server_events)[0].content == MSG.content
