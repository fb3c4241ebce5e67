"""The SMTP server state machine, one test per rule (RFC 5321, 1870, 2034, 2920).

Expected codes come from the RFC text cited in each test, not from the
implementation's output. STARTTLS and AUTH are in test_smtp_server_tls_auth.py.
"""

from __future__ import annotations

import re

import pytest
from simulator.protocols.common import ShutdownReason
from simulator.protocols.errors import LocalProtocolError
from simulator.protocols.smtp import (
    CommandReceived,
    ConnectionClosed,
    Envelope,
    Hello,
    MailAccepted,
    MessageReceived,
    MessageRejected,
    RecipientAccepted,
    RecipientRejected,
    Reply,
    ReplySent,
    Role,
    ServerPolicy,
    ServerState,
    SMTPServer,
    SMTPServerConfig,
)
from simulator.protocols.smtp import replies as R
# pytest puts tests/protocols on sys.path (rootdir-relative, no __init__.py).
from _smtp_support import (
    HOST,
    events_of,
    greeted,
    in_data,
    last,
    server,
    talk,
)


# --- greeting and EHLO/HELO --------------------------------------------------------------


def test_greeting_is_220_fqdn_without_enhanced_code() -> None:
    s = SMTPServer(SMTPServerConfig(HOST, Role.MTA))
    events = s.start()
    # RFC 5321 §4.2 Greeting = "220 " Domain [SP textstring]; RFC 2034 §3: no enhanced code.
    assert s.data_to_send() == b"220 mx.example.org ESMTP smtpsim\r\n"
    assert events == [ReplySent(R.greeting(HOST), "")]


def test_ehlo_lists_capabilities_hostname_first() -> None:
    s = server()
    lines = talk(s, "EHLO client.example.net")
    assert lines[0] == "250-mx.example.org"
    assert lines[-1].startswith("250 ") and all(ln.startswith("250-") for ln in lines[:-1])
    keywords = [ln[4:] for ln in lines[1:]]
    assert "SIZE 10485760" in keywords
    for kw in ("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS"):
        assert kw in keywords
    assert not any(k.startswith(("CHUNKING", "AUTH")) for k in keywords)


def test_helo_gets_one_line_250_fqdn() -> None:
    assert talk(server(), "HELO client.example.net") == ["250 mx.example.org"]


@pytest.mark.parametrize("verb", ["EHLO", "HELO", "EHLO "])
def test_hello_without_argument_is_501(verb: str) -> None:
    reply = last(server(), verb)
    # RFC 5321 §4.1.4 (501); RFC 2034 §3: no enhanced code on a response to HELO/EHLO.
    assert reply.startswith("501 ") and not re.match(r"501 \d\.", reply)


def test_ehlo_with_invalid_domain_is_501() -> None:
    # RFC 5321 §4.1.2: underscore is not permitted; invalid characters -> 501.
    assert last(server(), "EHLO bad_name.example").startswith("501 ")


@pytest.mark.parametrize("name", ["[192.0.2.1]", "[IPv6:2001:db8::1]", "client"])
def test_ehlo_accepts_domain_or_address_literal(name: str) -> None:
    assert last(server(), f"EHLO {name}").startswith("250 ")


def test_failed_ehlo_keeps_state() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>")
    assert last(s, "EHLO").startswith("501 ")
    # RFC 5321 §4.1.4: "MUST stay in the same state": the transaction is still open.
    assert last(s, "RCPT TO:<b@example.org>").startswith("250 ")


def test_new_ehlo_resets_the_transaction() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>")
    assert last(s, "EHLO client.example.net").startswith("250 ")
    assert s.envelope.mail_from is None and s.envelope.rcpt_to == ()
    assert last(s, "RCPT TO:<b@example.org>").startswith("503 5.5.1")


def test_hello_event() -> None:
    s = server()
    assert events_of(s, b"EHLO c.example\r\n", Hello) == [Hello("EHLO", "c.example")]


# --- sequencing and syntax ----------------------------------------------------------------


@pytest.mark.parametrize("line", ["MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>", "DATA"])
def test_mail_rcpt_data_before_ehlo_is_503_5_5_1(line: str) -> None:
    assert last(server(), line).startswith("503 5.5.1 ")  # RFC 5321 §4.1.4


def test_rcpt_before_mail_is_503_5_5_1() -> None:
    assert last(greeted(), "RCPT TO:<b@example.org>").startswith("503 5.5.1 ")  # §3.3 MUST


def test_data_before_a_good_rcpt_is_503_5_5_1() -> None:
    s = greeted()
    assert last(s, "DATA").startswith("503 5.5.1 ")
    talk(s, "MAIL FROM:<a@example.net>")
    assert last(s, "DATA").startswith("503 5.5.1 ")
    assert last(s, "RCPT TO:<x@elsewhere.example>").startswith("550 ")
    assert last(s, "DATA").startswith("503 5.5.1 ")


def test_second_mail_is_503_5_5_1() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>")
    assert last(s, "MAIL FROM:<c@example.net>").startswith("503 5.5.1 ")  # §4.1.4


@pytest.mark.parametrize("line", [b"FOO bar", b"", b"\xff\xfe\x00garbage", b"MAIL\tFROM:<a@b.c>", "ÉHLO x".encode()])
def test_unknown_empty_or_garbage_command_is_500_5_5_2_and_session_goes_on(line: bytes) -> None:
    s = greeted()
    assert last(s, line).startswith("500 5.5.2 ")  # §4.2.4: not recognized -> 500
    assert last(s, "NOOP") == "250 2.0.0 Ok"
    assert not s.closed


@pytest.mark.parametrize(
    "line",
    ["MAIL FROM: <a@example.net>", "MAIL FROM <a@example.net>", "MAIL TO:<a@example.net>", "MAIL", "MAIL FROM:a@example.net"],
)
def test_malformed_mail_is_501(line: str) -> None:
    # RFC 5321 §3.3: no spaces around the colon; the argument must be a <path>.
    assert last(greeted(), line).startswith("501 5.")


@pytest.mark.parametrize("addr", ["<a@bad_domain.example>", "<a..b@example.net>", "<@example.net>", "<a@>", "<a b@c.d>", "<ü@example.net>"])
def test_bad_sender_address_is_501_5_1_7(addr: str) -> None:
    assert last(greeted(), f"MAIL FROM:{addr}").startswith("501 5.1.7 ")  # RFC 3463 X.1.7


@pytest.mark.parametrize("addr", ["<>", "<b@bad_domain.example>", "<b@example.org", "<b.@example.org>"])
def test_bad_recipient_address_is_501_5_1_3(addr: str) -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>")
    assert last(s, f"RCPT TO:{addr}").startswith("501 5.1.3 ")  # RFC 3463 X.1.3


def test_path_over_256_octets_is_501() -> None:
    s = greeted()
    long_path = "<" + "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".example>"
    assert len(long_path) > 256
    assert last(s, f"MAIL FROM:{long_path}").startswith("501 ")  # §4.5.3.1.3, §4.5.3.1.9


def test_unknown_mail_parameter_is_555_5_5_4() -> None:
    assert last(greeted(), "MAIL FROM:<a@example.net> FOO=bar").startswith("555 5.5.4 ")  # §4.1.1.11


def test_unknown_rcpt_parameter_is_555_5_5_4() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>")
    # No DSN here: NOTIFY is not advertised, so not recognized.
    assert last(s, "RCPT TO:<b@example.org> NOTIFY=NEVER").startswith("555 5.5.4 ")


def test_mail_parameters_after_helo_are_555() -> None:
    s = server()
    talk(s, "HELO client.example.net")
    # RFC 5321 §2.2: parameters belong to extensions, and HELO negotiates none.
    assert last(s, "MAIL FROM:<a@example.net> SIZE=100").startswith("555 5.5.4 ")


def test_known_mail_parameters_are_accepted_and_kept() -> None:
    s = greeted()
    assert last(s, "MAIL FROM:<a@example.net> SIZE=100 BODY=8BITMIME").startswith("250 2.1.0 ")
    assert dict(s.envelope.mail_params) == {"SIZE": "100", "BODY": "8BITMIME"}


def test_null_sender_is_accepted() -> None:
    s = greeted()
    assert events_of(s, b"MAIL FROM:<>\r\n", MailAccepted) == [MailAccepted("")]  # §4.1.2 "<>"
    assert s.data_to_send() == b"250 2.1.0 Sender ok\r\n"
    assert s.envelope.mail_from == ""


def test_rcpt_postmaster_is_accepted_even_without_a_local_domain() -> None:
    s = greeted(local_domains=frozenset())
    talk(s, "MAIL FROM:<a@example.net>")
    assert last(s, "RCPT TO:<Postmaster>").startswith("250 2.1.5 ")  # §4.1.1.3, case-insensitive
    assert s.envelope.rcpt_to == ("Postmaster",)


def test_source_route_is_tolerated_and_ignored() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<@relay.example,@hop.example:a@example.net>")
    assert s.envelope.mail_from == "a@example.net"  # §4.1.2 A-d-l MUST be accepted
    assert last(s, "RCPT TO:<@relay.example:b@example.org>").startswith("250 ")
    assert s.envelope.rcpt_to == ("b@example.org",)


def test_quoted_local_part_is_accepted() -> None:
    s = greeted()
    assert last(s, 'MAIL FROM:<"john doe"@example.net>').startswith("250 ")
    assert s.envelope.mail_from == '"john doe"@example.net'


def test_verbs_are_case_insensitive() -> None:
    s = server()
    assert last(s, "ehlo client.example.net").startswith("250 ")
    assert last(s, "mail from:<a@example.net>").startswith("250 ")


def test_noop_is_250_and_ignores_its_argument() -> None:
    s = greeted()
    assert talk(s, "NOOP", "NOOP anything at all") == ["250 2.0.0 Ok", "250 2.0.0 Ok"]  # §4.1.1.9


@pytest.mark.parametrize("verb", ["RSET", "QUIT"])
def test_rset_and_quit_with_an_argument_are_501(verb: str) -> None:
    s = greeted()
    assert last(s, f"{verb} now").startswith("501 5.5.4 ")  # §4.3.2
    assert not s.closed


def test_data_with_an_argument_is_501() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>")
    assert last(s, "DATA now").startswith("501 5.5.4 ")


def test_rset_is_250_and_aborts_the_transaction() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>")
    assert last(s, "RSET") == "250 2.0.0 Ok"  # §4.1.1.5
    assert s.state is ServerState.READY and s.envelope.mail_from is None
    assert last(s, "MAIL FROM:<a@example.net>").startswith("250 ")


def test_rset_before_ehlo_is_250_and_needs_no_ehlo() -> None:
    s = server()
    assert last(s, "RSET") == "250 2.0.0 Ok"  # §4.1.4: usable without initialization
    assert last(s, "MAIL FROM:<a@example.net>").startswith("503 ")


def test_vrfy_is_252() -> None:
    assert last(server(), "VRFY someone").startswith("252 2.0.0 ")  # §3.5.3


def test_vrfy_without_argument_is_501() -> None:
    assert last(server(), "VRFY").startswith("501 ")


def test_expn_is_502() -> None:
    assert last(greeted(), "EXPN staff").startswith("502 5.5.1 ")  # §4.2.4: recognized, not implemented


def test_help_is_214() -> None:
    lines = talk(greeted(), "HELP")
    assert lines[-1].startswith("214 2.0.0 ") and all(ln.startswith("214") for ln in lines)


def test_quit_is_221_and_closes() -> None:
    s = greeted()
    events = s.receive_data(b"QUIT\r\nNOOP\r\n")
    assert s.data_to_send() == b"221 2.0.0 mx.example.org Service closing transmission channel\r\n"
    assert s.closed and isinstance(events[-1], ConnectionClosed)
    assert s.receive_data(b"NOOP\r\n") == [] and s.data_to_send() == b""


def test_mta_refuses_relaying_550_5_7_1() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>")
    events = s.receive_data(b"RCPT TO:<b@elsewhere.example>\r\n")
    assert s.data_to_send().startswith(b"550 5.7.1 ")
    assert RecipientRejected("b@elsewhere.example", R.RELAY_DENIED) in events


def test_mta_accepts_its_local_domains_case_insensitively() -> None:
    s = greeted(local_domains=frozenset({"Example.ORG"}))
    talk(s, "MAIL FROM:<a@example.net>")
    assert events_of(s, b"RCPT TO:<Bob@EXAMPLE.org>\r\n", RecipientAccepted) == [RecipientAccepted("Bob@EXAMPLE.org")]
    assert s.data_to_send() == b"250 2.1.5 Recipient ok\r\n"


def test_at_least_100_recipients_then_452_4_5_3() -> None:
    s = greeted()
    lines = talk(s, "MAIL FROM:<a@example.net>", *[f"RCPT TO:<u{i}@example.org>" for i in range(101)])
    assert all(ln.startswith("250 ") for ln in lines[:101])  # §4.5.3.1.8: at least 100 buffered
    assert lines[101].startswith("452 4.5.3 ")  # §4.5.3.1.10: 452, not 552
    assert len(s.envelope.rcpt_to) == 100


def test_policy_decides_sender_recipient_and_message() -> None:
    class Picky(ServerPolicy):
        def check_sender(self, envelope: Envelope, address: str) -> Reply | None:
            return R.NULL_MX_SENDER if address.endswith("@nomail.example") else None

        def check_recipient(self, envelope: Envelope, address: str) -> Reply | None:
            return R.USER_UNKNOWN if address.startswith("ghost@") else None

        def accept_message(self, envelope: Envelope, content: bytes) -> Reply:
            return R.MAILBOX_FULL

    s = server(policy=Picky())
    talk(s, "EHLO c.example")
    assert last(s, "MAIL FROM:<x@nomail.example>").startswith("550 5.7.27 ")
    talk(s, "MAIL FROM:<a@example.net>")
    assert last(s, "RCPT TO:<ghost@example.org>").startswith("550 5.1.1 ")
    talk(s, "RCPT TO:<bob@example.org>", "DATA")
    events = events_of(s, b"hi\r\n.\r\n", MessageReceived)
    assert events[0].reply == R.MAILBOX_FULL and s.data_to_send().startswith(b"552 5.2.2 ")


def test_command_received_precedes_each_reply() -> None:
    s = greeted()
    events = s.receive_data(b"NOOP\r\nBOGUS\r\n")
    kinds = [type(e) for e in events]
    assert kinds == [CommandReceived, ReplySent, CommandReceived, ReplySent]
    assert events[2] == CommandReceived("BOGUS", b"BOGUS")


# --- limits -------------------------------------------------------------------------------------


def test_command_line_of_512_octets_is_accepted_and_513_is_500() -> None:
    s = greeted()
    ok = "NOOP " + "x" * (512 - 2 - 5)  # 512 octets with CRLF (§4.5.3.1.4)
    assert last(s, ok) == "250 2.0.0 Ok"
    assert last(s, ok + "x").startswith("500 5.5.2 ")  # §4.3.2: "command line too long" -> 500


def test_a_megabyte_of_junk_is_survived_with_bounded_memory() -> None:
    s = greeted()
    for _ in range(16):
        s.receive_data(b"A" * 65536)  # no newline at all
        assert s._lines.pending <= 512
    assert talk(s, "") == ["500 5.5.2 Line too long"]  # one reply when the line ends
    junk = bytes(range(256)) * 4096  # a megabyte with LFs and CRs in it
    s.receive_data(junk + b"\r\n")
    replies = s.data_to_send().split(b"\r\n")[:-1]
    # 20 errors in all (Postfix's smtpd_hard_error_limit), then 421 and the end.
    assert len(replies) == 20 and all(r[:1] == b"5" for r in replies[:-1])
    assert replies[-1].startswith(b"421 4.7.0 ") and s.closed


def test_text_line_over_1000_octets_is_500_after_the_end_of_data() -> None:
    s = in_data()
    events = s.receive_data(b"x" * 999 + b"\r\n")  # 1001 octets with CRLF (§4.5.3.1.6)
    assert s.data_to_send() == b""  # nothing until the end of data
    events = s.receive_data(b".\r\n")
    assert s.data_to_send().startswith(b"500 5.5.2 ")
    assert not any(isinstance(e, MessageReceived) for e in events)
    assert any(isinstance(e, MessageRejected) for e in events)


def test_text_line_of_1000_octets_and_a_stuffed_1001_are_accepted() -> None:
    s = in_data()
    s.receive_data(b"x" * 998 + b"\r\n" + b"." + b"y" * 998 + b"\r\n.\r\n")
    assert s.data_to_send().startswith(b"250 ")  # the stuffed dot does not count


def test_size_is_advertised_and_a_bigger_size_parameter_is_552_5_3_4() -> None:
    s = server(max_message_size=1000)
    assert "250-SIZE 1000" in talk(s, "EHLO client.example.net")
    assert last(s, "MAIL FROM:<a@example.net> SIZE=1001").startswith("552 5.3.4 ")  # RFC 1870
    assert last(s, "MAIL FROM:<a@example.net> SIZE=1000").startswith("250 ")


@pytest.mark.parametrize("param", ["SIZE=", "SIZE", "SIZE=12a", "SIZE=" + "9" * 21])
def test_bad_size_parameter_is_501(param: str) -> None:
    assert last(greeted(), f"MAIL FROM:<a@example.net> {param}").startswith("501 5.5.4 ")


def test_body_over_the_limit_is_552_5_3_4_after_the_final_dot() -> None:
    s = in_data(greeted(max_message_size=10_000))
    line = b"z" * 98 + b"\r\n"
    for _ in range(1000):  # 100 kB against a 10 kB limit
        s.receive_data(line)
    assert s._content is not None and sum(map(len, s._content.parts)) == 0  # excess not kept
    s.receive_data(b".\r\n")
    assert s.data_to_send().startswith(b"552 5.3.4 ")


# --- DATA ---------------------------------------------------------------------------------------


def test_data_is_answered_354() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>")
    assert talk(s, "DATA") == ["354 End data with <CR><LF>.<CR><LF>"]  # §4.2.2, no enhanced (3xx)


def test_message_content_is_unstuffed_crlf_without_the_final_dot() -> None:
    s = in_data()
    [event] = events_of(s, b"Subject: x\r\n\r\n..leading dot\r\n.\r\n", MessageReceived)
    assert event.content == b"Subject: x\r\n\r\n.leading dot\r\n"  # §4.5.2
    assert event.envelope.rcpt_to == ("b@example.org",) and event.envelope.mail_from == "a@example.net"
    assert s.data_to_send().startswith(b"250 2.0.0 Ok: queued as ")


def test_empty_message_ends_at_the_first_dot() -> None:
    s = in_data()
    [event] = events_of(s, b".\r\n", MessageReceived)
    assert event.content == b""


def test_end_of_data_resets_the_transaction() -> None:
    s = in_data()
    s.receive_data(b"hi\r\n.\r\n")
    s.data_to_send()
    assert s.state is ServerState.READY and s.envelope.rcpt_to == ()
    assert last(s, "MAIL FROM:<a@example.net>").startswith("250 ")  # no RSET needed


SMUGGLED = b"MAIL FROM:<admin@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nspoofed\r\n"


@pytest.mark.parametrize("fake_end", [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r", b"\r.\r\n"])
def test_only_crlf_dot_crlf_ends_the_data(fake_end: bytes) -> None:
    s = in_data()
    # SMTP smuggling (2023): a fake end of data followed by a second, spoofed message.
    events = s.receive_data(b"Subject: real\r\n\r\nbody" + fake_end + SMUGGLED)
    assert s.data_to_send() == b"" and s.state is ServerState.DATA
    assert not any(isinstance(e, (CommandReceived, MailAccepted)) for e in events)
    events = s.receive_data(b".\r\n")
    # The whole thing is one message with a bare CR or LF in it: refused after the dot.
    assert s.data_to_send().startswith(b"550 5.5.2 Error: bare <")
    assert [type(e) for e in events if isinstance(e, (MessageReceived, MessageRejected))] == [MessageRejected]


def test_message_with_bare_lf_is_refused_saying_why() -> None:
    s = in_data()
    s.receive_data(b"line one\nline two\r\n.\r\n")
    assert s.data_to_send() == b"550 5.5.2 Error: bare <LF> received\r\n"


def test_message_with_bare_cr_is_refused_saying_why() -> None:
    s = in_data()
    s.receive_data(b"line one\rline two\r\n.\r\n")
    assert s.data_to_send() == b"550 5.5.2 Error: bare <CR> received\r\n"


def test_command_ending_in_bare_lf_is_500_and_not_executed() -> None:
    s = greeted()
    events = s.receive_data(b"MAIL FROM:<a@example.net>\n")
    assert s.data_to_send().startswith(b"500 5.5.2 ")  # RFC 5321 §2.3.8
    assert not any(isinstance(e, MailAccepted) for e in events)


def test_pipelined_batch_gets_its_replies_in_order() -> None:
    s = greeted()
    lines = talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>", "RCPT TO:<x@far.example>",
                 "RCPT TO:<c@example.org>", "DATA")
    # RFC 2920 §3.2 (1): respond in the order received.
    assert [ln[:9] for ln in lines] == ["250 2.1.0", "250 2.1.5", "550 5.7.1", "250 2.1.5", "354 End d"]


# --- ENHANCEDSTATUSCODES (RFC 2034) ------------------------------------------------------------


def _check_enhanced(lines: list[str]) -> None:
    for line in lines:
        code = line[:3]
        if code[0] in "245":
            assert re.match(rf"{code}[ -]{code[0]}\.\d{{1,3}}\.\d{{1,3}} ", line), line


def test_every_reply_after_ehlo_carries_a_same_class_enhanced_code() -> None:
    s = greeted()
    lines = talk(s, "NOOP", "VRFY x", "EXPN y", "HELP", "BOGUS", "RCPT TO:<b@example.org>",
                 "MAIL FROM:<a@example.net> FOO=1", "MAIL FROM:<a@example.net>", "RCPT TO:<b@far.example>",
                 "RCPT TO:<b@example.org>", "DATA")
    lines += talk(s, "text", ".", "RSET", "STARTTLS x", "AUTH PLAIN", "QUIT")
    assert len(lines) == 17
    _check_enhanced(lines)


def test_enhanced_codes_also_follow_helo_as_rfc_2034_requires() -> None:
    # RFC 2034 §4: "attach enhanced status codes ... regardless of whether or not EHLO is employed".
    s = server()
    assert talk(s, "HELO c.example") == ["250 mx.example.org"]  # but not on the HELO reply (§3)
    lines = talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>", "DATA", "x", ".")
    _check_enhanced(lines)
    assert lines[0] == "250 2.1.0 Sender ok"


def test_reply_sent_event_is_exactly_what_went_on_the_wire() -> None:
    s = greeted()
    events = s.receive_data(b"NOOP\r\nMAIL FROM:<>\r\nFOO\r\n")
    sent = [e.reply.to_bytes() for e in events if isinstance(e, ReplySent)]
    assert b"".join(sent) == s.data_to_send()
    assert [e.command for e in events if isinstance(e, ReplySent)] == ["NOOP", "MAIL", "FOO"]


# --- 421 and 554 greetings ---------------------------------------------------------------------


def test_421_greeting_is_sent_and_closes() -> None:
    s = SMTPServer(SMTPServerConfig(HOST, Role.MTA))
    events = s.start(ShutdownReason.SERVICE_UNAVAILABLE)
    # RFC 5321 §3.8 / §4.2: 421 <domain> ..., then close; no enhanced code on a greeting.
    assert s.data_to_send() == b"421 mx.example.org Service not available, closing transmission channel\r\n"
    assert s.closed and isinstance(events[-1], ConnectionClosed)


def test_554_greeting_answers_503_until_quit() -> None:
    s = SMTPServer(SMTPServerConfig(HOST, Role.MTA))
    s.start(greeting=Reply(554, None, "No SMTP service here"))
    assert s.data_to_send() == b"554 mx.example.org No SMTP service here\r\n"
    # RFC 5321 §3.1: MUST wait for QUIT, SHOULD answer 503 meanwhile.
    assert [ln[:3] for ln in talk(s, "EHLO c.example", "MAIL FROM:<a@b.example>", "NOOP")] == ["503"] * 3
    assert last(s, "QUIT").startswith("221 ") and s.closed


def test_shutdown_sends_421_at_any_time() -> None:
    s = in_data()
    events = s.shutdown(ShutdownReason.SERVER_STOPPING)
    assert s.data_to_send().startswith(b"421 4.3.2 mx.example.org ") and s.closed
    assert isinstance(events[-1], ConnectionClosed)


def test_start_twice_and_receive_before_start_raise() -> None:
    s = SMTPServer(SMTPServerConfig(HOST, Role.MTA))
    with pytest.raises(LocalProtocolError):
        s.receive_data(b"EHLO x\r\n")
    s.start()
    with pytest.raises(LocalProtocolError):
        s.start()


def test_require_auth_defaults_by_role() -> None:
    assert SMTPServerConfig(HOST, Role.MSA).require_auth is True
    assert SMTPServerConfig(HOST, Role.MTA).require_auth is False


def test_text_line_of_1000_characters_plus_crlf_is_line_too_long_not_bare_cr() -> None:
    # 1002 octets with CRLF: too long (RFC 5321 §4.5.3.1.6); its CR belongs to the CRLF, so it is no bare CR.
    s = in_data()
    s.receive_data(b"x" * 1000 + b"\r\n.\r\n")
    assert s.data_to_send().startswith(b"500 5.5.2 Line too long")


def test_20_errors_without_a_delivered_message_get_421_and_the_end() -> None:
    s = greeted()
    for _ in range(10):
        assert last(s, "BOGUS").startswith("500 ")
    assert not s.slowed  # Postfix's soft limit: up to 10 errors at full speed
    assert last(s, "BOGUS").startswith("500 ") and s.slowed
    replies = talk(s, *["BOGUS"] * 9)
    assert replies[-1].startswith("421 4.7.0 ") and "too many errors" in replies[-1] and s.closed
    assert [r[:3] for r in replies] == ["500"] * 9 + ["421"]


def test_a_delivered_message_resets_the_error_count() -> None:
    s = greeted()
    talk(s, *["BOGUS"] * 19)
    assert [r[:3] for r in talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>", "DATA")] == ["250", "250", "354"]
    assert last(s, "Subject: x\r\n\r\nhi\r\n.").startswith("250 ")
    assert all(r.startswith("500 ") for r in talk(s, *["BOGUS"] * 19)) and not s.closed


def test_past_100_noops_each_counts_as_an_error() -> None:
    s = greeted()
    assert all(r.startswith("250 ") for r in talk(s, *["NOOP"] * 100))  # Postfix's smtpd_junk_command_limit
    replies = talk(s, *["NOOP"] * 20)
    assert replies[-1].startswith("421 4.7.0 ") and s.closed
