"""Helpers for the live-mode tests: start live mode on OS-picked ports, send, wait, fetch."""

from __future__ import annotations

import email.utils
import imaplib
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from simulator.live import LiveMode

ALICE, ALICE_PW = "alice@example.org", "correct horse battery staple"
BOB, BOB_PW = "bob@example.net", "hunter2-but-longer"
CLIENT_NAME = "laptop.example.org"  # our EHLO name: smtplib would otherwise ask the system
TIMEOUT = 10.0


def tls(mode: LiveMode) -> ssl.SSLContext:
    """A client context that trusts only the live CA (and checks host names)."""
    return ssl.create_default_context(cafile=str(mode.certs.ca))


def message(subject: str = "Lunch on Friday?", to: str = BOB, body: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = ALICE
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=False)
    msg["Message-ID"] = email.utils.make_msgid(domain="laptop.example.org")
    msg.set_content(body or "Hi Bob,\n\nAre you free on Friday?\n.. and bring the book.\n.\nAlice\n")
    return msg


def submit(mode: LiveMode, msg: EmailMessage, *, implicit: bool = False, user: str = ALICE,
           password: str = ALICE_PW) -> dict:
    """Send over 587 + STARTTLS + AUTH (or 465 with implicit TLS); smtplib's refusals dict."""
    context = tls(mode)
    if implicit:
        client: smtplib.SMTP = smtplib.SMTP_SSL("127.0.0.1", mode.ports["msa-implicit"], local_hostname=CLIENT_NAME,
                                                timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT)
    with client:
        if not implicit:
            client.starttls(context=context)
        client.login(user, password)
        return client.send_message(msg)


def raw_connect(port: int) -> tuple[socket.socket, bytes]:
    """A plain socket to ``port`` on loopback, and the server's first line (its greeting)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return sock, read_line(sock)


def read_line(sock: socket.socket) -> bytes:
    """One line from ``sock``, up to and with its LF (or what came before the server closed)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def wait_for(predicate: Callable[[], Any], timeout: float = TIMEOUT, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def imap_messages(mode: LiveMode, user: str = BOB, password: str = BOB_PW, *, peek: bool = True) -> list[bytes]:
    """Every message in the INBOX, fetched over 993 (implicit TLS, host name checked)."""
    with imaplib.IMAP4_SSL("127.0.0.1", mode.ports["imaps"], ssl_context=tls(mode), timeout=TIMEOUT) as im:
        im.login(user, password)
        typ, data = im.select("INBOX")
        assert typ == "OK", data
        count = int(data[0])
        out = []
        for i in range(1, count + 1):
            typ, fetched = im.fetch(str(i), "(BODY.PEEK[])" if peek else "(BODY[])")
            assert typ == "OK", fetched
            out.append(fetched[0][1])
        im.logout()
        return out


def wait_for_mail(mode: LiveMode, count: int = 1, user: str = BOB, password: str = BOB_PW,
                  timeout: float = TIMEOUT) -> list[bytes]:
    def arrived() -> list[bytes] | None:
        box = mode.store.mailbox(user)
        return imap_messages(mode, user, password) if box is not None and len(box.messages) >= count else None

    return wait_for(arrived, timeout, f"{count} message(s) for {user}")


def texts(mode: LiveMode) -> list[str]:
    return [e.text for e in mode.trace.events]
