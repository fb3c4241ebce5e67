"""A message file removed under a live IMAP session: the session survives and reports it.

Bob's INBOX has two messages and his client has it selected; then the
first message's file is removed behind the server's back (``rm``, another
Maildir program). A FETCH of it answers ``OK [EXPUNGEISSUED]`` with no data
for it (RFC 9051 §7.1: someone else expunged it), no EXPUNGE during the FETCH
(§7.5.1); the next NOOP reports ``* 1 EXPUNGE``; the session goes on with
the other message, now number 1.
"""

from __future__ import annotations

import pytest

from imapkit import RawIMAP
from livekit import BOB, BOB_PW, message, submit, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


def test_a_message_file_removed_under_a_session_is_reported_expunged_and_the_session_goes_on(live) -> None:
    mode = live()
    assert submit(mode, message("first")) == {}
    assert submit(mode, message("second")) == {}
    wait_for_mail(mode, 2)
    client = RawIMAP(mode)
    assert client.command("a", f'LOGIN "{BOB}" "{BOB_PW}"')[-1].startswith(b"a OK")
    assert any(line.endswith(b" 2 EXISTS\r\n") for line in client.command("b", "SELECT INBOX"))
    first = next(m for m in mode.store.mailbox(BOB).messages if b"Subject: first" in m.content)
    first.path.unlink()  # removed behind the server's back

    fetched = client.command("c", "FETCH 1 (BODY.PEEK[])")
    assert fetched[-1].startswith(b"c OK [EXPUNGEISSUED]")
    assert not any(b"FETCH" in line and line.startswith(b"* ") for line in fetched)
    assert not any(b"EXPUNGE\r\n" in line for line in fetched)  # never during a FETCH (§7.5.1)

    noop = client.command("d", "NOOP")
    assert b"* 1 EXPUNGE\r\n" in noop and noop[-1].startswith(b"d OK")
    rest = client.command("e", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert rest[-1].startswith(b"e OK") and b"Subject: second" in b"".join(rest)
    assert client.command("f", "LOGOUT")[-1].startswith(b"f OK")
    client.close()
