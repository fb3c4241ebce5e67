"""Live mode's Maildir++ store on disk: flags in file names, keywords, UIDs that survive a restart,
an append-only UID list, UIDVALIDITY that changes only when a folder is created again."""

from __future__ import annotations

import json
import os
from pathlib import Path

from simulator.live.maildir import MaildirStore
from simulator.live.uidlist import FILENAME as UIDLIST
from simulator.protocols.imap import IMAPServer, IMAPServerConfig
from simulator.protocols.mailstore import FlagOp

DATE = "28-Nov-2026 09:00:00 +0000"
MSG = b"From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"


def open_store(root: Path) -> MaildirStore:
    store = MaildirStore(root)
    store.add_account("bob", "pw", address="bob@example.net")
    return store


def home(root: Path) -> Path:
    return root / "bob@example.net"


def files(folder: Path) -> list[str]:
    return sorted(p.parent.name + "/" + p.name for sub in ("new", "cur") for p in (folder / sub).iterdir())


def test_an_account_is_a_maildir_with_the_special_use_folders(tmp_path: Path) -> None:
    open_store(tmp_path)
    for name in ("", ".Drafts", ".Sent", ".Trash", ".Junk"):
        folder = home(tmp_path) / name
        assert all((folder / sub).is_dir() for sub in ("cur", "new", "tmp"))
    assert (home(tmp_path) / ".Sent" / "maildirfolder").exists()  # Maildir++: a folder, not an account
    assert (home(tmp_path) / "subscriptions").read_text().split() == ["Drafts", "INBOX", "Junk", "Sent", "Trash"]


def test_a_delivery_is_a_file_in_new_with_its_sizes_in_its_name(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    stored = store.deliver("bob", MSG, DATE)
    [name] = files(home(tmp_path))
    assert name.startswith("new/") and f",S={len(MSG) - 4},W={len(MSG)}" in name  # LF on disk, CRLF on the wire
    assert (home(tmp_path) / name).read_bytes() == MSG.replace(b"\r\n", b"\n")
    assert stored.content == MSG and stored.size == len(MSG)


def test_flags_and_keywords_are_in_the_file_name(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    box = store.mailbox("bob")
    message = store.deliver("bob", MSG, DATE)
    box.store_flags([message], FlagOp.ADD, ["\\Seen", "\\Flagged", "$Forwarded", "Junk"])
    [name] = files(home(tmp_path))
    # Maildir: D F R S T in ASCII order after ":2,"; Maildir++ keywords as letters a-z, the
    # letter's meaning in dovecot-keywords.
    assert name.startswith("cur/") and name.endswith(":2,FSab")
    assert (home(tmp_path) / "dovecot-keywords").read_text() == "0 $Forwarded\n1 Junk\n"
    box.store_flags([message], FlagOp.REMOVE, ["\\Flagged", "$Forwarded"])
    assert files(home(tmp_path))[0].endswith(":2,Sb")


def test_uids_flags_folders_and_uidvalidity_survive_a_restart(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for _ in range(3):
        store.deliver("bob", MSG, DATE)
    box = store.mailbox("bob")
    box.store_flags([box.messages[1]], FlagOp.ADD, ["\\Answered", "$Label1"])
    box.expunge([box.messages[0]])
    work = store.create_mailbox("bob", "Work.2026")
    work.append(MSG, DATE, ["\\Seen"])
    before = (box.uidvalidity, box.uidnext, [(m.uid, m.flags) for m in box.messages], work.uidvalidity)

    again = open_store(tmp_path)
    box2, work2 = again.mailbox("bob"), again.mailbox("bob", "Work.2026")
    assert box2 is not None and work2 is not None
    assert (box2.uidvalidity, box2.uidnext, [(m.uid, m.flags) for m in box2.messages], work2.uidvalidity) == before
    assert [m.flags for m in work2.messages] == [{"\\Seen"}]
    assert "Work.2026" in {b.name for b in again.mailboxes("bob")}


def test_a_delivery_appends_one_line_to_the_uid_list_and_rewrites_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    uidlist = home(tmp_path) / UIDLIST
    store.deliver("bob", MSG, DATE)
    before = uidlist.read_bytes()
    inode = os.stat(uidlist).st_ino
    store.deliver("bob", MSG, DATE)
    after = uidlist.read_bytes()
    assert after.startswith(before) and after[len(before):].count(b"\n") == 1  # O(1): one line more
    assert after[len(before):].startswith(b"2 ")
    assert os.stat(uidlist).st_ino == inode  # appended in place, not replaced


def test_opening_compacts_the_uid_list_and_uidnext_never_goes_back(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for _ in range(3):
        store.deliver("bob", MSG, DATE)
    box = store.mailbox("bob")
    box.expunge(box.messages[1:])  # the two newest, so the highest UID is gone too
    assert len((home(tmp_path) / UIDLIST).read_text().splitlines()) == 4  # header + 3: not on the hot path
    again = open_store(tmp_path)
    lines = (home(tmp_path) / UIDLIST).read_text().splitlines()
    assert len(lines) == 2 and lines[0].endswith(" N4")  # compacted; UIDNEXT kept (RFC 3501 §2.3.1.1)
    assert again.deliver("bob", MSG, DATE).uid == 4


def test_a_torn_last_line_is_dropped_and_its_message_gets_a_new_uid(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.deliver("bob", MSG, DATE)
    store.deliver("bob", MSG, DATE)
    uidlist = home(tmp_path) / UIDLIST
    text = uidlist.read_bytes()
    uidlist.write_bytes(text[: text.rstrip(b"\n").rfind(b"\n") + 5])  # the last line cut short, no LF
    again = open_store(tmp_path)
    assert [m.uid for m in again.mailbox("bob").messages] == [1, 3]  # never a UID used before
    assert uidlist.read_bytes().endswith(b"\n")


def test_a_folder_created_again_gets_a_new_uidvalidity_even_after_a_restart(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first = store.create_mailbox("bob", "Tmp").uidvalidity
    store.delete_mailbox("bob", "Tmp")
    assert not (home(tmp_path) / ".Tmp").exists()
    again = open_store(tmp_path)
    assert again.create_mailbox("bob", "Tmp").uidvalidity > first


def test_rename_moves_the_folder_directories(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.create_mailbox("bob", "Work.2026").append(MSG, DATE)
    store.rename_mailbox("bob", "Work", "Job")
    assert (home(tmp_path) / ".Job.2026").is_dir() and not (home(tmp_path) / ".Work.2026").exists()
    assert open_store(tmp_path).mailbox("bob", "Job.2026").messages[0].content == MSG


def test_new_mail_is_recent_on_disk_until_a_session_claims_it(tmp_path: Path) -> None:
    # Maildir's new/ is "not yet seen by any client"; claiming \Recent moves the file to cur/.
    store = open_store(tmp_path)
    store.deliver("bob", MSG, DATE)
    assert open_store(tmp_path).mailbox("bob").recent_uids() == {1}  # still \Recent after a restart
    again = open_store(tmp_path)
    server = IMAPServer(IMAPServerConfig("imap.example.net", implicit_tls=True), again)
    server.start()
    server.receive_data(b"a LOGIN bob pw\r\nb SELECT INBOX\r\n")
    assert b"* 1 RECENT\r\n" in server.data_to_send()
    assert files(home(tmp_path))[0].startswith("cur/")
    assert open_store(tmp_path).mailbox("bob").recent_uids() == set()


def test_append_keeps_its_date_as_the_file_time(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.mailbox("bob", "Sent").append(MSG, "05-Dec-2026 10:00:00 +0100")
    [name] = files(home(tmp_path) / ".Sent")
    assert os.stat(home(tmp_path) / ".Sent" / name).st_mtime == 1796461200.0  # 09:00 UTC that day
    assert open_store(tmp_path).mailbox("bob", "Sent").messages[0].internal_date == "05-Dec-2026 09:00:00 +0000"


def test_the_old_json_index_is_taken_over(tmp_path: Path) -> None:
    inbox = home(tmp_path)
    for sub in ("cur", "new", "tmp"):
        (inbox / sub).mkdir(parents=True)
    (inbox / "cur" / "1700000000.M1P1Q1.host:2,S").write_bytes(MSG.replace(b"\r\n", b"\n"))
    (inbox / ".smtpsim-uids.json").write_text(json.dumps(
        {"uidvalidity": 777, "uidnext": 9, "uids": {"1700000000.M1P1Q1.host": 8}}))
    box = open_store(tmp_path).mailbox("bob")
    assert (box.uidvalidity, box.uidnext, [(m.uid, m.flags) for m in box.messages]) == (777, 9, [(8, {"\\Seen"})])
    assert not (inbox / ".smtpsim-uids.json").exists()


def test_the_27th_keyword_of_a_folder_is_refused_with_limit(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.deliver("bob", MSG, DATE)
    server = IMAPServer(IMAPServerConfig("imap.example.net", implicit_tls=True), store)
    server.start()
    server.receive_data(b"a LOGIN bob pw\r\nb SELECT INBOX\r\n")
    server.data_to_send()
    words = " ".join(f"k{i}" for i in range(26)).encode()
    server.receive_data(b"c STORE 1 +FLAGS (" + words + b")\r\n")
    assert server.data_to_send().endswith(b"c OK STORE completed\r\n")
    server.receive_data(b"d STORE 1 +FLAGS (one-too-many)\r\n")
    assert server.data_to_send() == b"d NO [LIMIT] Too many keywords (at most 26 per mailbox)\r\n"
    assert files(home(tmp_path))[0].endswith(":2," + "abcdefghijklmnopqrstuvwxyz")
