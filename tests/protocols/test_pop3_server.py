"""POP3 server rules, each checked against RFC 1939 (CAPA: RFC 2449; STLS:
RFC 2595). Expected lines follow the RFCs' formats and examples."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.protocols.errors import LocalProtocolError, ProtocolError
from simulator.protocols.mailstore import MailStore
from simulator.protocols.pop3 import (
    CommandReceived,
    ConnectionClosed,
    InvalidCommand,
    LoginFailed,
    LoginSucceeded,
    MaildropUpdated,
    MessageRetrieved,
    POP3Server,
    POP3ServerConfig,
    POP3State,
    StartTLSRequested,
)
from simulator.protocols.pop3.server import MAX_LINE

HOST = "mail.example.org"
DATE = "28-Nov-2026 17:31:00 +0000"
MSG1 = b"From: bob@example.org\r\nSubject: One\r\n\r\nFirst line.\r\n"
MSG2 = b"Subject: Two\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\nend\r\n"


def make_server(
    messages: tuple[bytes, ...] = (MSG1, MSG2), greeted: bool = True, **config: bool
) -> POP3Server:
    store = MailStore()
    store.add_account("alice", "wonder land")
    for content in messages:
        store.deliver("alice", content, DATE)
    server = POP3Server(POP3ServerConfig(HOST, **config), store)
    server.start()
    if greeted:
        server.data_to_send()
    return server


def talk(server: POP3Server, data: bytes) -> bytes:
    server.receive_data(data)
    return server.data_to_send()


def logged_in(**kwargs) -> POP3Server:
    server = make_server(implicit_tls=True, **kwargs)
    talk(server, b"USER alice\r\n")
    assert talk(server, b"PASS wonder land\r\n").startswith(b"+OK")
    return server


# --- greeting, CAPA, STLS ----------------------------------------------------------


def test_greeting_is_positive() -> None:
    server = POP3Server(POP3ServerConfig(HOST), MailStore())
    server.start()
    # Section 4: the greeting can be any positive response.
    assert server.data_to_send() == b"+OK mail.example.org POP3 ready\r\n"
    assert server.state is POP3State.AUTHORIZATION


def test_capa_before_tls_lists_user_stls_uidl_top() -> None:
    reply = talk(make_server(), b"CAPA\r\n")
    lines = reply.split(b"\r\n")
    # RFC 2449 section 5: +OK, one capability per line, "." to end.
    assert lines[0].startswith(b"+OK") and reply.endswith(b"\r\n.\r\n")
    assert {b"USER", b"STLS", b"UIDL", b"TOP"} <= set(lines[1:-2])


def test_capa_after_tls_has_no_stls() -> None:
    server = make_server()
    talk(server, b"STLS\r\n")
    server.tls_established()
    assert b"STLS" not in talk(server, b"CAPA\r\n").split(b"\r\n")


def test_stls_begins_tls_negotiation() -> None:
    server = make_server()
    events = server.receive_data(b"STLS\r\n")
    assert server.data_to_send() == b"+OK Begin TLS negotiation\r\n"  # RFC 2595 section 4
    assert StartTLSRequested() in events


def test_stls_discards_pipelined_bytes() -> None:
    server = make_server(login_requires_tls=False)
    assert talk(server, b"STLS\r\nUSER alice\r\nPASS wonder land\r\n") == (
        b"+OK Begin TLS negotiation\r\n"
    )
    assert server.receive_data(b"USER alice\r\n") == []
    server.tls_established()
    assert talk(server, b"PASS wonder land\r\n").startswith(b"-ERR")  # no USER survived
    assert server.state is POP3State.AUTHORIZATION


def test_stls_when_tls_active_is_err() -> None:
    # RFC 2595 section 4 example.
    assert talk(make_server(implicit_tls=True), b"STLS\r\n") == (
        b"-ERR Command not permitted when TLS active\r\n"
    )


def test_stls_in_transaction_state_is_err() -> None:
    assert talk(logged_in(), b"STLS\r\n").startswith(b"-ERR")  # AUTHORIZATION only


def test_tls_established_without_stls_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        make_server().tls_established()


# --- USER / PASS ---------------------------------------------------------------------


def test_pass_before_user_is_err() -> None:
    assert talk(make_server(implicit_tls=True), b"PASS wonder land\r\n").startswith(b"-ERR")


def test_user_before_tls_when_required_is_err() -> None:
    server = make_server()
    events = server.receive_data(b"USER alice\r\n")
    assert server.data_to_send().startswith(b"-ERR ")
    assert any(isinstance(e, LoginFailed) for e in events)


def test_user_and_pass_open_the_maildrop() -> None:
    server = make_server(implicit_tls=True)
    assert talk(server, b"USER alice\r\n").startswith(b"+OK")
    events = server.receive_data(b"PASS wonder land\r\n")  # spaces belong to the password
    assert server.data_to_send().startswith(b"+OK ")
    assert LoginSucceeded("alice") in events
    assert server.state is POP3State.TRANSACTION


def test_wrong_password_is_err_and_stays_in_authorization() -> None:
    server = make_server(implicit_tls=True)
    talk(server, b"USER alice\r\n")
    events = server.receive_data(b"PASS rabbit\r\n")
    assert server.data_to_send().startswith(b"-ERR ")
    assert any(isinstance(e, LoginFailed) for e in events)
    assert server.state is POP3State.AUTHORIZATION


def test_pass_not_right_after_user_is_err() -> None:
    server = make_server(implicit_tls=True)
    talk(server, b"USER alice\r\n")
    talk(server, b"CAPA\r\n")
    assert talk(server, b"PASS wonder land\r\n").startswith(b"-ERR")


def test_plaintext_login_allowed_when_not_required() -> None:
    server = make_server(login_requires_tls=False)
    talk(server, b"USER alice\r\n")
    assert talk(server, b"PASS wonder land\r\n").startswith(b"+OK")


# --- TRANSACTION commands --------------------------------------------------------------


def test_stat_reports_count_and_size() -> None:
    # Section 5: "+OK" SP count SP size, e.g. "+OK 2 320".
    assert talk(logged_in(), b"STAT\r\n") == b"+OK 2 %d\r\n" % (len(MSG1) + len(MSG2))


def test_list_without_argument_is_multiline_scan_listing() -> None:
    reply = talk(logged_in(), b"LIST\r\n")
    assert re.fullmatch(rb"\+OK[^\r\n]*\r\n1 %d\r\n2 %d\r\n\.\r\n" % (len(MSG1), len(MSG2)), reply)


def test_list_with_argument_is_single_scan_listing() -> None:
    server = logged_in()
    assert talk(server, b"LIST 2\r\n") == b"+OK 2 %d\r\n" % len(MSG2)
    assert talk(server, b"LIST 3\r\n").startswith(b"-ERR ")


def test_retr_sends_dot_stuffed_message_and_terminator() -> None:
    server = logged_in()
    events = server.receive_data(b"RETR 2\r\n")
    stuffed = b"Subject: Two\r\n\r\n..starts with a dot\r\n...two dots\r\n..\r\nend\r\n"
    assert server.data_to_send() == b"+OK %d octets\r\n%s.\r\n" % (len(MSG2), stuffed)
    assert MessageRetrieved(2, MSG2) in events


def test_retr_of_message_without_final_crlf_still_terminates() -> None:
    server = logged_in(messages=(b"Subject: x\r\n\r\nno newline",))
    assert talk(server, b"RETR 1\r\n").endswith(b"no newline\r\n.\r\n")


def test_retr_of_missing_or_bad_number_is_err() -> None:
    server = logged_in()
    for line in (b"RETR 3\r\n", b"RETR 0\r\n", b"RETR x\r\n", b"RETR\r\n", b"RETR -1\r\n"):
        assert talk(server, line).startswith(b"-ERR ")


def test_dele_marks_and_retr_of_deleted_message_is_err() -> None:
    server = logged_in()
    assert talk(server, b"DELE 1\r\n") == b"+OK message 1 deleted\r\n"  # section 5 example
    assert talk(server, b"RETR 1\r\n").startswith(b"-ERR ")
    assert talk(server, b"DELE 1\r\n") == b"-ERR message 1 already deleted\r\n"
    assert talk(server, b"STAT\r\n") == b"+OK 1 %d\r\n" % len(MSG2)  # deleted not counted
    assert b"\r\n1 " not in talk(server, b"LIST\r\n")  # nor listed


def test_rset_unmarks_deleted_messages() -> None:
    server = logged_in()
    talk(server, b"DELE 1\r\n")
    assert talk(server, b"RSET\r\n").startswith(b"+OK")
    assert talk(server, b"STAT\r\n").startswith(b"+OK 2 ")


def test_noop_is_positive() -> None:
    assert talk(logged_in(), b"NOOP\r\n") == b"+OK\r\n"


def test_top_sends_headers_blank_line_and_n_body_lines() -> None:
    server = logged_in()
    reply = talk(server, b"TOP 2 1\r\n")
    assert reply.split(b"\r\n", 1)[1] == b"Subject: Two\r\n\r\n..starts with a dot\r\n.\r\n"
    assert talk(server, b"TOP 1 99\r\n").split(b"\r\n", 1)[1] == MSG1 + b".\r\n"


def test_uidl_lists_unique_ids() -> None:
    reply = talk(logged_in(), b"UIDL\r\n")
    # Section 7: unique-id is 1 to 70 characters in 0x21-0x7E.
    assert re.fullmatch(
        rb"\+OK[^\r\n]*\r\n1 [\x21-\x7e]{1,70}\r\n2 [\x21-\x7e]{1,70}\r\n\.\r\n", reply
    )


def test_transaction_commands_before_login_are_err() -> None:
    server = make_server(implicit_tls=True)
    for line in (b"STAT\r\n", b"LIST\r\n", b"RETR 1\r\n", b"NOOP\r\n"):
        assert talk(server, line).startswith(b"-ERR ")


# --- QUIT and UPDATE (section 6) --------------------------------------------------------


def test_quit_in_transaction_enters_update_and_expunges_deleted() -> None:
    server = logged_in()
    talk(server, b"DELE 1\r\n")
    events = server.receive_data(b"QUIT\r\n")
    assert re.fullmatch(rb"\+OK [^\r\n]*signing off[^\r\n]*\r\n", server.data_to_send())
    assert server.store.mailbox("alice").messages[0].content == MSG2
    assert MaildropUpdated(1, 1) in events and ConnectionClosed() in events
    assert server.closed and server.state is POP3State.CLOSED


def test_quit_in_authorization_does_not_enter_update() -> None:
    server = make_server()
    assert talk(server, b"QUIT\r\n").startswith(b"+OK")
    assert server.closed and len(server.store.mailbox("alice").messages) == 2


def test_eof_without_quit_removes_nothing() -> None:
    server = logged_in()
    talk(server, b"DELE 1\r\n")
    assert server.receive_data(b"") == [ConnectionClosed()]
    assert len(server.store.mailbox("alice").messages) == 2


# --- errors ---------------------------------------------------------------------------


def test_unknown_command_is_err() -> None:
    server = make_server()
    events = server.receive_data(b"HELO there\r\n")
    assert server.data_to_send().startswith(b"-ERR ")
    assert isinstance(events[0], InvalidCommand)


def test_arguments_to_commands_that_take_none_are_err() -> None:
    server = logged_in()
    for line in (b"STAT 1\r\n", b"NOOP x\r\n", b"RSET now\r\n", b"QUIT please\r\n"):
        assert talk(server, line).startswith(b"-ERR ")  # section 3: syntactically invalid
    assert not server.closed


def test_commands_are_case_insensitive() -> None:
    server = make_server()
    events = server.receive_data(b"capa\r\n")
    assert server.data_to_send().startswith(b"+OK")
    assert events[0] == CommandReceived("CAPA", "", "capa")


def test_overlong_line_is_err() -> None:
    server = make_server()
    reply = talk(server, b"USER " + b"a" * MAX_LINE + b"\r\nCAPA\r\n")
    assert reply.startswith(b"-ERR Command line too long\r\n+OK")


def test_megabyte_of_junk_is_survived_without_unbounded_buffering() -> None:
    server = make_server()
    replies = b""
    for _ in range(256):
        replies += talk(server, b"J" * 4096)
        assert len(server._buffer) <= MAX_LINE + 4096
    replies += talk(server, b"\r\nCAPA\r\n")
    assert replies.count(b"-ERR") == 1 and replies.endswith(b".\r\n")


def test_receive_before_start_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        POP3Server(POP3ServerConfig(HOST), MailStore()).receive_data(b"CAPA\r\n")


# --- properties --------------------------------------------------------------------------

_VOCABULARY = [
    b"CAPA", b"USER alice", b"PASS wonder land", b"PASS x", b"STAT", b"LIST", b"LIST 1", b"LIST 9",
    b"RETR 1", b"RETR 2", b"DELE 1", b"RSET", b"NOOP", b"TOP 2 1", b"UIDL", b"UIDL 2", b"STLS",
    b"QUIT", b"HELO", b"", b".", b"\xff\x00", b"RETR", b"user alice",
]  # fmt: skip
_MULTILINE_WITHOUT_ARG = {"CAPA", "LIST", "UIDL"}
_MULTILINE = {"RETR", "TOP"}


def check_well_formed(output: bytes, events: list) -> None:
    """Greeting, then one response per command: "+OK"/"-ERR" lines, and for
    multi-line commands data lines up to a lone "." (RFC 1939 section 3)."""
    lines = output.split(b"\r\n")
    assert lines.pop() == b"", "output must end with CRLF"
    assert lines.pop(0).startswith(b"+OK ")
    commands = [e for e in events if isinstance(e, CommandReceived | InvalidCommand)]
    for event in commands:
        status = lines.pop(0)
        assert re.fullmatch(rb"(\+OK|-ERR)( [^\r\n]*)?", status) and len(status) <= 510, status
        name = getattr(event, "command", "")
        multi = name in _MULTILINE or (name in _MULTILINE_WITHOUT_ARG and not event.argument)
        if status.startswith(b"+OK") and multi:
            while (line := lines.pop(0)) != b".":
                assert b"\r" not in line and b"\n" not in line
    assert lines == [], "response without a command"


def run(chunks: list[bytes], **config: bool) -> tuple[bytes, list]:
    server = make_server(greeted=False, **config)
    out, events = server.data_to_send(), []
    for chunk in chunks:
        events += server.receive_data(chunk)
        out += server.data_to_send()
    return out, events


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True) if b > a]


inputs = st.one_of(
    st.binary(max_size=600),
    st.lists(st.sampled_from(_VOCABULARY), max_size=16).map(lambda ls: b"\r\n".join(ls) + b"\r\n"),
    st.lists(st.sampled_from(_VOCABULARY), max_size=16).map(
        lambda ls: b"\r\n".join([b"USER alice", b"PASS wonder land", *ls, b""])
    ),
)
configs = st.fixed_dictionaries(
    {"implicit_tls": st.booleans(), "login_requires_tls": st.booleans()}
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=inputs, cuts=st.lists(st.integers(min_value=0), max_size=8), config=configs)
def test_property_any_bytes_any_chunking(data: bytes, cuts: list[int], config: dict) -> None:
    try:
        whole, whole_events = run([data] if data else [], **config)
        pieces, piece_events = run(split(data, cuts), **config)
    except ProtocolError:  # the only exceptions allowed
        return
    check_well_formed(whole, whole_events)
    assert pieces == whole
    assert piece_events == whole_events


def test_20_errors_in_a_row_end_the_session() -> None:
    # Dovecot's rule (CLIENT_MAX_BAD_COMMANDS, 20).
    server = make_server()
    out = talk(server, b"BOGUS\r\n" * 19 + b"CAPA\r\n")
    assert out.count(b"-ERR ") == 19 and not server.closed
    out = talk(server, b"BOGUS\r\n" * 25)
    assert out.count(b"-ERR ") == 21 and out.endswith(b"-ERR Too many bad commands.\r\n") and server.closed


def test_an_over_long_unended_line_counts_towards_the_20_errors() -> None:
    # The 20th error is a line over RFC 2449 §4's 255 octets whose end has not come yet.
    server = make_server()
    out = talk(server, b"BOGUS\r\n" * 19 + b"X" * 300)
    assert out.count(b"-ERR ") == 21 and out.endswith(b"-ERR Too many bad commands.\r\n") and server.closed
