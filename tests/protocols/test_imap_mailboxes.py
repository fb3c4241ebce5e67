"""IMAP authenticated-state commands: mailboxes and what goes into them (RFC 3501 §6.3,
RFC 9051 §6.3 for LIST-EXTENDED, NAMESPACE and ENABLE, RFC 6154 for special use, RFC 4315
for APPENDUID). Expected lines are written from the RFCs' formal syntax and examples."""

from __future__ import annotations

import re

import pytest

from simulator.protocols.imap import MailboxCreated, MailboxDeleted, MailboxRenamed, MessageAppended
from simulator.protocols.mailstore import MailStore

from _imap_support import MSG1, MSG2, connect, lines, logged_in, selected, store_with, tagged, talk

SPECIAL = ["Drafts", "Junk", "Sent", "Trash"]


def list_names(reply: bytes) -> list[str]:
    return [re.sub(r'^\* (?:LIST|LSUB) \([^)]*\) "\." ', "", line).strip('"') for line in lines(reply)
            if line.startswith(("* LIST", "* LSUB"))]


def attributes(reply: bytes, name: str) -> set[str]:
    for line in lines(reply):
        match = re.match(r'^\* (?:LIST|LSUB) \(([^)]*)\) "\." "?(.*?)"?$', line)
        if match and match.group(2) == name:
            return set(match.group(1).split())
    raise AssertionError(f"{name} not listed in {reply!r}")


# --- every account has INBOX and the special-use folders (RFC 6154 §2) -------------------------------


def test_list_star_lists_inbox_and_the_special_use_folders_with_their_attributes() -> None:
    reply = talk(logged_in(), b'a LIST "" "*"\r\n')
    assert list_names(reply) == ["INBOX", *SPECIAL]
    for name, use in zip(SPECIAL, ["\\Drafts", "\\Junk", "\\Sent", "\\Trash"], strict=True):
        assert attributes(reply, name) == {"\\HasNoChildren", use}
    assert attributes(reply, "INBOX") == {"\\HasNoChildren"}  # CHILDREN (RFC 3348) on every line
    assert tagged(reply, "a") == "a OK LIST completed"


def test_list_with_an_empty_pattern_returns_the_delimiter() -> None:
    # §6.3.8: 'LIST "" ""' returns the hierarchy delimiter and the root name ("").
    assert talk(logged_in(), b'a LIST "" ""\r\n') == b'* LIST (\\Noselect) "." ""\r\na OK LIST completed\r\n'


def test_list_percent_matches_one_level_and_star_every_level() -> None:
    server = logged_in()
    talk(server, b"c CREATE Work.2026.Q1\r\n")
    assert "Work.2026" not in list_names(talk(server, b'a LIST "" %\r\n'))
    assert "Work" in list_names(talk(server, b'a LIST "" %\r\n'))
    assert list_names(talk(server, b'a LIST Work. *\r\n')) == ["Work.2026", "Work.2026.Q1"]
    assert list_names(talk(server, b'a LIST "" Work.%\r\n')) == ["Work.2026"]
    assert attributes(talk(server, b'a LIST "" Work\r\n'), "Work") == {"\\HasChildren"}


def test_list_matches_inbox_in_any_case() -> None:
    assert list_names(talk(logged_in(), b'a LIST "" inbox\r\n')) == ["INBOX"]  # §5.1


def test_list_special_use_selection_returns_only_those_folders() -> None:
    # RFC 6154 §5.2: LIST (SPECIAL-USE) "" "*" returns only mailboxes with a special use.
    reply = talk(logged_in(), b'a LIST (SPECIAL-USE) "" "*"\r\n')
    assert list_names(reply) == SPECIAL


def test_list_extended_subscribed_and_return_options() -> None:
    server = logged_in()
    talk(server, b"c CREATE Archive\r\n")
    reply = talk(server, b'a LIST (SUBSCRIBED) "" "*" RETURN (SPECIAL-USE)\r\n')
    # Archive was created, not subscribed; the rest are subscribed from the start (Dovecot's auto=subscribe).
    assert list_names(reply) == ["INBOX", *SPECIAL]
    assert "\\Subscribed" in attributes(reply, "Trash") and "\\Trash" in attributes(reply, "Trash")
    reply = talk(server, b'a LIST "" "*" RETURN (SUBSCRIBED)\r\n')
    assert "\\Subscribed" not in attributes(reply, "Archive") and "\\Subscribed" in attributes(reply, "INBOX")


def test_list_several_patterns_and_return_status() -> None:
    # RFC 9051 §6.3.9 (LIST-EXTENDED, LIST-STATUS): a pattern list, and a STATUS after each LIST line.
    reply = talk(logged_in(), b'a LIST "" (INBOX Sent) RETURN (STATUS (MESSAGES UNSEEN))\r\n')
    assert lines(reply)[:4] == [
        '* LIST (\\HasNoChildren) "." INBOX', "* STATUS INBOX (MESSAGES 2 UNSEEN 2)",
        '* LIST (\\HasNoChildren \\Sent) "." Sent', "* STATUS Sent (MESSAGES 0 UNSEEN 0)",
    ]


def test_list_recursivematch_alone_is_bad() -> None:
    assert tagged(talk(logged_in(), b'a LIST (RECURSIVEMATCH) "" *\r\n'), "a").startswith("a BAD ")


def test_list_unknown_option_is_bad() -> None:
    assert tagged(talk(logged_in(), b'a LIST (FROGS) "" *\r\n'), "a").startswith("a BAD ")


def test_lsub_lists_subscriptions() -> None:
    server = logged_in()
    talk(server, b"c CREATE Archive\r\nd UNSUBSCRIBE Junk\r\n")
    assert list_names(talk(server, b'a LSUB "" "*"\r\n')) == ["INBOX", "Drafts", "Sent", "Trash"]


def test_lsub_percent_shows_an_unsubscribed_parent_as_noselect() -> None:
    # §6.3.9: "foo/bar" subscribed, "foo" not: LSUB with "%" returns foo with \Noselect.
    server = logged_in()
    talk(server, b"c CREATE Work.2026\r\nd SUBSCRIBE Work.2026\r\n")
    reply = talk(server, b'a LSUB "" %\r\n')
    assert "Work" in list_names(reply) and attributes(reply, "Work") == {"\\Noselect"}


# --- CREATE, DELETE, RENAME ------------------------------------------------------------------------


def test_create_makes_a_selectable_mailbox_and_its_superiors() -> None:
    server = logged_in()
    events = server.receive_data(b"c CREATE Work.2026\r\n")
    assert server.data_to_send() == b"c OK CREATE completed\r\n"
    assert MailboxCreated("Work.2026") in events
    reply = talk(server, b'a LIST "" Work*\r\n')
    assert list_names(reply) == ["Work", "Work.2026"]  # §6.3.3: superiors SHOULD be created
    assert talk(server, b"s SELECT Work\r\n").endswith(b"s OK [READ-WRITE] SELECT completed\r\n")


def test_create_with_a_trailing_delimiter_creates_the_name_without_it() -> None:
    server = logged_in()
    assert talk(server, b"c CREATE Projects.\r\n") == b"c OK CREATE completed\r\n"
    assert list_names(talk(server, b'a LIST "" Projects*\r\n')) == ["Projects"]


@pytest.mark.parametrize("name", [b"INBOX", b"inbox", b"Sent"])
def test_create_an_existing_name_is_no_alreadyexists(name: bytes) -> None:
    # RFC 9051 §7.1 ALREADYEXISTS; §6.3.3: creating INBOX is an error.
    assert talk(logged_in(), b"c CREATE " + name + b"\r\n").startswith(b"c NO [ALREADYEXISTS] ")


@pytest.mark.parametrize("name", [b'"a..b"', b'"bad*name"', b'"caf\xc3\xa9"', b'"&Jjo"'])
def test_create_with_a_name_that_cannot_be_is_no_cannot(name: bytes) -> None:
    # §5.1: levels between delimiters; §5.1.3: non-ASCII names are modified UTF-7 ("&Jjo-" is a star).
    assert talk(logged_in(), b"c CREATE " + name + b"\r\n").startswith(b"c NO [CANNOT] ")


def test_create_accepts_modified_utf7() -> None:
    assert talk(logged_in(), b"c CREATE &ZeVnLIqe-\r\n") == b"c OK CREATE completed\r\n"


def test_delete_removes_the_mailbox_and_its_messages() -> None:
    server = logged_in()
    talk(server, b"c CREATE Old\r\n")
    talk(server, b"s SELECT INBOX\r\nk COPY 1:2 Old\r\nu UNSELECT\r\n")
    events = server.receive_data(b"d DELETE Old\r\n")
    assert server.data_to_send() == b"d OK DELETE completed\r\n"
    assert MailboxDeleted("Old") in events
    assert "Old" not in list_names(talk(server, b'a LIST "" *\r\n'))
    assert talk(server, b"s STATUS Old (MESSAGES)\r\n").startswith(b"s NO [NONEXISTENT] ")


def test_delete_inbox_and_unknown_names_are_no() -> None:
    server = logged_in()
    assert talk(server, b"d DELETE INBOX\r\n").startswith(b"d NO [CANNOT] ")  # §6.3.4
    assert talk(server, b"d DELETE Nothing\r\n").startswith(b"d NO [NONEXISTENT] ")


def test_delete_a_parent_leaves_a_noselect_level_that_cannot_be_deleted_again() -> None:
    # §6.3.4: deleting a name with inferiors removes its messages; a \Noselect name with
    # inferiors cannot be deleted.
    server = logged_in()
    talk(server, b"c CREATE Work.2026\r\n")
    assert talk(server, b"d DELETE Work\r\n") == b"d OK DELETE completed\r\n"
    assert attributes(talk(server, b'a LIST "" *\r\n'), "Work") == {"\\Noselect", "\\HasChildren"}
    assert talk(server, b"d DELETE Work\r\n").startswith(b"d NO [CANNOT] ")
    assert talk(server, b"s SELECT Work\r\n").startswith(b"s NO [NONEXISTENT] ")


def test_delete_the_selected_mailbox_says_bye() -> None:
    server = selected(mailbox=b"Junk")
    reply = talk(server, b"d DELETE Junk\r\n")
    assert reply == b"d OK DELETE completed\r\n* BYE Selected mailbox was deleted, have to disconnect\r\n"
    assert server.closed


def test_rename_moves_inferiors_and_keeps_uids() -> None:
    server = logged_in()
    talk(server, b"c CREATE Work.2026\r\ns SELECT INBOX\r\nk COPY 2 Work.2026\r\nu UNSELECT\r\n")
    before = talk(server, b"t STATUS Work.2026 (UIDVALIDITY UIDNEXT)\r\n").split(b"\r\n")[0]
    events = server.receive_data(b"r RENAME Work Job\r\n")
    assert server.data_to_send() == b"r OK RENAME completed\r\n"
    assert MailboxRenamed("Work", "Job") in events
    names = list_names(talk(server, b'a LIST "" *\r\n'))
    assert {"Job", "Job.2026"} <= set(names) and not any(n.startswith("Work") for n in names)  # §6.3.5
    after = talk(server, b"t STATUS Job.2026 (UIDVALIDITY UIDNEXT)\r\n").split(b"\r\n")[0]
    assert after == before.replace(b"Work.2026", b"Job.2026")


def test_rename_inbox_moves_its_messages_and_leaves_it_empty() -> None:
    # §6.3.5: renaming INBOX moves all its messages to a new mailbox; INBOX stays, empty.
    server = logged_in()
    assert talk(server, b"r RENAME INBOX Old\r\n") == b"r OK RENAME completed\r\n"
    assert talk(server, b"t STATUS INBOX (MESSAGES)\r\nv STATUS Old (MESSAGES)\r\n").split(b"\r\n")[::2][:2] == [
        b"* STATUS INBOX (MESSAGES 0)", b"* STATUS Old (MESSAGES 2)"]


def test_rename_errors() -> None:
    server = logged_in()
    assert talk(server, b"r RENAME Nothing X\r\n").startswith(b"r NO [NONEXISTENT] ")
    assert talk(server, b"r RENAME Junk Sent\r\n").startswith(b"r NO [ALREADYEXISTS] ")


def test_recreated_mailbox_gets_a_new_uidvalidity() -> None:
    # §2.3.1.1: a mailbox deleted and created again under the same name MUST get a new UIDVALIDITY.
    server = logged_in()
    talk(server, b"c CREATE Tmp\r\n")
    first = talk(server, b"s STATUS Tmp (UIDVALIDITY)\r\n").split(b"\r\n")[0]
    talk(server, b"d DELETE Tmp\r\nc CREATE Tmp\r\n")
    assert talk(server, b"s STATUS Tmp (UIDVALIDITY)\r\n").split(b"\r\n")[0] != first


# --- SUBSCRIBE, STATUS, NAMESPACE, ENABLE, ID -------------------------------------------------------


def test_subscribe_and_unsubscribe() -> None:
    server = logged_in()
    talk(server, b"c CREATE News\r\n")
    assert talk(server, b"s SUBSCRIBE News\r\n") == b"s OK SUBSCRIBE completed\r\n"
    assert "News" in list_names(talk(server, b'a LSUB "" *\r\n'))
    assert talk(server, b"u UNSUBSCRIBE News\r\n") == b"u OK UNSUBSCRIBE completed\r\n"
    assert "News" not in list_names(talk(server, b'a LSUB "" *\r\n'))
    assert talk(server, b"s SUBSCRIBE Nothing\r\n").startswith(b"s NO [NONEXISTENT] ")


def test_status_reports_counts_without_selecting() -> None:
    store = store_with(MSG1, MSG2)
    server = logged_in(store)
    # §6.3.10 example form: * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)
    reply = talk(server, b"s STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n")
    assert reply == b"* STATUS INBOX (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY 1 UNSEEN 2)\r\ns OK STATUS completed\r\n"
    assert server.state.value == "authenticated"  # STATUS does not select


def test_status_of_an_unknown_mailbox_or_item() -> None:
    server = logged_in()
    assert talk(server, b"s STATUS Nothing (MESSAGES)\r\n").startswith(b"s NO [NONEXISTENT] ")
    assert talk(server, b"s STATUS INBOX (FROGS)\r\n").startswith(b"s BAD ")


def test_namespace_is_one_personal_namespace_with_the_dot() -> None:
    # RFC 9051 §6.3.10: personal, other users', shared; each a list of (prefix delimiter) or NIL.
    assert talk(logged_in(), b"n NAMESPACE\r\n") == b'* NAMESPACE (("" ".")) NIL NIL\r\nn OK NAMESPACE completed\r\n'


def test_enable_answers_enabled_with_nothing_it_does_not_support() -> None:
    # RFC 9051 §6.3.1: the ENABLED response lists what was enabled; CONDSTORE is not offered here.
    assert talk(logged_in(), b"e ENABLE CONDSTORE\r\n") == b"* ENABLED\r\ne OK ENABLE completed\r\n"


def test_enable_before_login_is_bad() -> None:
    assert talk(connect(MailStore()), b"e ENABLE CONDSTORE\r\n").startswith(b"e BAD ")


@pytest.mark.parametrize("args", [b'("name" "Thunderbird" "version" "115.2.2")', b"NIL"])
def test_id_answers_with_the_server_name_in_any_state(args: bytes) -> None:
    # RFC 2971 §3.1: ID is valid in any state, the argument a list of field-value pairs or NIL.
    server = connect(MailStore())
    assert talk(server, b"i ID " + args + b"\r\n") == b'* ID ("name" "smtpsim")\r\ni OK ID completed\r\n'


def test_id_with_an_odd_list_is_bad() -> None:
    assert talk(connect(MailStore()), b'i ID ("name")\r\n').startswith(b"i BAD ")


# --- APPEND (§6.3.11, RFC 4315 §3) ----------------------------------------------------------------------


def test_append_with_a_synchronizing_literal_answers_appenduid() -> None:
    server = logged_in()
    uidvalidity = re.search(rb"UIDVALIDITY (\d+)", talk(server, b"s STATUS Sent (UIDVALIDITY)\r\n")).group(1)
    assert talk(server, b"p APPEND Sent (\\Seen) {12}\r\n") == b"+ Ready for literal data\r\n"
    events = server.receive_data(b"Subject: x\r\n\r\n")
    assert server.data_to_send() == b"p OK [APPENDUID %s 1] APPEND completed\r\n" % uidvalidity
    assert MessageAppended("Sent", 1) in events
    box = server.store.mailbox("alice", "Sent")
    assert box is not None and box.messages[0].content == b"Subject: x\r\n" and box.messages[0].flags == {"\\Seen"}


def test_append_with_a_non_synchronizing_literal_needs_no_continuation() -> None:
    # RFC 7888 (LITERAL+): {n+} and the octets follow at once; the server sends no "+".
    server = logged_in()
    uidvalidity = re.search(rb"UIDVALIDITY (\d+)", talk(server, b"s STATUS Drafts (UIDVALIDITY)\r\n")).group(1)
    assert talk(server, b"p APPEND Drafts (\\Draft) \"05-Dec-2026 10:00:00 +0100\" {5+}\r\nhello\r\n") == (
        b"p OK [APPENDUID %s 1] APPEND completed\r\n" % uidvalidity)
    message = server.store.mailbox("alice", "Drafts").messages[0]
    assert message.internal_date == "05-Dec-2026 10:00:00 +0100" and message.flags == {"\\Draft"}


def test_append_to_a_missing_mailbox_is_no_trycreate() -> None:
    # §6.3.11: NO with [TRYCREATE] when the mailbox does not exist.
    assert talk(logged_in(), b"p APPEND Nothing {1+}\r\nx\r\n") == b"p NO [TRYCREATE] Mailbox doesn't exist\r\n"


def test_append_with_recent_or_bad_flags_is_bad() -> None:
    server = logged_in()
    assert talk(server, b"p APPEND INBOX (\\Recent) {1+}\r\nx\r\n").startswith(b"p BAD ")  # §2.3.2
    assert talk(server, b"p APPEND INBOX (\\Frogs) {1+}\r\nx\r\n").startswith(b"p BAD ")
    assert talk(server, b'p APPEND INBOX "not a date" {1+}\r\nx\r\n').startswith(b"p BAD ")


def test_append_of_an_empty_message_is_no() -> None:
    assert talk(logged_in(), b"p APPEND INBOX {0+}\r\n\r\n").startswith(b"p NO ")


def test_append_to_the_selected_mailbox_reports_exists() -> None:
    # §6.3.11: if the target is the selected mailbox, the server SHOULD send EXISTS.
    server = selected()
    reply = talk(server, b"p APPEND INBOX {8+}\r\nSubject:\r\n")
    assert reply.startswith(b"* 3 EXISTS\r\n") and reply.endswith(b"p OK [APPENDUID 1 3] APPEND completed\r\n")


def test_append_over_the_limit_is_refused_before_the_literal() -> None:
    # RFC 7889: a synchronizing literal over APPENDLIMIT gets NO [TOOBIG], without a "+".
    server = logged_in()
    reply = talk(server, b"p APPEND INBOX {999999999}\r\n")
    assert reply.startswith(b"p NO [TOOBIG] ") and b"+ " not in reply
    assert talk(server, b"n NOOP\r\n") == b"n OK NOOP completed\r\n"


def test_a_non_synchronizing_literal_over_the_limit_ends_the_connection() -> None:
    server = logged_in()
    assert talk(server, b"p APPEND INBOX {999999999+}\r\n").startswith(b"* BYE [TOOBIG] ")
    assert server.closed


def test_a_refused_non_synchronizing_literal_is_skipped_not_run() -> None:
    # The octets of {n+} come anyway; none of them may be read as a command (an injection).
    server = connect(store_with(), implicit_tls=True)
    reply = talk(server, b"p APPEND INBOX {25+}\r\nq1 LOGIN alice wonderland\r\nq2 NOOP\r\n")
    assert reply == b"p BAD APPEND not allowed in the not authenticated state\r\nq2 OK NOOP completed\r\n"
    assert server.state.value == "not authenticated"
