"""IMAP server rules, each checked against RFC 3501 (and RFC 9051 where it
defines a response code RFC 3501 lacks). Expected lines follow the RFC's
examples and formal syntax (section 9), not this server's output."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.protocols.errors import LocalProtocolError, ProtocolError
from simulator.protocols.imap import (
    CommandReceived,
    ConnectionClosed,
    IMAPServer,
    IMAPServerConfig,
    IMAPServerState,
    InvalidCommand,
    LoginFailed,
    LoginSucceeded,
    MailboxSelected,
    MessageFetched,
    StartTLSRequested,
)
from simulator.protocols.imap.server import MAX_LINE
from simulator.protocols.mailstore import MailStore

from _imap_support import CAPS_AUTHENTICATED, CAPS_PLAIN, CAPS_TLS

HOST = "mail.example.org"
DATE = "28-Nov-2026 17:31:00 +0000"
MSG1 = b"From: bob@example.org\r\nTo: alice@example.org\r\nSubject: One\r\n\r\nFirst.\r\n"
MSG2 = b"From: carol@example.org\r\nSubject: Two\r\n\r\nSecond.\r\n.leading dot\r\n"


def make_server(
    messages: tuple[bytes, ...] = (MSG1, MSG2), greeted: bool = True, **config: bool
) -> IMAPServer:
    store = MailStore()
    store.add_account("alice", "wonderland")
    for content in messages:
        store.deliver("alice", content, DATE)
    server = IMAPServer(IMAPServerConfig(HOST, **config), store)
    server.start()
    if greeted:
        server.data_to_send()
    return server


def talk(server: IMAPServer, data: bytes) -> bytes:
    server.receive_data(data)
    return server.data_to_send()


def logged_in(**kwargs) -> IMAPServer:
    server = make_server(implicit_tls=True, **kwargs)
    assert talk(server, b"a1 LOGIN alice wonderland\r\n").startswith(b"a1 OK")
    return server


def selected(**kwargs) -> IMAPServer:
    server = logged_in(**kwargs)
    assert b"a2 OK" in talk(server, b"a2 SELECT INBOX\r\n")
    return server


# --- greeting and CAPABILITY (sections 6.1.1, 7.1.1) ---------------------------


def test_greeting_is_untagged_ok_with_capabilities() -> None:
    server = IMAPServer(IMAPServerConfig(HOST), MailStore())
    server.start()
    greeting = server.data_to_send()
    # greeting = "*" SP resp-cond-auth CRLF; resp-text-code may be capability-data
    assert greeting == b"* OK [CAPABILITY %s] mail.example.org IMAP4rev1 ready\r\n" % CAPS_PLAIN.encode()
    assert server.state is IMAPServerState.NOT_AUTHENTICATED


def test_capability_before_tls_lists_starttls_and_logindisabled() -> None:
    server = make_server()
    # Section 6.2.1's example lists IMAP4rev1 STARTTLS LOGINDISABLED; the extensions come between.
    assert talk(server, b"a001 CAPABILITY\r\n") == (
        b"* CAPABILITY %s\r\na001 OK CAPABILITY completed\r\n" % CAPS_PLAIN.encode()
    )


def test_capability_after_starttls_lists_auth_plain() -> None:
    server = make_server()
    talk(server, b"a002 STARTTLS\r\n")
    server.tls_established()
    assert talk(server, b"a003 CAPABILITY\r\n") == (
        b"* CAPABILITY %s\r\na003 OK CAPABILITY completed\r\n" % CAPS_TLS.encode()
    )
    assert server.tls_active


def test_capability_on_implicit_tls_lists_auth_plain_without_starttls() -> None:
    server = make_server(implicit_tls=True)
    assert talk(server, b"x CAPABILITY\r\n").startswith(b"* CAPABILITY %s\r\n" % CAPS_TLS.encode())


def test_capability_after_login_lists_the_extensions() -> None:
    server = logged_in()
    assert talk(server, b"x CAPABILITY\r\n").startswith(b"* CAPABILITY %s\r\n" % CAPS_AUTHENTICATED.encode())


def test_capability_without_tls_requirement_has_no_logindisabled() -> None:
    server = make_server(login_requires_tls=False)
    caps = talk(server, b"x CAPABILITY\r\n").split(b"\r\n")[0].split()
    assert b"LOGINDISABLED" not in caps and b"AUTH=PLAIN" in caps and b"STARTTLS" in caps


def test_capability_with_arguments_is_bad() -> None:
    assert talk(make_server(), b"x CAPABILITY now\r\n").startswith(b"x BAD ")


# --- STARTTLS (section 6.2.1) ------------------------------------------------------


def test_starttls_begins_tls_negotiation() -> None:
    server = make_server()
    events = server.receive_data(b"a002 STARTTLS\r\n")
    assert server.data_to_send() == b"a002 OK Begin TLS negotiation now\r\n"
    assert StartTLSRequested() in events
    assert not server.tls_active


def test_starttls_discards_pipelined_bytes() -> None:
    server = make_server(login_requires_tls=False)
    events = server.receive_data(b"a002 STARTTLS\r\na003 LOGIN alice wonderland\r\n")
    assert server.data_to_send() == b"a002 OK Begin TLS negotiation now\r\n"
    assert not any(isinstance(e, LoginSucceeded) for e in events)
    # Plaintext arriving before the handshake completes is dropped too.
    assert server.receive_data(b"a004 LOGIN alice wonderland\r\n") == []
    server.tls_established()
    assert server.state is IMAPServerState.NOT_AUTHENTICATED
    assert talk(server, b"a005 NOOP\r\n") == b"a005 OK NOOP completed\r\n"


def test_starttls_when_tls_active_is_bad() -> None:
    assert talk(make_server(implicit_tls=True), b"t STARTTLS\r\n").startswith(b"t BAD ")


def test_starttls_unavailable_is_bad() -> None:
    server = make_server(starttls_available=False)
    assert talk(server, b"t STARTTLS\r\n").startswith(b"t BAD ")
    assert b"STARTTLS" not in talk(server, b"c CAPABILITY\r\n")


def test_tls_established_without_starttls_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        make_server().tls_established()


# --- LOGIN (section 6.2.3) and AUTHENTICATE (section 6.2.2) -----------------------


def test_login_before_tls_is_refused_with_no_privacyrequired() -> None:
    server = make_server()
    events = server.receive_data(b"d LOGIN alice wonderland\r\n")
    # 6.2.3 lists only NO for a refused login (BAD is for bad syntax);
    # RFC 9051 section 7.1 gives exactly this code and example.
    assert server.data_to_send() == b"d NO [PRIVACYREQUIRED] Connection offers no privacy\r\n"
    assert LoginFailed("alice", "[PRIVACYREQUIRED] Connection offers no privacy") in events
    assert server.state is IMAPServerState.NOT_AUTHENTICATED


def test_login_ok_enters_authenticated_state() -> None:
    server = make_server()
    talk(server, b"a002 STARTTLS\r\n")
    server.tls_established()
    events = server.receive_data(b"a004 LOGIN alice wonderland\r\n")
    reply = server.data_to_send()
    assert re.fullmatch(rb"a004 OK (\[CAPABILITY IMAP4rev1[^\]]*\] )?LOGIN completed\r\n", reply)
    assert LoginSucceeded("alice") in events
    assert server.state is IMAPServerState.AUTHENTICATED


def test_login_with_wrong_password_is_no_authenticationfailed() -> None:
    server = make_server(implicit_tls=True)
    events = server.receive_data(b"b LOGIN alice rabbit\r\n")
    assert server.data_to_send() == b"b NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
    assert any(isinstance(e, LoginFailed) and e.user == "alice" for e in events)


@pytest.mark.parametrize(
    "line", [b"b LOGIN alice\r\n", b"b LOGIN\r\n", b"b LOGIN a b c\r\n", b"b LOGIN  alice pw\r\n",
             b'b LOGIN "alice pw\r\n', b"b LOGIN (alice) pw\r\n"],
)  # fmt: skip
def test_login_with_bad_syntax_is_bad(line: bytes) -> None:
    assert talk(make_server(implicit_tls=True), line).startswith(b"b BAD ")


def test_login_accepts_quoted_strings_with_escapes() -> None:
    store = MailStore()
    store.add_account('o"brien', "pa ss\\word")
    server = IMAPServer(IMAPServerConfig(HOST, implicit_tls=True), store)
    server.start()
    server.data_to_send()
    # quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR may be "\" quoted-specials
    assert talk(server, b'q LOGIN "o\\"brien" "pa ss\\\\word"\r\n').startswith(b"q OK ")


def test_login_accepts_synchronizing_literals() -> None:
    server = make_server(implicit_tls=True)
    # Section 7.5: "+" invites each literal; the command resumes after it.
    assert talk(server, b"A001 LOGIN {5}\r\n").startswith(b"+ ")
    assert talk(server, b"alice {10}\r\n").startswith(b"+ ")
    events = server.receive_data(b"wonderland\r\n")
    assert server.data_to_send().startswith(b"A001 OK ")
    assert CommandReceived("A001", "LOGIN", "A001 LOGIN {5}\r\nalice {10}\r\nwonderland") in events


def test_literal_for_unknown_command_is_refused_before_continuation() -> None:
    # Section 7.5 example: "A044 BLURDYBLOOP {102856}" gets BAD, no "+".
    reply = talk(make_server(), b"A044 BLURDYBLOOP {102856}\r\n")
    assert reply.startswith(b"A044 BAD ") and b"+ " not in reply


def test_authenticate_plain_after_tls() -> None:
    server = make_server(implicit_tls=True)
    assert talk(server, b"p AUTHENTICATE PLAIN\r\n") == b"+ \r\n"  # continue-req, empty base64
    events = server.receive_data(base64.b64encode(b"\x00alice\x00wonderland") + b"\r\n")
    assert server.data_to_send().startswith(b"p OK ")
    assert LoginSucceeded("alice") in events


def test_authenticate_cancelled_with_star_is_bad() -> None:
    server = make_server(implicit_tls=True)
    talk(server, b"p AUTHENTICATE PLAIN\r\n")
    assert talk(server, b"*\r\n").startswith(b"p BAD ")  # section 6.2.2: MUST reject with BAD


def test_authenticate_before_tls_is_refused() -> None:
    assert talk(make_server(), b"p AUTHENTICATE PLAIN\r\n").startswith(b"p NO ")


def test_authenticate_unknown_mechanism_is_no() -> None:
    # Section 6.2.2: an unsupported mechanism SHOULD get a tagged NO.
    assert talk(make_server(implicit_tls=True), b"p AUTHENTICATE GSSAPI\r\n").startswith(b"p NO ")


# --- SELECT (section 6.3.1) --------------------------------------------------------


def test_select_inbox_sends_required_untagged_data() -> None:
    server = logged_in()
    events = server.receive_data(b"A142 SELECT INBOX\r\n")
    lines = server.data_to_send().decode().split("\r\n")
    assert "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)" in lines
    assert "* 2 EXISTS" in lines
    assert "* 2 RECENT" in lines
    assert any(re.fullmatch(r"\* OK \[UNSEEN 1\] .+", line) for line in lines)
    assert any(re.fullmatch(r"\* OK \[UIDVALIDITY 1\] .+", line) for line in lines)
    assert any(re.fullmatch(r"\* OK \[UIDNEXT 3\] .+", line) for line in lines)
    assert any(re.fullmatch(r"\* OK \[PERMANENTFLAGS \([^)]*\)\] .+", line) for line in lines)
    assert lines[-2] == "A142 OK [READ-WRITE] SELECT completed"
    assert MailboxSelected("INBOX", 2) in events
    assert server.state is IMAPServerState.SELECTED


def test_select_is_case_insensitive_for_inbox() -> None:
    server = logged_in()
    assert b"s OK [READ-WRITE]" in talk(server, b's SELECT "iNbOx"\r\n')


def test_select_unknown_mailbox_is_no_and_deselects() -> None:
    server = selected()
    assert talk(server, b"s SELECT Archive\r\n").startswith(b"s NO ")
    assert server.state is IMAPServerState.AUTHENTICATED


def test_select_takes_recent_from_later_sessions() -> None:
    server = selected()
    again = IMAPServer(IMAPServerConfig(HOST, implicit_tls=True), server.store)
    again.start()
    again.data_to_send()
    talk(again, b"a LOGIN alice wonderland\r\n")
    assert b"* 0 RECENT\r\n" in talk(again, b"b SELECT INBOX\r\n")


def test_examine_is_read_only_and_keeps_seen_unset() -> None:
    server = logged_in()
    assert b"e OK [READ-ONLY]" in talk(server, b"e EXAMINE INBOX\r\n")
    talk(server, b"f FETCH 1 BODY[]\r\n")
    assert server.store.mailbox("alice").messages[0].flags == set()


# --- FETCH (section 6.4.5) and UID FETCH (section 6.4.8) ---------------------------


def test_fetch_body_returns_literal_and_sets_seen() -> None:
    first = selected()  # this session claims \Recent, so the next one sees none (section 2.3.2)
    talk(first, b"z LOGOUT\r\n")
    server = IMAPServer(IMAPServerConfig(HOST, implicit_tls=True), first.store)
    server.start()
    talk(server, b"a1 LOGIN alice wonderland\r\na2 SELECT INBOX\r\n")
    events = server.receive_data(b"f FETCH 1 BODY[]\r\n")
    expected = b"* 1 FETCH (FLAGS (\\Seen) BODY[] {%d}\r\n%s)\r\nf OK FETCH completed\r\n" % (
        len(MSG1), MSG1,
    )  # fmt: skip
    assert server.data_to_send() == expected
    assert "\\Seen" in server.store.mailbox("alice").messages[0].flags
    assert MessageFetched(1, 1, MSG1) in events


def test_fetch_flags_include_recent_for_this_session() -> None:
    server = selected()
    assert talk(server, b"f FETCH 2 FLAGS\r\n").startswith(b"* 2 FETCH (FLAGS (\\Recent))\r\n")


def test_fetch_body_peek_does_not_set_seen() -> None:
    server = selected()
    reply = talk(server, b"f FETCH 1 BODY.PEEK[]\r\n")
    assert reply.startswith(b"* 1 FETCH (BODY[] {%d}\r\n" % len(MSG1))  # returned as BODY[]
    assert server.store.mailbox("alice").messages[0].flags == set()


def test_fetch_rfc822_size_counts_octets() -> None:
    assert talk(selected(), b"f FETCH 2 RFC822.SIZE\r\n").startswith(
        b"* 2 FETCH (RFC822.SIZE %d)\r\n" % len(MSG2)
    )


def test_fetch_range_to_star_covers_every_message() -> None:
    reply = talk(selected(), b"f FETCH 1:* (RFC822.SIZE)\r\n")
    assert re.findall(rb"^\* (\d+) FETCH", reply, re.M) == [b"1", b"2"]


def test_fetch_sequence_number_beyond_exists_is_bad() -> None:
    # Section 9, seq-number: "The server should respond with a tagged BAD".
    assert talk(selected(), b"f FETCH 3 FLAGS\r\n").startswith(b"f BAD ")


def test_fetch_header_and_text_sections() -> None:
    reply = talk(selected(), b"f FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[TEXT])\r\n")
    header, text = MSG1.split(b"\r\n\r\n")
    assert b"BODY[HEADER] {%d}\r\n%s\r\n\r\n" % (len(header) + 4, header) in reply
    assert b"BODY[TEXT] {%d}\r\n%s)" % (len(text), text) in reply


def test_fetch_envelope_of_a_plain_message() -> None:
    # Section 7.4.2: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id;
    # sender and reply-to default to from; an address is (name adl mailbox host).
    bob = b'((NIL NIL "bob" "example.org"))'
    assert talk(selected(), b"f FETCH 1 ENVELOPE\r\n") == (
        b'* 1 FETCH (ENVELOPE (NIL "One" %s %s %s ((NIL NIL "alice" "example.org")) NIL NIL NIL NIL))\r\n'
        b"f OK FETCH completed\r\n" % (bob, bob, bob)
    )


def test_fetch_unknown_item_is_bad() -> None:
    assert talk(selected(), b"f FETCH 1 WHATEVER\r\n").startswith(b"f BAD ")


def test_uid_fetch_includes_uid() -> None:
    reply = talk(selected(), b"A999 UID FETCH 2:4 FLAGS\r\n")
    # Section 6.4.8: UID is included even though only FLAGS was asked for.
    assert re.fullmatch(
        rb"\* 2 FETCH \((UID 2 FLAGS \([^)]*\)|FLAGS \([^)]*\) UID 2)\)\r\n"
        rb"A999 OK UID FETCH completed\r\n",
        reply,
    )


def test_fetch_before_select_is_bad() -> None:
    # Section 3: a command in the wrong state is a protocol error, answered
    # BAD or NO; this server says BAD, the protocol-error response (7.1.3).
    server = logged_in()
    assert talk(server, b"f FETCH 1 BODY[]\r\n").startswith(b"f BAD ")


def test_fetch_before_login_is_bad() -> None:
    assert talk(make_server(), b"f FETCH 1 BODY[]\r\n").startswith(b"f BAD ")


# --- SEARCH (section 6.4.4) ----------------------------------------------------------


def test_search_unseen_lists_messages_without_seen() -> None:
    server = selected()
    talk(server, b"f FETCH 1 BODY[]\r\n")
    assert talk(server, b"s SEARCH UNSEEN\r\n") == b"* SEARCH 2\r\ns OK SEARCH completed\r\n"


def test_search_all_and_empty_result() -> None:
    server = selected()
    assert talk(server, b"s SEARCH ALL\r\n").startswith(b"* SEARCH 1 2\r\n")
    assert talk(server, b"s SEARCH SEEN\r\n").startswith(b"* SEARCH\r\n")  # 6.4.4 example A283


def test_uid_search_returns_uids() -> None:
    assert talk(selected(), b"u UID SEARCH NOT 1\r\n").startswith(b"* SEARCH 2\r\n")


def test_search_unsupported_charset_is_no() -> None:
    # 6.4.4: an unsupported charset "MUST return a tagged NO response (not a BAD)".
    assert talk(selected(), b"s SEARCH CHARSET KOI8-R ALL\r\n").startswith(b"s NO [BADCHARSET")


def test_search_unknown_key_is_bad() -> None:
    assert talk(selected(), b"s SEARCH FROGS\r\n").startswith(b"s BAD ")


# --- NOOP, CLOSE, LOGOUT (sections 6.1.2, 6.1.3, 6.4.2) --------------------------------


def test_noop_completes() -> None:
    assert talk(make_server(), b"a002 NOOP\r\n") == b"a002 OK NOOP completed\r\n"


def test_noop_reports_new_messages_when_selected() -> None:
    server = selected()
    server.store.deliver("alice", MSG1, DATE)
    reply = talk(server, b"n NOOP\r\n")
    assert b"* 3 EXISTS\r\n" in reply and reply.endswith(b"n OK NOOP completed\r\n")


def test_close_returns_to_authenticated_state() -> None:
    server = selected()
    assert talk(server, b"c CLOSE\r\n").startswith(b"c OK ")
    assert server.state is IMAPServerState.AUTHENTICATED


def test_logout_sends_bye_then_tagged_ok_and_closes() -> None:
    server = make_server()
    events = server.receive_data(b"A023 LOGOUT\r\na024 NOOP\r\n")
    reply = server.data_to_send()
    assert re.fullmatch(rb"\* BYE [^\r\n]+\r\nA023 OK LOGOUT completed\r\n", reply)
    assert ConnectionClosed() in events
    assert server.closed and server.state is IMAPServerState.LOGOUT
    assert server.receive_data(b"a025 NOOP\r\n") == [] and server.data_to_send() == b""


def test_peer_eof_closes_connection() -> None:
    server = make_server()
    assert server.receive_data(b"") == [ConnectionClosed()]
    assert server.closed


# --- errors ----------------------------------------------------------------------------


def test_unknown_command_is_tagged_bad() -> None:
    server = make_server()
    events = server.receive_data(b"A044 BLURDYBLOOP\r\n")
    assert server.data_to_send().startswith(b"A044 BAD ")
    assert isinstance(events[0], InvalidCommand)


def test_line_without_tag_is_untagged_bad() -> None:
    # 7.1.3: untagged BAD when the command that caused the error is unknown.
    server = make_server()
    for line in (b"(( CAPABILITY\r\n", b"+ LOGIN a b\r\n", b"* NOOP\r\n", b"{5}\r\n"):
        assert talk(server, line).startswith(b"* BAD ")
    # RFC 9051 section 7.1.3 example: "S: * BAD Empty command line".
    assert talk(server, b"\r\n") == b"* BAD Empty command line\r\n"


def test_extra_space_is_bad() -> None:
    # Section 9 note 2: SP is exactly one space.
    assert talk(make_server(), b"a  NOOP\r\n").startswith(b"a BAD ")
    assert talk(make_server(), b"a NOOP \r\n").startswith(b"a BAD ")


def test_overlong_line_is_bad() -> None:
    server = make_server()
    reply = talk(server, b"a1 NOOP " + b"x" * MAX_LINE + b"\r\na2 NOOP\r\n")
    # RFC 9051 section 7.1.3 example: "S: * BAD Command line too long".
    assert reply == b"* BAD Command line too long\r\na2 OK NOOP completed\r\n"


def test_overlong_line_after_a_literal_ends_that_command_with_tagged_bad() -> None:
    server = make_server(implicit_tls=True)
    talk(server, b"a1 LOGIN {5}\r\n")
    assert talk(server, b"alice " + b"x" * MAX_LINE + b"\r\n") == (
        b"a1 BAD Command line too long\r\n"
    )
    assert server.state is IMAPServerState.NOT_AUTHENTICATED


def test_megabyte_of_junk_is_survived_without_unbounded_buffering() -> None:
    server = make_server()
    replies = b""
    for _ in range(256):
        replies += talk(server, b"J" * 4096)
        assert server._framer.pending <= MAX_LINE + 4096  # bounded, whatever arrives
    replies += talk(server, b"\r\nz NOOP\r\n")
    assert replies.count(b" BAD ") == 1
    assert replies.endswith(b"z OK NOOP completed\r\n")


def test_receive_before_start_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        IMAPServer(IMAPServerConfig(HOST), MailStore()).receive_data(b"a NOOP\r\n")


# --- properties ------------------------------------------------------------------------

_TAGGED = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\+]+ (OK|NO|BAD) [^\r\n]*")
_VOCABULARY = [
    b"a1 LOGIN alice wonderland", b"a2 SELECT INBOX", b"a3 FETCH 1 BODY[]",
    b"a4 FETCH 1:* (FLAGS UID)", b"a5 SEARCH UNSEEN", b"a6 UID FETCH 1:* BODY.PEEK[]",
    b"a7 NOOP", b"a8 CAPABILITY",
    b"a9 LOGIN {5}", b"alice {10}", b"wonderland", b"b1 EXAMINE inbox", b"b2 CLOSE", b"b3 STARTTLS",
    b"b4 AUTHENTICATE PLAIN", base64.b64encode(b"\0alice\0wonderland"), b"*", b"b5 LOGOUT",
    b"b6 FETCH 2 RFC822.SIZE", b"c1 SEARCH CHARSET {2}", b"\xff\xfe ALL", b"c2 FETCH * FAST",
    b"c3 UID SEARCH UID 1:* NOT SEEN", b"c4 FETCH 1 (BODY[HEADER.FIELDS (FROM)] ENVELOPE)",
    b"c5 SELECT {5}", b"inbox", b"c6 SEARCH LARGER 10 SMALLER 99999 NEW", b"c7 UID FETCH 2 RFC822",
    b"b7 SEARCH OR SEEN (NOT 2)", b"b8 BOGUS", b"", b"{3}", b"\xff\x00",
    # Authenticated and selected state, extensions (RFC 9051, 2177, 6851, 4315, 6154):
    b'd1 LIST "" "*"', b"d2 LIST (SUBSCRIBED) \"\" * RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))",
    b'd3 LSUB "" %', b"d4 STATUS INBOX (MESSAGES UIDNEXT UNSEEN)", b"d5 CREATE Work.2026", b"d6 DELETE Work",
    b"d7 RENAME Work Archive", b"d8 SUBSCRIBE Archive", b"d9 UNSUBSCRIBE Trash", b"e1 APPEND INBOX {12}",
    b"Subject: x\r\n", b"e2 APPEND Sent (\\Seen) {5+}", b"hello", b"e3 STORE 1 +FLAGS (\\Deleted $Junk)",
    b"e4 UID STORE 1:* -FLAGS.SILENT (\\Seen)", b"e5 COPY 1 Trash", b"e6 UID MOVE 2 Junk", b"e7 EXPUNGE",
    b"e8 UID EXPUNGE 1:3", b"e9 IDLE", b"DONE", b"f1 NAMESPACE", b"f2 ENABLE CONDSTORE", b'f3 ID ("name" "x")',
    b"f4 UNSELECT", b"f5 FETCH 1 (BODYSTRUCTURE ENVELOPE BODY[1]<0.10> BODY.PEEK[1.MIME])",
    b"f6 SEARCH SUBJECT one SINCE 1-Jan-2020 FROM bob", b"f7 SELECT Trash", b"f8 STORE 1 FLAGS (\\Recent)",
]  # fmt: skip


def check_well_formed(output: bytes) -> None:
    """Every response is "* ...", "+ ..." or "<tag> OK|NO|BAD ...", CRLF-ended,
    with literals {n} skipped exactly (RFC 3501 section 9, response)."""
    position = 0
    while position < len(output):
        end = output.find(b"\r\n", position)
        assert end >= 0, f"unterminated response at {output[position : position + 60]!r}"
        line = output[position:end]
        assert line.startswith((b"* ", b"+ ")) or _TAGGED.fullmatch(line), line
        position = end + 2
        literal = re.search(rb"\{(\d+)\}\Z", line)
        while literal:  # the response goes on after the literal's octets
            position += int(literal.group(1))
            end = output.find(b"\r\n", position)
            assert end >= 0
            literal = re.search(rb"\{(\d+)\}\Z", output[position:end])
            position = end + 2


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
    st.lists(st.sampled_from(_VOCABULARY), max_size=14).map(lambda ls: b"\r\n".join(ls) + b"\r\n"),
    st.lists(st.sampled_from(_VOCABULARY), max_size=14).map(lambda ls: b"\n".join(ls)),
    # Start logged in and selected, so the deeper states get exercised too.
    st.lists(st.sampled_from(_VOCABULARY), max_size=10).map(
        lambda ls: b"\r\n".join([b"a1 LOGIN alice wonderland", b"a2 SELECT INBOX", *ls, b""])
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
    check_well_formed(whole)
    assert pieces == whole
    assert piece_events == whole_events


def test_20_bad_commands_in_a_row_end_the_session_with_bye() -> None:
    # Dovecot's rule (CLIENT_MAX_BAD_COMMANDS, 20): a client that only sends junk is let go.
    from _imap_support import make_server, talk as say

    server = make_server()
    out = say(server, b"a1 NOOP\r\n" + b"\r\n" * 19)
    assert out.count(b"* BAD ") == 19 and not server.closed
    assert say(server, b"a2 NOOP\r\n").startswith(b"a2 OK")  # an OK starts the count again
    out = say(server, b"\r\n" * 25)
    assert out.count(b"* BAD ") == 20 and out.endswith(b"* BYE Too many invalid IMAP commands.\r\n")
    assert server.closed
