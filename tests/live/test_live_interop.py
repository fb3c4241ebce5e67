"""Real clients nobody here wrote (smtplib, imaplib, poplib) against live mode, over real TLS.

Every client trusts only the live CA and checks the host name (127.0.0.1 is
in the certificate), so each handshake is verified for real.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import poplib
import smtplib
import ssl
import socket

import pytest

from livekit import ALICE, ALICE_PW, BOB, BOB_PW, CLIENT_NAME, TIMEOUT, message, submit, tls, wait_for_mail

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]

HEADERS_THAT_MATTER = ("From", "To", "Subject", "Message-ID", "Date", "Content-Type", "MIME-Version")


def test_mail_sent_with_smtplib_over_587_starttls_auth_is_fetched_with_imaplib_over_993_byte_equal(live) -> None:
    mode = live()
    msg = message()
    sent = msg.as_bytes(policy=email.policy.SMTP)  # what smtplib puts on the wire (before dot-stuffing)
    assert submit(mode, msg) == {}

    [fetched] = wait_for_mail(mode)
    head, _, body = fetched.partition(b"\r\n\r\n")
    sent_head, _, sent_body = sent.partition(b"\r\n\r\n")
    assert body == sent_body  # dot-stuffing undone, CRLFs kept: byte for byte
    got = email.message_from_bytes(fetched, policy=email.policy.SMTP)
    for name in HEADERS_THAT_MATTER:
        assert got[name] == msg[name], name
    # Both hops added their trace fields on top, the MX's last (RFC 5321 §4.4).
    lines = head.split(b"\r\n")
    assert lines[0] == b"Return-Path: <alice@example.org>"
    received = [ln for ln in lines if ln.startswith(b"Received:")]
    assert received[0].startswith(b"Received: from smtp.example.org")
    assert received[1].startswith(b"Received: from laptop.example.org")
    assert b"with ESMTPSA" in head and b"by mx1.example.net (smtpsim) with ESMTPS" in head
    assert head.endswith(sent_head)  # the original header block is unchanged under the trace fields


def test_smtp_ssl_on_465_delivers(live) -> None:
    mode = live()
    assert submit(mode, message("over 465"), implicit=True) == {}
    [fetched] = wait_for_mail(mode)
    assert b"Subject: over 465" in fetched


def test_the_store_certificate_names_loopback_and_the_stores_only(live) -> None:
    mode = live()
    # The one IMAP listener stands for both stores; a client may name either (SNI), or loopback.
    for name in ("127.0.0.1", "localhost", "imap.example.net", "imap.example.org"):
        with socket.create_connection(("127.0.0.1", mode.ports["imaps"]), timeout=TIMEOUT) as raw:
            with tls(mode).wrap_socket(raw, server_hostname=name) as wrapped:
                assert wrapped.version() in ("TLSv1.2", "TLSv1.3")
    # Another service's name is not the store's: a client that checks names refuses.
    for name in ("www.example.com", "smtp.example.org", "mx1.example.net"):
        with socket.create_connection(("127.0.0.1", mode.ports["imaps"]), timeout=TIMEOUT) as raw:
            with pytest.raises(ssl.SSLCertVerificationError):
                tls(mode).wrap_socket(raw, server_hostname=name)


def test_imaplib_starttls_on_143_refuses_login_before_tls_then_reads_mail(live) -> None:
    mode = live()
    submit(mode, message("for imap 143"))
    wait_for_mail(mode)
    with imaplib.IMAP4("127.0.0.1", mode.ports["imap"], timeout=TIMEOUT) as im:
        with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
            im.login(BOB, BOB_PW)
        im.starttls(ssl_context=tls(mode))
        im.login(BOB, BOB_PW)
        im.select("INBOX")
        typ, data = im.fetch("1", "(BODY[])")
        assert typ == "OK" and b"Subject: for imap 143" in data[0][1]
        im.logout()
    # BODY[] set \Seen, and that is on disk: the Maildir file moved to cur/ with ":2,S".
    box = mode.store.mailbox(BOB)
    assert box.messages[0].path.name.endswith(":2,S")


def test_poplib_995_and_110_stls_retrieve_and_delete(live) -> None:
    mode = live()
    submit(mode, message("first"))
    submit(mode, message("second"))
    wait_for_mail(mode, 2)
    pop = poplib.POP3_SSL("127.0.0.1", mode.ports["pop3s"], context=tls(mode), timeout=TIMEOUT)
    pop.user(BOB)
    pop.pass_(BOB_PW)
    assert pop.stat()[0] == 2
    _resp, lines, _octets = pop.retr(1)
    assert b"Subject: first" in lines
    pop.dele(1)
    pop.quit()
    files = list((mode.store.mailbox(BOB).root / "new").iterdir()) + list((mode.store.mailbox(BOB).root / "cur").iterdir())
    assert len(files) == 1  # the deletion reached the disk

    pop = poplib.POP3("127.0.0.1", mode.ports["pop3"], timeout=TIMEOUT)
    with pytest.raises(poplib.error_proto):
        pop.user(BOB)  # plaintext login refused before STLS
    pop.stls(context=tls(mode))
    pop.user(BOB)
    pop.pass_(BOB_PW)
    _resp, lines, _octets = pop.retr(1)
    assert b"Subject: second" in lines
    pop.quit()


def test_no_open_relay(live) -> None:
    mode = live()
    # The MSA: no mail without a login.
    with smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT) as s:
        s.starttls(context=tls(mode))
        s.ehlo()
        code, text = s.mail(ALICE)
        assert code == 530
    # The MX: only its own domains.
    with smtplib.SMTP("127.0.0.1", mode.ports["mta"], local_hostname="mx.far.example", timeout=TIMEOUT) as s:
        s.ehlo()
        assert s.mail("someone@far.example")[0] == 250
        assert s.rcpt("victim@elsewhere.example")[0] == 550
        assert s.rcpt("nobody@example.net")[0] == 550  # no such mailbox: 5.1.1
        assert s.rcpt(BOB)[0] == 250
        assert s.data(b"Subject: from outside\r\n\r\nhello\r\n")[0] == 250
    [fetched] = wait_for_mail(mode)
    assert b"Subject: from outside" in fetched and b"from mx.far.example (localhost [127.0.0.1])" in fetched


def test_a_wrong_password_is_refused(live) -> None:
    mode = live()
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        submit(mode, message(), password="wrong")
    assert refused.value.smtp_code == 535
    with pytest.raises(imaplib.IMAP4.error):
        with imaplib.IMAP4_SSL("127.0.0.1", mode.ports["imaps"], ssl_context=tls(mode), timeout=TIMEOUT) as im:
            im.login(ALICE, ALICE_PW + "x")
