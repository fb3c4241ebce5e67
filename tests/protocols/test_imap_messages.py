"""IMAP selected-state commands: FETCH sections and structures, SEARCH, STORE, COPY, MOVE,
EXPUNGE (RFC 3501 §6.4, §7.4.2; RFC 6851; RFC 4315). Each expected structure is written out by
hand from §7.4.2's grammar for the test message below, not taken from the server."""

from __future__ import annotations

import pytest

from simulator.protocols.imap import FlagsStored, IMAPServer, MessagesCopied, MessagesExpunged
from simulator.protocols.mailstore import MailStore

from _imap_support import DATE, MSG1, MSG2, fetch_items, lines, logged_in, selected, store_with, tagged, talk

REPORT = (
    b'From: "Bob Smith" <bob@example.org>\r\n'
    b"To: alice@example.org, undisclosed:;\r\n"
    b"Cc: =?utf-8?q?Caf=C3=A9?= <cafe@example.net>\r\n"
    b"Subject: Report\r\n"
    b"Date: Sat, 28 Nov 2026 09:00:00 +0000\r\n"
    b"Message-ID: <r1@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="XYZ"\r\n'
    b"\r\n"
    b"preamble\r\n"
    b"--XYZ\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello.\r\n"
    b"--XYZ\r\n"
    b"Content-Type: message/rfc822\r\n"
    b"\r\n"
    b"From: carol@example.org\r\n"
    b"Subject: Inner\r\n"
    b"\r\n"
    b"Inner body.\r\n"
    b"--XYZ--\r\n"
    b"epilogue\r\n"
)
INNER = b"From: carol@example.org\r\nSubject: Inner\r\n\r\nInner body."  # part 2's body (54 octets)


def report_session() -> IMAPServer:
    return selected(store_with(REPORT, MSG1, MSG2))


# --- FETCH: structure (§7.4.2) ----------------------------------------------------------------------


def test_bodystructure_of_a_multipart_with_a_message_inside() -> None:
    carol = '((NIL NIL "carol" "example.org"))'
    inner_envelope = f'(NIL "Inner" {carol} {carol} {carol} NIL NIL NIL NIL NIL)'
    inner_body = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)'
    expected = (
        '(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 6 0 NIL NIL NIL NIL)'
        f'("message" "rfc822" NIL NIL NIL "7bit" 54 {inner_envelope} {inner_body} 3 NIL NIL NIL NIL)'
        ' "mixed" ("boundary" "XYZ") NIL NIL NIL)'
    )
    assert len(INNER) == 54
    assert fetch_items(talk(report_session(), b"f FETCH 1 BODYSTRUCTURE\r\n"), 1) == f"BODYSTRUCTURE {expected}"


def test_body_is_bodystructure_without_extension_data() -> None:
    items = fetch_items(talk(report_session(), b"f FETCH 1 BODY\r\n"), 1)
    assert items.startswith('BODY (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 6 0)')
    assert items.endswith(' "mixed")')


def test_envelope_with_a_display_name_a_group_and_an_encoded_word() -> None:
    bob = '(("Bob Smith" NIL "bob" "example.org"))'
    expected = (
        '("Sat, 28 Nov 2026 09:00:00 +0000" "Report" ' + bob + " " + bob + " " + bob + ' '
        '((NIL NIL "alice" "example.org")(NIL NIL "undisclosed" NIL)(NIL NIL NIL NIL)) '
        '(("=?utf-8?q?Caf=C3=A9?=" NIL "cafe" "example.net")) NIL NIL "<r1@example.org>")'
    )
    assert fetch_items(talk(report_session(), b"f FETCH 1 ENVELOPE\r\n"), 1) == f"ENVELOPE {expected}"


# --- FETCH: sections (§6.4.5) -------------------------------------------------------------------------


@pytest.mark.parametrize(("section", "octets"), [
    (b"1", b"Hello."),
    (b"1.MIME", b"Content-Type: text/plain; charset=utf-8\r\n\r\n"),
    (b"2", INNER),
    (b"2.HEADER", b"From: carol@example.org\r\nSubject: Inner\r\n\r\n"),
    (b"2.TEXT", b"Inner body."),
    (b"2.1", b"Inner body."),
    (b"HEADER.FIELDS (SUBJECT message-id)", b"Subject: Report\r\nMessage-ID: <r1@example.org>\r\n\r\n"),
    (b"HEADER.FIELDS (X-NOTHING)", b"\r\n"),
    (b"3", b""),
])  # fmt: skip
def test_fetch_body_sections_are_the_exact_octets(section: bytes, octets: bytes) -> None:
    reply = talk(report_session(), b"f FETCH 1 BODY.PEEK[" + section + b"]\r\n")
    assert b" {%d}\r\n%s)\r\n" % (len(octets), octets) in reply, reply


def test_header_fields_not_keeps_the_other_fields_with_their_continuation_lines() -> None:
    message = b"Subject: a\r\nX-Long: one\r\n two\r\nFrom: x@example.org\r\n\r\nbody\r\n"
    reply = talk(selected(store_with(message)), b"f FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Subject)]\r\n")
    expected = b"X-Long: one\r\n two\r\nFrom: x@example.org\r\n\r\n"
    assert b"BODY[HEADER.FIELDS.NOT (SUBJECT)] {%d}\r\n%s)" % (len(expected), expected) in reply


def test_partial_fetch_names_its_origin() -> None:
    # §7.4.2: BODY[<section>]<<origin octet>>; a start beyond the end gives an empty string.
    server = report_session()
    assert b'BODY[]<6> {5}\r\n"Bob )' in talk(server, b"f FETCH 1 BODY.PEEK[]<6.5>\r\n")
    assert b"BODY[1]<100> {0}\r\n)" in talk(server, b"f FETCH 1 BODY.PEEK[1]<100.10>\r\n")


def test_rfc822_items() -> None:
    server = selected()
    header, text = MSG1.split(b"\r\n\r\n", 1)
    assert b"RFC822.HEADER {%d}\r\n%s\r\n\r\n)" % (len(header) + 4, header) in talk(server, b"f FETCH 1 RFC822.HEADER\r\n")
    assert b"\\Seen" not in talk(server, b"g FETCH 1 FLAGS\r\n")  # RFC822.HEADER is a peek
    reply = talk(server, b"h FETCH 1 RFC822.TEXT\r\n")
    assert b"RFC822.TEXT {%d}\r\n%s)" % (len(text), text) in reply and b"\\Seen" in reply


def test_fetch_macros_all_fast_full() -> None:
    # §6.4.5: FAST = (FLAGS INTERNALDATE RFC822.SIZE), ALL adds ENVELOPE, FULL adds BODY.
    server = selected()
    assert fetch_items(talk(server, b"f FETCH 2 FAST\r\n"), 2) == (
        f'FLAGS (\\Recent) INTERNALDATE "{DATE}" RFC822.SIZE {len(MSG2)}')
    assert fetch_items(talk(server, b"f FETCH 2 ALL\r\n"), 2).count("ENVELOPE (") == 1
    full = fetch_items(talk(server, b"f FETCH 2 FULL\r\n"), 2)
    assert "ENVELOPE (" in full and "BODY (" in full


def test_fetch_answers_short_items_first_with_uid_leading_as_asked() -> None:
    reply = talk(selected(), b"f UID FETCH 1 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])\r\n")
    assert reply.startswith(b"* 1 FETCH (UID 1 RFC822.SIZE %d FLAGS (\\Recent) BODY[HEADER.FIELDS (SUBJECT)] {16}"
                            % len(MSG1))


@pytest.mark.parametrize("item", [b"BODY[MIME]", b"BODY[1.FROGS]", b"BODY[HEADER.FIELDS]", b"BODY[]<1.0>", b"BINARY[1]"])
def test_malformed_sections_are_bad(item: bytes) -> None:
    assert talk(selected(), b"f FETCH 1 " + item + b"\r\n").startswith(b"f BAD ")


# --- SEARCH (§6.4.4) ------------------------------------------------------------------------------------


def search(server: IMAPServer, keys: bytes) -> list[int]:
    reply = talk(server, b"s SEARCH " + keys + b"\r\n")
    assert tagged(reply, "s") == "s OK SEARCH completed", reply
    return [int(n) for n in lines(reply)[0].split()[2:]]


@pytest.mark.parametrize(("keys", "hits"), [
    (b"SUBJECT report", [1]),
    (b"FROM smith", [1]),
    (b'CC "caf\xc3\xa9"', [1]),  # the encoded word is decoded before matching
    (b"TO alice", [1, 2]),
    (b"BODY hello", [1]),
    (b"TEXT r1@example", [1]),
    (b'HEADER Message-ID ""', [1]),  # an empty string: every message that has the field
    (b"SENTON 28-Nov-2026", [1]),
    (b"SENTBEFORE 28-Nov-2026", []),
    (b"ON 28-Nov-2026", [1, 2, 3]),
    (b"BEFORE 28-Nov-2026", []),
    (b"SINCE 29-Nov-2026", []),
    (b"LARGER 200", [1]),
    (b"SMALLER 200", [2, 3]),
    (b"OR SUBJECT one SUBJECT two", [2, 3]),
    (b"NOT SUBJECT one", [1, 3]),
    (b"2:*", [2, 3]),
    (b"UID 1,3", [1, 3]),
    (b"(SUBJECT report FROM bob)", [1]),
    (b"NEW", [1, 2, 3]),
    (b"OLD", []),
])  # fmt: skip
def test_search_keys(keys: bytes, hits: list[int]) -> None:
    assert search(report_session(), keys) == hits


def test_search_by_flags_and_keywords() -> None:
    server = report_session()
    talk(server, b"a STORE 2 +FLAGS ($Work \\Flagged)\r\n")
    assert search(server, b"KEYWORD $work") == [2]  # keywords match in any case
    assert search(server, b"FLAGGED UNKEYWORD $Work") == []
    assert search(server, b"UNFLAGGED") == [1, 3]


def test_search_with_a_bad_date_or_key_is_bad() -> None:
    server = report_session()
    assert talk(server, b"s SEARCH SINCE yesterday\r\n").startswith(b"s BAD ")
    assert talk(server, b"s SEARCH MODSEQ 5\r\n").startswith(b"s NO [CANNOT] ")


# --- STORE (§6.4.6) -------------------------------------------------------------------------------------


def test_store_adds_removes_and_replaces_flags_with_a_fetch_each() -> None:
    server = selected()
    events = server.receive_data(b"a STORE 1:2 +FLAGS (\\Flagged \\Seen)\r\n")
    assert server.data_to_send() == (b"* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\n"
                                     b"* 2 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\na OK STORE completed\r\n")
    assert FlagsStored("INBOX", 2) in events
    assert talk(server, b"b STORE 2 -FLAGS (\\Flagged)\r\n").startswith(b"* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n")
    assert talk(server, b"c STORE 1 FLAGS (\\Answered)\r\n").startswith(b"* 1 FETCH (FLAGS (\\Answered \\Recent))\r\n")
    assert server.store.mailbox("alice").messages[0].flags == {"\\Answered"}


def test_store_silent_sends_no_fetch_and_uid_store_names_the_uid() -> None:
    server = selected()
    assert talk(server, b"a STORE 1 +FLAGS.SILENT (\\Deleted)\r\n") == b"a OK STORE completed\r\n"
    assert talk(server, b"b UID STORE 2 +FLAGS \\Seen\r\n") == (
        b"* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\nb OK STORE completed\r\n")


def test_store_of_a_new_keyword_announces_it_in_flags_and_permanentflags() -> None:
    # §7.2.6 / §7.1: a session is told of a new keyword with FLAGS and PERMANENTFLAGS.
    reply = talk(selected(), b"a STORE 1 +FLAGS ($Forwarded)\r\n")
    assert lines(reply)[:2] == ["* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)",
                                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)]"
                                " Flags permitted"]


@pytest.mark.parametrize("flags", [b"(\\Recent)", b"(\\Frogs)", b'("quoted")', b"([x])"])
def test_store_of_a_flag_that_cannot_be_is_bad(flags: bytes) -> None:
    # §2.3.2: \Recent cannot be stored; a backslash flag must be a system flag; flags are atoms.
    assert talk(selected(), b"a STORE 1 +FLAGS " + flags + b"\r\n").startswith(b"a BAD ")


def test_store_in_an_examined_mailbox_changes_nothing() -> None:
    server = logged_in()
    talk(server, b"e EXAMINE INBOX\r\n")
    assert talk(server, b"a STORE 1 +FLAGS (\\Seen)\r\n").startswith(b"a OK ")
    assert server.store.mailbox("alice").messages[0].flags == frozenset()


# --- COPY (§6.4.7) and MOVE (RFC 6851) ---------------------------------------------------------------


def test_copy_keeps_flags_and_date_and_answers_copyuid() -> None:
    store = store_with(MSG1, MSG2)
    server = selected(store)
    talk(server, b"a STORE 2 +FLAGS (\\Flagged $Work)\r\n")
    uidvalidity = store.mailbox("alice", "Trash").uidvalidity
    events = server.receive_data(b"c COPY 1:2 Trash\r\n")
    # RFC 4315 §3: COPYUID <uidvalidity> <source uids> <destination uids>
    assert server.data_to_send() == b"c OK [COPYUID %d 1:2 1:2] COPY completed\r\n" % uidvalidity
    assert MessagesCopied("INBOX", "Trash", 2, False) in events
    trash = store.mailbox("alice", "Trash").messages
    assert [m.content for m in trash] == [MSG1, MSG2] and trash[1].flags == {"\\Flagged", "$Work"}
    assert trash[0].internal_date == DATE
    assert len(store.mailbox("alice").messages) == 2  # a copy: the originals stay


def test_copy_to_a_missing_mailbox_is_no_trycreate() -> None:
    assert talk(selected(), b"c COPY 1 Nothing\r\n") == b"c NO [TRYCREATE] Mailbox doesn't exist\r\n"


def test_move_sends_copyuid_then_expunges_then_ok() -> None:
    # RFC 6851 §4.3 example: * OK [COPYUID ...], then * n EXPUNGE, then the tagged OK.
    store = store_with(MSG1, MSG2, MSG1)
    server = selected(store)
    uidvalidity = store.mailbox("alice", "Junk").uidvalidity
    events = server.receive_data(b"m UID MOVE 1,3 Junk\r\n")
    assert server.data_to_send() == (
        b"* OK [COPYUID %d 1,3 1:2] Moved UIDs\r\n* 1 EXPUNGE\r\n* 2 EXPUNGE\r\nm OK MOVE completed\r\n" % uidvalidity)
    assert MessagesCopied("INBOX", "Junk", 2, True) in events and MessagesExpunged("INBOX", 2) in events
    assert [m.uid for m in store.mailbox("alice").messages] == [2]
    assert talk(server, b"f FETCH 1 UID\r\n").startswith(b"* 1 FETCH (UID 2)")


def test_move_out_of_an_examined_mailbox_is_no() -> None:
    server = logged_in()
    talk(server, b"e EXAMINE INBOX\r\n")
    assert talk(server, b"m MOVE 1 Trash\r\n").startswith(b"m NO ")
    assert len(server.store.mailbox("alice").messages) == 2


def test_copied_messages_are_recent_in_the_target() -> None:
    store = store_with(MSG1)
    talk(selected(store), b"c COPY 1 Trash\r\n")
    assert b"* 1 RECENT\r\n" in talk(selected(store), b"a3 SELECT Trash\r\n")  # §6.4.7: SHOULD set \Recent


# --- EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT (§6.4.3, RFC 4315 §2.1, §6.4.2, RFC 3691) --------------------


def eleven_messages() -> tuple[IMAPServer, MailStore]:
    store = store_with(*[b"Subject: %d\r\n\r\nx\r\n" % i for i in range(1, 12)])
    return selected(store), store


def test_expunge_renumbers_as_in_the_rfc_example() -> None:
    # §6.4.3 example: messages 3, 4, 7 and 11 marked \Deleted -> EXPUNGE 3, 3, 5, 8.
    server, store = eleven_messages()
    talk(server, b"a STORE 3,4,7,11 +FLAGS.SILENT (\\Deleted)\r\n")
    events = server.receive_data(b"A202 EXPUNGE\r\n")
    assert server.data_to_send() == (
        b"* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 5 EXPUNGE\r\n* 8 EXPUNGE\r\nA202 OK EXPUNGE completed\r\n")
    assert MessagesExpunged("INBOX", 4) in events
    assert [m.uid for m in store.mailbox("alice").messages] == [1, 2, 5, 6, 8, 9, 10]


def test_uid_expunge_removes_only_the_uids_named() -> None:
    server, store = eleven_messages()
    talk(server, b"a STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n")
    assert talk(server, b"u UID EXPUNGE 2:9\r\n") == b"* 2 EXPUNGE\r\n* 2 EXPUNGE\r\nu OK EXPUNGE completed\r\n"
    assert [m.uid for m in store.mailbox("alice").messages][:2] == [1, 4]


def test_close_expunges_silently_and_unselect_does_not() -> None:
    server, store = eleven_messages()
    talk(server, b"a STORE 1 +FLAGS.SILENT (\\Deleted)\r\n")
    assert talk(server, b"u UNSELECT\r\n") == b"u OK UNSELECT completed\r\n"
    assert len(store.mailbox("alice").messages) == 11
    talk(server, b"s SELECT INBOX\r\n")
    assert talk(server, b"c CLOSE\r\n") == b"c OK CLOSE completed\r\n"
    assert len(store.mailbox("alice").messages) == 10


def test_expunge_in_an_examined_mailbox_removes_nothing() -> None:
    store = store_with(MSG1)
    store.mailbox("alice").messages[0].flags = frozenset({"\\Deleted"})
    server = logged_in(store)
    talk(server, b"e EXAMINE INBOX\r\n")
    assert talk(server, b"x EXPUNGE\r\n").startswith(b"x OK ")
    assert len(store.mailbox("alice").messages) == 1


def test_uid_with_an_unknown_command_is_bad() -> None:
    assert talk(selected(), b"u UID FROB 1\r\n").startswith(b"u BAD ")
