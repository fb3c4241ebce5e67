"""Helpers shared by the SMTP server tests (not a test module itself)."""

from __future__ import annotations

import base64
import re

from simulator.protocols.smtp import Role, ServerPolicy, SMTPServer, SMTPServerConfig

HOST = "mx.example.org"
REPLY_LINE = re.compile(rb"^\d{3}[ -].*\r\n$", re.DOTALL)


def server(role: Role = Role.MTA, policy: ServerPolicy | None = None, **config: object) -> SMTPServer:
    config.setdefault("local_domains", frozenset({"example.org"}))
    s = SMTPServer(SMTPServerConfig(HOST, role, **config), policy)  # type: ignore[arg-type]
    s.start()
    s.data_to_send()
    return s


def talk(s: SMTPServer, *lines: str | bytes) -> list[str]:
    """Send command lines (CRLF added) in one receive_data; return the reply lines."""
    data = b"".join((ln if isinstance(ln, bytes) else ln.encode()) + b"\r\n" for ln in lines)
    s.receive_data(data)
    return s.data_to_send().decode("latin-1").split("\r\n")[:-1]


def last(s: SMTPServer, *lines: str | bytes) -> str:
    return talk(s, *lines)[-1]


def greeted(role: Role = Role.MTA, **config: object) -> SMTPServer:
    s = server(role, **config)
    talk(s, "EHLO client.example.net")
    return s


def submission(users: dict[str, str] | None = None, **config: object) -> SMTPServer:
    """An MSA after EHLO inside (implicit) TLS, not yet authenticated."""
    s = server(Role.MSA, ServerPolicy(users or {"alice": "secret"}), implicit_tls=True, **config)
    talk(s, "EHLO laptop.example.net")
    return s


def plain(user: str, password: str, authzid: str = "") -> str:
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


def logged_in() -> SMTPServer:
    s = submission()
    assert last(s, "AUTH PLAIN " + plain("alice", "secret")).startswith("235 ")
    return s


def in_data(s: SMTPServer | None = None) -> SMTPServer:
    s = s or greeted()
    talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<b@example.org>")
    assert last(s, "DATA").startswith("354 ")
    return s


def events_of(s: SMTPServer, data: bytes, kind: type) -> list:
    return [e for e in s.receive_data(data) if isinstance(e, kind)]
