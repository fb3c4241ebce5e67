"""Real IMAP clients nobody here wrote, against `smtpsim live`: mbsync (isync) syncing both ways,
curl, Python's imaplib, an IDLE client told of new mail, and Thunderbird's first connection
replayed from published transcripts. TLS is real and verified against the live CA."""

from __future__ import annotations

import base64
import imaplib
import poplib
import re
import subprocess
import time
from pathlib import Path

import pytest

from imapkit import RawIMAP, need_tool, wait_until
from livekit import BOB, BOB_PW, TIMEOUT, message, submit, tls, wait_for_mail
from simulator.live import LiveMode

pytestmark = [pytest.mark.socket, pytest.mark.timeout(120)]


def imap(mode: LiveMode) -> imaplib.IMAP4_SSL:
    client = imaplib.IMAP4_SSL("localhost", mode.ports["imaps"], ssl_context=tls(mode), timeout=TIMEOUT)
    client.login(BOB, BOB_PW)
    return client


# --- mbsync (isync) ------------------------------------------------------------------------------


def mbsync(tmp_path: Path, mode: LiveMode) -> Path:
    """Run mbsync once (config in tmp_path, mail in tmp_path/local); return the local store."""
    tool = need_tool("mbsync", "isync")
    local = tmp_path / "local"
    local.mkdir(exist_ok=True)
    config = tmp_path / "mbsyncrc"
    # mbsync checks the host name against the certificate and does not read IP addresses there,
    # so it connects to "localhost" (in the certificate, and 127.0.0.1 here).
    config.write_text(f"""IMAPAccount bob
Host localhost
Port {mode.ports["imaps"]}
User {BOB}
Pass {BOB_PW}
SSLType IMAPS
CertificateFile {mode.certs.ca}

IMAPStore remote
Account bob

MaildirStore near
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel bob
Far :remote:
Near :near:
Patterns *
Create Both
Expunge Both
SyncState *
""")
    done = subprocess.run([tool, "-c", str(config), "bob"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return local


def local_files(folder: Path) -> list[Path]:
    return sorted(p for sub in ("new", "cur") for p in (folder / sub).iterdir())


def maildir_flags(path: Path) -> str:
    return path.name.rsplit(":2,", 1)[1] if ":2," in path.name else ""


def test_mbsync_syncs_inbox_and_the_special_use_folders_both_ways(live, tmp_path: Path) -> None:
    mode = live()
    submit(mode, message("first"))
    submit(mode, message("second"))
    wait_for_mail(mode, 2)

    local = mbsync(tmp_path, mode)
    assert {p.name for p in local.iterdir()} >= {"INBOX", "Sent", "Drafts", "Trash", "Junk"}
    first, second = local_files(local / "INBOX")
    assert b"Subject: first" in first.read_bytes() and b"Subject: second" in second.read_bytes()

    # Near side: flag one, delete the other, file a sent message and a draft.
    flagged = first.parent.parent / "cur" / (first.name.split(":2,")[0] + ":2,F")
    first.rename(flagged)
    second.unlink()
    (local / "Sent" / "cur" / "1.1_1.near:2,S").write_bytes(b"From: bob@example.net\nSubject: sent by bob\n\nhi\n")
    (local / "Drafts" / "cur" / "1.1_2.near:2,D").write_bytes(b"Subject: half written\n\n...\n")
    mbsync(tmp_path, mode)

    box = mode.store.mailbox(BOB)
    assert box is not None and [m.flags for m in box.messages] == [{"\\Flagged"}]  # the deletion reached us
    sent, drafts = mode.store.mailbox(BOB, "Sent"), mode.store.mailbox(BOB, "Drafts")
    assert [(m.flags, b"sent by bob" in m.content) for m in sent.messages] == [({"\\Seen"}, True)]
    assert [m.flags for m in drafts.messages] == [{"\\Draft"}]
    # ... and into the Maildir on disk: the flag letter in the file name.
    inbox_dir = Path(mode.root) / "mail" / BOB
    assert [p.name.endswith(":2,F") for p in local_files(inbox_dir)] == [True]

    # Far side: mark it read and move it to Trash; a third message arrives.
    with imap(mode) as client:
        client.select("INBOX")
        client.uid("STORE", "1", "+FLAGS", "(\\Seen)")
        assert client.uid("MOVE", "1", "Trash")[0] == "OK"
    submit(mode, message("third"))
    wait_until(lambda: len(box.messages) == 1 and box.messages[0].uid == 3)
    mbsync(tmp_path, mode)

    [inbox] = local_files(local / "INBOX")
    assert b"Subject: third" in inbox.read_bytes()
    [trash] = local_files(local / "Trash")
    assert b"Subject: first" in trash.read_bytes() and maildir_flags(trash) == "FS"


# --- curl ----------------------------------------------------------------------------------------


def curl(mode: LiveMode, path: str, *extra: str) -> str:
    tool = need_tool("curl", "curl")
    url = f"imaps://localhost:{mode.ports['imaps']}/{path}"
    done = subprocess.run([tool, "-sS", "--cacert", str(mode.certs.ca), "--user", f"{BOB}:{BOB_PW}", *extra, url],
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8", "replace")


def test_curl_lists_folders_and_fetches_by_uid(live) -> None:
    mode = live()
    submit(mode, message("for curl"))
    [fetched] = wait_for_mail(mode)
    listing = curl(mode, "")  # curl's default request: LIST "" *
    assert re.findall(r'^\* LIST \(([^)]*)\) "\." (\S+)\r?$', listing, re.M) == [
        ("\\HasNoChildren", "INBOX"), ("\\HasNoChildren \\Drafts", "Drafts"), ("\\HasNoChildren \\Junk", "Junk"),
        ("\\HasNoChildren \\Sent", "Sent"), ("\\HasNoChildren \\Trash", "Trash")]
    assert curl(mode, "INBOX;UID=1").encode().replace(b"\r\n", b"\n") == fetched.replace(b"\r\n", b"\n")
    assert curl(mode, "INBOX?SUBJECT%20curl").strip() == "* SEARCH 1"


def test_curl_uploads_into_a_folder(live, tmp_path: Path) -> None:
    mode = live()
    draft = tmp_path / "draft.eml"
    draft.write_bytes(b"From: bob@example.net\r\nSubject: uploaded\r\n\r\nby curl\r\n")
    curl(mode, "Drafts", "-T", str(draft))  # curl's upload is APPEND
    drafts = mode.store.mailbox(BOB, "Drafts")
    assert drafts is not None and [m.content for m in drafts.messages] == [draft.read_bytes()]


# --- imaplib ---------------------------------------------------------------------------------------


def test_imaplib_store_copy_append_expunge(live) -> None:
    mode = live()
    submit(mode, message("one"))
    submit(mode, message("two"))
    wait_for_mail(mode, 2)
    with imap(mode) as client:
        assert client.select("INBOX") == ("OK", [b"2"])
        typ, data = client.store("1", "+FLAGS", "(\\Deleted \\Seen)")
        assert typ == "OK" and b"\\Deleted" in data[0]
        typ, data = client.copy("1:2", "Trash")
        assert typ == "OK" and re.match(rb"\[COPYUID \d+ 1:2 1:2\]", data[0])
        typ, data = client.append("Sent", "(\\Seen)", imaplib.Time2Internaldate(time.time()),
                                  b"From: bob@example.net\r\nSubject: kept\r\n\r\nsent\r\n")
        assert typ == "OK" and re.match(rb"\[APPENDUID \d+ 1\]", data[0])
        typ, data = client.expunge()
        assert typ == "OK" and data == [b"1"]  # "* 1 EXPUNGE"
        assert client.search(None, "ALL") == ("OK", [b"1"])
        assert client.status("Trash", "(MESSAGES)")[1] == [b"Trash (MESSAGES 2)"]
        client.logout()
    box = mode.store.mailbox(BOB)
    assert [b"Subject: two" in m.content for m in box.messages] == [True]


def test_flags_folders_and_uids_survive_a_restart(live) -> None:
    first = live()
    submit(first, message("kept"))
    wait_for_mail(first)
    with imap(first) as client:
        client.create("Projects.2026")
        client.select("INBOX")
        client.store("1", "+FLAGS", "(\\Flagged $Label1)")
        client.copy("1", "Projects.2026")
        uidvalidity = client.status("Projects.2026", "(UIDVALIDITY UIDNEXT)")[1]
        client.logout()
    first.thread.stop()

    second = live()
    with imap(second) as client:
        assert client.status("Projects.2026", "(UIDVALIDITY UIDNEXT)")[1] == uidvalidity
        client.select("Projects.2026")
        typ, data = client.uid("FETCH", "1", "(FLAGS)")
        assert typ == "OK" and re.search(rb"FLAGS \((\\Flagged \$Label1|\$Label1 \\Flagged)\)", data[0])
        client.logout()


# --- IDLE ------------------------------------------------------------------------------------------


def test_an_idle_client_is_told_of_new_mail_within_a_second_of_delivery(live) -> None:
    mode = live()
    client = RawIMAP(mode)
    client.command("a", f'LOGIN {BOB} "{BOB_PW}"')
    client.command("b", "SELECT INBOX")
    client.send(b"c IDLE\r\n")
    assert client.read_line() == b"+ idling\r\n"
    box = mode.store.mailbox(BOB)
    submit(mode, message("pushed"))
    wait_until(lambda: len(box.messages) == 1)  # stored in the Maildir
    delivered = time.monotonic()
    # The client sends nothing: the server tells it (RFC 2177). Not later than a second after.
    assert client.read_line(timeout=1.0) == b"* 1 EXISTS\r\n"
    assert time.monotonic() - delivered < 1.0
    assert client.read_line(timeout=1.0) == b"* 1 RECENT\r\n"
    client.send(b"DONE\r\n")
    assert client.until("c")[-1] == b"c OK IDLE terminated\r\n"
    client.close()


# --- Thunderbird's first connection ------------------------------------------------------------------

# The commands Thunderbird sends to a new account, in its own spelling (lower case, quoted names),
# from published transcripts: Thunderbird 115.2.2 against mox (github.com/mjl-/mox issue 66:
# authenticate, ID, "list (subscribed) "" "*" return (special-use)" twice, ...) and Thunderbird 91
# against Dovecot, captured with Wireshark (noop, "UID fetch N:* (FLAGS)", the header-fields fetch
# below, "BODY.PEEK[]", IDLE and DONE), plus its select of INBOX.
TB_HEADERS = ("From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups "
              "In-Reply-To Content-Type Reply-To")


def test_thunderbirds_first_connection_replayed(live) -> None:
    mode = live()
    submit(mode, message("waiting"))
    wait_for_mail(mode)
    tb = RawIMAP(mode)
    assert tb.greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 ")
    capability = tb.command("1", "capability")
    assert b"AUTH=PLAIN" in capability[0] and capability[-1].startswith(b"1 OK")
    tb.send(b"2 authenticate PLAIN\r\n")
    assert tb.read_line() == b"+ \r\n"
    tb.send(base64.b64encode(f"\0{BOB}\0{BOB_PW}".encode()) + b"\r\n")
    reply = tb.until("2")
    assert reply[-1].startswith(b"2 OK [CAPABILITY ") and b"IDLE" in reply[-1] and b"SPECIAL-USE" in reply[-1]
    assert tb.command("3", 'ID ("name" "Thunderbird" "version" "115.2.2")')[0] == b'* ID ("name" "smtpsim")\r\n'
    for tag in ("4", "5"):
        listed = tb.command(tag, 'list (subscribed) "" "*" return (special-use)')
        assert listed[-1] == f"{tag} OK LIST completed\r\n".encode()
        assert b'* LIST (\\HasNoChildren \\Sent \\Subscribed) "." Sent\r\n' in listed
        assert b'* LIST (\\HasNoChildren \\Trash \\Subscribed) "." Trash\r\n' in listed
    selected = tb.command("6", 'select "INBOX"')
    assert b"* 1 EXISTS\r\n" in selected and selected[-1] == b"6 OK [READ-WRITE] SELECT completed\r\n"
    # (no \\Recent: wait_for_mail's own session was the first to see it)
    assert tb.command("7", "UID fetch 1:* (FLAGS)")[0] == b"* 1 FETCH (UID 1 FLAGS ())\r\n"
    headers = tb.command("8", f"UID fetch 1 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS ({TB_HEADERS})])")
    # UID first (Thunderbird relies on it), the field names as Dovecot writes them, then the fields.
    assert headers[0].startswith(b"* 1 FETCH (UID 1 RFC822.SIZE ")
    assert b"BODY[HEADER.FIELDS (" + TB_HEADERS.upper().encode() + b")] {" in headers[0]
    assert b"Subject: waiting\r\n" in headers[0] and b"Received:" not in headers[0]

    tb.send(b"9 IDLE\r\n")
    assert tb.read_line() == b"+ idling\r\n"
    submit(mode, message("while idling"))
    assert tb.read_line() == b"* 2 EXISTS\r\n"  # the new mail, told at once
    assert tb.read_line() == b"* 1 RECENT\r\n"
    tb.send(b"DONE\r\n")
    assert tb.until("9")[-1] == b"9 OK IDLE terminated\r\n"
    assert tb.command("10", "noop") == [b"10 OK NOOP completed\r\n"]
    assert tb.command("11", "UID fetch 2:* (FLAGS)")[0] == b"* 2 FETCH (UID 2 FLAGS (\\Recent))\r\n"
    assert b"Subject: while idling" in tb.command(
        "12", f"UID fetch 2 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS ({TB_HEADERS})])")[0]
    body = tb.command("13", "UID fetch 2 (UID RFC822.SIZE BODY.PEEK[])")
    assert body[0].startswith(b"* 2 FETCH (UID 2 RFC822.SIZE ") and b"Subject: while idling" in body[0]
    assert b"\\Seen" not in tb.command("14", "UID fetch 2 (FLAGS)")[0]  # PEEK left it unread
    tb.send(b"15 IDLE\r\n")
    assert tb.read_line() == b"+ idling\r\n"
    tb.send(b"DONE\r\n")
    tb.until("15")
    assert tb.command("16", "logout")[-1] == b"16 OK LOGOUT completed\r\n"
    tb.close()


# --- POP3 and IMAP on one Maildir ---------------------------------------------------------------------


def test_pop3_and_imap_see_each_others_deletions(live) -> None:
    mode = live()
    for subject in ("a", "b", "c"):
        submit(mode, message(subject))
    wait_for_mail(mode, 3)
    with imap(mode) as client:
        client.select("INBOX")
        client.store("3", "+FLAGS", "(\\Deleted)")
        client.expunge()
        client.logout()
    pop = poplib.POP3_SSL("localhost", mode.ports["pop3s"], context=tls(mode), timeout=TIMEOUT)
    pop.user(BOB)
    pop.pass_(BOB_PW)
    assert pop.stat()[0] == 2  # IMAP's expunge is seen by POP3
    uidl = pop.uidl()[1]
    pop.dele(1)
    pop.quit()  # DELE takes effect at QUIT (RFC 1939 §6)
    with imap(mode) as client:
        assert client.select("INBOX") == ("OK", [b"1"])
        typ, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert b"Subject: b" in data[0][1]
        client.logout()
    pop = poplib.POP3_SSL("localhost", mode.ports["pop3s"], context=tls(mode), timeout=TIMEOUT)
    pop.user(BOB)
    pop.pass_(BOB_PW)
    assert pop.uidl()[1] == [b"1 " + uidl[1].split()[1]]  # UIDL stable: "b" keeps its unique id
    pop.quit()


def test_a_client_in_idle_outlives_the_idle_timeout_and_others_do_not(live) -> None:
    mode = live(idle_timeout=1.0)
    idler, quiet = RawIMAP(mode), RawIMAP(mode)
    for client in (idler, quiet):
        client.command("a", f'LOGIN {BOB} "{BOB_PW}"')
    idler.send(b"b IDLE\r\n")
    assert idler.read_line() == b"+ idling\r\n"
    # Waiting is what an IDLE client asked for: a keepalive instead of a goodbye (as Dovecot does).
    assert idler.read_line(timeout=5.0) == b"* OK Still here\r\n"
    assert quiet.read_line(timeout=5.0) == b"* BYE Autologout; idle for too long\r\n"
    idler.send(b"DONE\r\n")
    assert idler.until("b")[-1] == b"b OK IDLE terminated\r\n"
    idler.close()
    quiet.close()
