"""One interface for the SMTP, IMAP and POP3 machines, so drivers never ask which one they drive.

Each server machine satisfies ``common.ServerConnection``, takes the same
configuration names, reports TLS upgrades, logins and the end with the same
event types, and says its own refusal and goodbye in its protocol's words
(RFC 5321 §3.8 421, RFC 3501 §7.1.5 untagged BYE, RFC 1939 -ERR).
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.protocols import common, imap, pop3, smtp
from simulator.protocols.common import (
    ConnectionClosed,
    LoginSucceeded,
    ServerConnection,
    ShutdownReason,
    StartTLSReady,
    StartTLSRequested,
)
from simulator.protocols.mailstore import MailStore

ROOT = Path(__file__).resolve().parents[2]
HOST = "mail.example.net"


def _store() -> MailStore:
    store = MailStore()
    store.add_account("bob", "secret")
    return store


def _smtp(**config: bool) -> smtp.SMTPServer:
    return smtp.SMTPServer(smtp.SMTPServerConfig(hostname=HOST, role=smtp.Role.MSA, **config),
                           smtp.ServerPolicy({"bob": "secret"}))


def _imap(**config: bool) -> imap.IMAPServer:
    return imap.IMAPServer(imap.IMAPServerConfig(hostname=HOST, **config), _store())


def _pop3(**config: bool) -> pop3.POP3Server:
    return pop3.POP3Server(pop3.POP3ServerConfig(hostname=HOST, **config), _store())


MACHINES: dict[str, Callable[..., ServerConnection]] = {"smtp": _smtp, "imap": _imap, "pop3": _pop3}
# What each protocol says to ask for TLS and to log in (after TLS).
STARTTLS = {"smtp": [b"EHLO c.example\r\n", b"STARTTLS\r\n"], "imap": [b"a1 STARTTLS\r\n"], "pop3": [b"STLS\r\n"]}
_PLAIN = base64.b64encode(b"\0bob\0secret")
LOGIN = {"smtp": [b"EHLO c.example\r\n", b"AUTH PLAIN " + _PLAIN + b"\r\n"], "imap": [b"a2 LOGIN bob secret\r\n"],
         "pop3": [b"USER bob\r\n", b"PASS secret\r\n"]}
# The first line each protocol's refusal and goodbye must have (RFC 5321 §3.8, RFC 3501 §7.1.5, RFC 1939).
GOODBYE = {"smtp": re.compile(rb"421 "), "imap": re.compile(rb"\* BYE "), "pop3": re.compile(rb"-ERR ")}


@pytest.mark.parametrize("name", MACHINES)
def test_every_server_machine_satisfies_the_shared_interface(name: str) -> None:
    assert isinstance(MACHINES[name](), ServerConnection)


@pytest.mark.parametrize("config", [smtp.SMTPServerConfig, imap.IMAPServerConfig, pop3.POP3ServerConfig])
def test_the_configurations_use_the_same_names(config: type) -> None:
    names = {f.name for f in dataclasses.fields(config)}
    assert {"hostname", "implicit_tls", "starttls_available"} <= names
    assert "stls_available" not in names


def test_the_shared_events_are_one_type_in_every_protocol() -> None:
    for shared in (StartTLSRequested, StartTLSReady, ConnectionClosed, common.SessionClosed, common.Event):
        assert getattr(smtp, shared.__name__) is shared
        assert getattr(imap, shared.__name__) is shared
        assert getattr(pop3, shared.__name__) is shared
    assert issubclass(smtp.AuthSucceeded, LoginSucceeded)
    assert imap.LoginSucceeded is pop3.LoginSucceeded is LoginSucceeded


@pytest.mark.parametrize("name", MACHINES)
def test_starttls_is_one_event_then_tls_established(name: str) -> None:
    server = MACHINES[name]()
    server.start()
    events = [e for data in STARTTLS[name] for e in server.receive_data(data)]
    assert [e for e in events if isinstance(e, StartTLSRequested)] == [StartTLSRequested()]
    server.data_to_send()
    server.tls_established()
    events = [e for data in LOGIN[name] for e in server.receive_data(data)]
    logins = [e for e in events if isinstance(e, LoginSucceeded)]
    assert [e.user for e in logins] == ["bob"]


@pytest.mark.parametrize("reason", list(ShutdownReason))
@pytest.mark.parametrize("name", MACHINES)
def test_a_refusal_instead_of_the_greeting_is_the_protocols_own(name: str, reason: ShutdownReason) -> None:
    server = MACHINES[name]()
    events = server.start(reason)
    out = server.data_to_send()
    assert GOODBYE[name].match(out) and out.endswith(b"\r\n") and out.count(b"\r\n") == 1, out
    assert server.closed and isinstance(events[-1], ConnectionClosed)
    assert server.receive_data(b"anything\r\n") == [] and server.data_to_send() == b""


@pytest.mark.parametrize("reason", list(ShutdownReason))
@pytest.mark.parametrize("name", MACHINES)
def test_shutdown_says_goodbye_in_the_protocol_and_closes(name: str, reason: ShutdownReason) -> None:
    server = MACHINES[name](implicit_tls=True)
    server.start()
    server.data_to_send()
    for data in LOGIN[name]:
        server.receive_data(data)
    server.data_to_send()
    events = server.shutdown(reason)
    out = server.data_to_send()
    assert GOODBYE[name].match(out) and out.count(b"\r\n") == 1, out
    assert server.closed and isinstance(events[-1], ConnectionClosed)
    assert server.shutdown(reason) == [] and server.data_to_send() == b""


def test_smtp_says_why_it_closes() -> None:
    said = {}
    for reason in ShutdownReason:
        server = _smtp()
        server.start()
        server.data_to_send()
        server.shutdown(reason)
        said[reason] = server.data_to_send()
    # RFC 3463: X.4.2 bad connection (idle), X.3.2 system not accepting messages, X.7.0 policy.
    assert said[ShutdownReason.IDLE_TIMEOUT].startswith(b"421 4.4.2 mail.example.net ")
    assert said[ShutdownReason.SERVER_STOPPING].startswith(b"421 4.3.2 mail.example.net ")
    assert said[ShutdownReason.TOO_MANY_CONNECTIONS].startswith(b"421 4.7.0 mail.example.net ")


@pytest.mark.parametrize("name", MACHINES)
def test_connection_lost_closes_without_a_word(name: str) -> None:
    server = MACHINES[name]()
    server.start()
    server.data_to_send()
    events = server.connection_lost()
    assert server.closed and isinstance(events[-1], ConnectionClosed)
    assert server.data_to_send() == b""


def test_pop3_connection_lost_keeps_marked_messages() -> None:
    store = _store()
    store.deliver("bob", b"Subject: x\r\n\r\nbody\r\n", "01-Jan-2026 00:00:00 +0000")
    server = pop3.POP3Server(pop3.POP3ServerConfig(hostname=HOST, implicit_tls=True), store)
    server.start()
    for line in (b"USER bob\r\n", b"PASS secret\r\n", b"DELE 1\r\n"):
        server.receive_data(line)
    server.connection_lost()
    box = store.mailbox("bob")
    assert box is not None and len(box.messages) == 1  # no UPDATE state without QUIT (RFC 1939 §6)


# --- the drivers --------------------------------------------------------------------------------

DRIVERS = ["simulator/actors/network.py", "simulator/live/server.py"]


def _names(path: Path) -> tuple[set[str], list[bytes]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    literals: list[bytes] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            modules.update(a.name for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, bytes):
            literals.append(node.value)
    return modules, literals


@pytest.mark.parametrize("driver", DRIVERS)
def test_drivers_know_no_protocol_and_write_no_protocol_bytes(driver: str) -> None:
    source = (ROOT / driver).read_text(encoding="utf-8")
    modules, literals = _names(ROOT / driver)
    specific = sorted(m for m in modules if re.match(r"simulator\.protocols\.(smtp|imap|pop3)\b", m)
                      or m in {"simulator.protocols.smtp", "simulator.protocols.imap", "simulator.protocols.pop3"})
    assert specific == [], f"{driver} imports protocol-specific modules: {specific}"
    assert not re.search(r"Kind\.(SMTP|IMAP|POP3)\b", source), f"{driver} branches on the protocol"
    assert not re.search(r"isinstance\([^)]*(SMTPServer|IMAPServer|POP3Server)", source)
    assert literals == [], f"{driver} writes bytes of its own: {literals}"
