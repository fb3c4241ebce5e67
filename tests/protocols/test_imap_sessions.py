"""Several sessions on one mailbox (RFC 3501 §5.2, §7.4.1; RFC 2177 IDLE), and POP3 on the same
store: each is told of the others' changes, at command boundaries or at once while it IDLEs."""

from __future__ import annotations

from simulator.protocols.imap import IdleEnded, IdleStarted, IMAPServer
from simulator.protocols.mailstore import MailStore
from simulator.protocols.pop3 import POP3Server, POP3ServerConfig

from _imap_support import DATE, MSG1, MSG2, logged_in, selected, store_with, talk

NEW = b"From: dave@example.org\r\nSubject: Three\r\n\r\nThird.\r\n"


class Wakeups:
    """A driver's wakeup callback that remembers what the machine had to send each time."""

    def __init__(self, server: IMAPServer) -> None:
        self.server = server
        self.sent: list[bytes] = []
        server.set_wakeup(self)

    def __call__(self) -> None:
        self.sent.append(self.server.data_to_send())


def two_sessions(store: MailStore | None = None) -> tuple[MailStore, IMAPServer, IMAPServer]:
    store = store if store is not None else store_with(MSG1, MSG2)
    return store, selected(store), selected(store)


def test_a_delivery_is_reported_at_the_next_command_with_exists_and_recent() -> None:
    store, _, b = two_sessions()  # the first session claimed \Recent for messages 1 and 2
    store.deliver("alice", NEW, DATE)
    assert talk(b, b"n NOOP\r\n") == b"* 3 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed\r\n"


def test_recent_goes_to_one_session_only() -> None:
    # §2.3.2: \Recent means "this session is the first to be notified"; others see it without.
    store, a, b = two_sessions()
    store.deliver("alice", NEW, DATE)
    first = talk(b, b"n NOOP\r\n")
    second = talk(a, b"n NOOP\r\n")
    assert b"* 1 RECENT\r\n" in first and b"* 2 RECENT\r\n" in second  # a keeps only its own two
    assert b"\\Recent" not in talk(a, b"f FETCH 3 FLAGS\r\n")


def test_flags_stored_by_one_session_reach_the_other_as_fetch() -> None:
    _, a, b = two_sessions()
    talk(a, b"s STORE 2 +FLAGS (\\Flagged)\r\n")
    assert talk(b, b"n NOOP\r\n") == b"* 2 FETCH (FLAGS (\\Flagged))\r\nn OK NOOP completed\r\n"
    assert talk(b, b"m NOOP\r\n") == b"m OK NOOP completed\r\n"  # told once


def test_a_uid_command_names_the_uid_in_the_untagged_fetch() -> None:
    _, a, b = two_sessions()
    talk(a, b"s STORE 1 +FLAGS (\\Seen)\r\n")
    assert talk(b, b"u UID SEARCH ALL\r\n").startswith(b"* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* SEARCH 1 2\r\n")


def test_an_expunge_is_not_reported_during_fetch_store_or_search() -> None:
    # §7.4.1: EXPUNGE MUST NOT be sent while responding to FETCH, STORE or SEARCH; the number
    # stays valid until then.
    store, a, b = two_sessions()
    talk(a, b"s STORE 1 +FLAGS.SILENT (\\Deleted)\r\nx EXPUNGE\r\n")
    reply = talk(b, b"f FETCH 1:2 (UID)\r\n")
    assert b"* 1 EXPUNGE" not in reply
    # Message 1 is gone: FETCH skips it and says so (RFC 9051 §7.1 EXPUNGEISSUED); 2 is still 2.
    assert reply == b"* 2 FETCH (UID 2)\r\nf OK [EXPUNGEISSUED] Some messages were already expunged\r\n"
    assert talk(b, b"s SEARCH ALL\r\n") == b"* SEARCH 2\r\ns OK SEARCH completed\r\n"
    assert talk(b, b"n NOOP\r\n") == b"* 1 EXPUNGE\r\nn OK NOOP completed\r\n"
    assert talk(b, b"f FETCH 1 (UID)\r\n").startswith(b"* 1 FETCH (UID 2)\r\n")
    assert [m.uid for m in store.mailbox("alice").messages] == [2]


def test_uid_fetch_may_report_expunges() -> None:
    _, a, b = two_sessions()
    talk(a, b"s STORE 1 +FLAGS.SILENT (\\Deleted)\r\nx EXPUNGE\r\n")
    assert talk(b, b"u UID FETCH 1:* (FLAGS)\r\n") == (
        b"* 1 EXPUNGE\r\n* 1 FETCH (UID 2 FLAGS ())\r\nu OK UID FETCH completed\r\n")


def test_copy_of_a_message_expunged_meanwhile_is_no_and_copies_nothing() -> None:
    store, a, b = two_sessions()
    talk(a, b"s STORE 1 +FLAGS.SILENT (\\Deleted)\r\nx EXPUNGE\r\n")
    assert talk(b, b"c COPY 1:2 Trash\r\n").startswith(b"c NO [EXPUNGEISSUED] ")
    assert store.mailbox("alice", "Trash").messages == []  # §6.4.7: all or nothing


def test_idle_is_told_of_a_delivery_at_once() -> None:
    store, _, b = two_sessions()
    wakeups = Wakeups(b)
    events = b.receive_data(b"i IDLE\r\n")
    assert b.data_to_send() == b"+ idling\r\n" and IdleStarted() in events  # RFC 2177's example text
    store.deliver("alice", NEW, DATE)
    assert wakeups.sent == [b"* 3 EXISTS\r\n* 1 RECENT\r\n"]  # without any command from the client
    events = b.receive_data(b"DONE\r\n")
    assert b.data_to_send() == b"i OK IDLE terminated\r\n" and IdleEnded() in events


def test_idle_is_told_of_flags_and_expunges_by_another_session() -> None:
    _, a, b = two_sessions()
    wakeups = Wakeups(a)
    talk(a, b"i IDLE\r\n")
    talk(b, b"s STORE 2 +FLAGS (\\Seen)\r\n")
    talk(b, b"d STORE 1 +FLAGS.SILENT (\\Deleted)\r\nx EXPUNGE\r\n")
    assert wakeups.sent == [b"* 2 FETCH (FLAGS (\\Seen \\Recent))\r\n",
                            b"* 1 FETCH (FLAGS (\\Deleted \\Recent))\r\n", b"* 1 EXPUNGE\r\n"]


def test_idle_first_sends_what_is_already_known() -> None:
    # RFC 2177's example: "A004 IDLE" is answered "* 2 EXPUNGE", "* 3 EXISTS", then "+ idling".
    store, _, b = two_sessions()
    store.deliver("alice", NEW, DATE)
    assert talk(b, b"i IDLE\r\n") == b"* 3 EXISTS\r\n* 1 RECENT\r\n+ idling\r\n"


def test_idle_takes_only_done() -> None:
    server = selected()
    talk(server, b"i IDLE\r\n")
    assert talk(server, b"n NOOP\r\n") == b"i BAD Expected DONE\r\n"
    assert talk(server, b"n NOOP\r\n") == b"n OK NOOP completed\r\n"


def test_idle_in_the_authenticated_state_and_its_keepalive() -> None:
    server = logged_in()
    assert talk(server, b"i IDLE\r\n") == b"+ idling\r\n"
    assert server.idling and server.still_there()
    assert server.data_to_send() == b"* OK Still here\r\n"
    talk(server, b"DONE\r\n")
    assert not server.still_there()  # quiet outside IDLE is a reason for the driver's timeout


def test_a_session_not_in_idle_does_not_wake_the_driver() -> None:
    store, a, _ = two_sessions()
    wakeups = Wakeups(a)
    store.deliver("alice", NEW, DATE)
    assert wakeups.sent == []


def test_deleting_a_mailbox_another_session_has_selected_says_bye_there() -> None:
    store = store_with(MSG1)
    other = selected(store, b"Junk")
    talk(logged_in(store), b"d DELETE Junk\r\n")
    # Dovecot's words; after a BYE the connection ends, so the NOOP gets no tagged reply.
    assert talk(other, b"n NOOP\r\n") == b"* BYE Selected mailbox was deleted, have to disconnect\r\n"
    assert other.closed


def test_a_session_that_goes_away_stops_watching() -> None:
    store, a, _ = two_sessions()
    a.connection_lost()
    store.deliver("alice", NEW, DATE)
    assert a.data_to_send() == b""


# --- POP3 and IMAP on one mailbox -----------------------------------------------------------------


def pop3_session(store: MailStore) -> POP3Server:
    server = POP3Server(POP3ServerConfig("mail.example.org", implicit_tls=True), store)
    server.start()
    server.data_to_send()
    server.receive_data(b"USER alice\r\nPASS wonderland\r\n")
    assert server.data_to_send().count(b"+OK") == 2
    return server


def test_pop3_dele_and_quit_reach_an_imap_session_as_expunge() -> None:
    store = store_with(MSG1, MSG2)
    imap = selected(store)
    pop = pop3_session(store)
    pop.receive_data(b"DELE 1\r\nQUIT\r\n")
    assert pop.data_to_send().endswith(b"(1 messages left)\r\n")
    assert talk(imap, b"n NOOP\r\n") == b"* 1 EXPUNGE\r\nn OK NOOP completed\r\n"


def test_pop3_dele_without_quit_removes_nothing() -> None:
    # RFC 1939 §6: only QUIT enters UPDATE.
    store = store_with(MSG1, MSG2)
    pop = pop3_session(store)
    pop.receive_data(b"DELE 1\r\n")
    pop.connection_lost()
    assert len(store.mailbox("alice").messages) == 2


def test_an_imap_expunge_is_seen_by_pop3() -> None:
    store = store_with(MSG1, MSG2)
    pop = pop3_session(store)
    imap = selected(store)
    talk(imap, b"s STORE 1 +FLAGS.SILENT (\\Deleted)\r\nx EXPUNGE\r\n")
    pop.receive_data(b"RETR 1\r\n")
    assert pop.data_to_send() == b"-ERR Message 1 expunged.\r\n"  # Dovecot's words
    assert len(pop3_session(store)._messages) == 1  # a new POP3 session does not list it


def test_pop3_retr_marks_the_message_seen_for_imap_when_the_session_ends() -> None:
    store = store_with(MSG1, MSG2)
    pop = pop3_session(store)
    pop.receive_data(b"RETR 2\r\nQUIT\r\n")
    assert store.mailbox("alice").messages[1].flags == {"\\Seen"}
    assert store.mailbox("alice").messages[0].flags == frozenset()


def test_pop3_uidl_is_stable_across_sessions_and_deletions() -> None:
    store = store_with(MSG1, MSG2)
    first = pop3_session(store)
    first.receive_data(b"UIDL 2\r\nDELE 1\r\nQUIT\r\n")
    uid_line = first.data_to_send().split(b"\r\n")[0]
    second = pop3_session(store)
    second.receive_data(b"UIDL 1\r\n")
    assert second.data_to_send().split(b"\r\n")[0].split()[-1] == uid_line.split()[-1]
