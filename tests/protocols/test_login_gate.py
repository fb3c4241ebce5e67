"""Every server machine asks its LoginGate before checking a password, and tells it of wrong ones.

The gate (live mode's guard against guessing) is the application's: here a stub. Refusals in each
protocol's words for "temporarily unavailable": SMTP 421 4.7.0 and close (RFC 5321 §3.8), IMAP
NO [UNAVAILABLE] (RFC 5530), POP3 -ERR [SYS/TEMP] (RFC 3206).
"""

from __future__ import annotations

import base64

from simulator.protocols.imap import IMAPServer, IMAPServerConfig
from simulator.protocols.mailstore import MailStore
from simulator.protocols.pop3 import POP3Server, POP3ServerConfig
from simulator.protocols.smtp import Role, ServerPolicy, SMTPServer, SMTPServerConfig


class Gate:
    def __init__(self, open_: bool = True) -> None:
        self.open = open_
        self.failures = 0
        self.asked = 0

    def allowed(self) -> bool:
        self.asked += 1
        return self.open

    def failed(self) -> None:
        self.failures += 1


def _store() -> MailStore:
    store = MailStore()
    store.add_account("alice", "secret")
    return store


def _smtp(gate: Gate) -> SMTPServer:
    s = SMTPServer(SMTPServerConfig("mx.example.org", Role.MSA, implicit_tls=True), ServerPolicy({"alice": "secret"}),
                   login_gate=gate)
    s.start()
    s.receive_data(b"EHLO laptop\r\n")
    s.data_to_send()
    return s


def _plain(user: str, password: str) -> bytes:
    return base64.b64encode(f"\0{user}\0{password}".encode())


def test_smtp_counts_wrong_passwords_only() -> None:
    gate = Gate()
    s = _smtp(gate)
    s.receive_data(b"AUTH PLAIN " + _plain("alice", "guess") + b"\r\nAUTH PLAIN !!notbase64\r\n")
    assert s.data_to_send().startswith(b"535 5.7.8 ")
    assert gate.failures == 1  # the undecodable one is a syntax error (501), not a guess
    s.receive_data(b"AUTH PLAIN " + _plain("alice", "secret") + b"\r\n")
    assert s.data_to_send().startswith(b"235 ") and gate.failures == 1


def test_smtp_refuses_even_the_right_password_when_the_gate_is_shut() -> None:
    s = _smtp(Gate(open_=False))
    s.receive_data(b"AUTH PLAIN " + _plain("alice", "secret") + b"\r\n")
    reply = s.data_to_send()
    assert reply.startswith(b"421 4.7.0 mx.example.org ") and reply.endswith(b"\r\n")
    assert s.closed and s.auth_user is None


def _imap(gate: Gate) -> IMAPServer:
    s = IMAPServer(IMAPServerConfig("imap.example.org", implicit_tls=True), _store(), login_gate=gate)
    s.start()
    s.data_to_send()
    return s


def test_imap_login_and_authenticate_go_through_the_gate() -> None:
    gate = Gate()
    s = _imap(gate)
    s.receive_data(b"a1 LOGIN alice guess\r\na2 AUTHENTICATE PLAIN " + _plain("alice", "guess2") + b"\r\n")
    out = s.data_to_send()
    assert b"a1 NO [AUTHENTICATIONFAILED]" in out and b"a2 NO [AUTHENTICATIONFAILED]" in out
    assert gate.failures == 2
    gate.open = False
    s.receive_data(b"a3 LOGIN alice secret\r\n")
    assert s.data_to_send().startswith(b"a3 NO [UNAVAILABLE] ")
    s.receive_data(b"a4 SELECT INBOX\r\n")
    assert s.data_to_send().startswith(b"a4 BAD ")  # still not authenticated


def _pop3(gate: Gate) -> POP3Server:
    s = POP3Server(POP3ServerConfig("pop.example.org", implicit_tls=True), _store(), login_gate=gate)
    s.start()
    s.data_to_send()
    return s


def test_pop3_pass_goes_through_the_gate() -> None:
    gate = Gate()
    s = _pop3(gate)
    s.receive_data(b"USER alice\r\nPASS guess\r\n")
    assert s.data_to_send().split(b"\r\n")[1].startswith(b"-ERR ")
    assert gate.failures == 1
    gate.open = False
    s.receive_data(b"USER alice\r\nPASS secret\r\n")
    assert s.data_to_send().split(b"\r\n")[1].startswith(b"-ERR [SYS/TEMP] ")
    s.receive_data(b"STAT\r\n")
    assert s.data_to_send().startswith(b"-ERR ")  # still in the AUTHORIZATION state
