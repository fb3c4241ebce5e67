"""The submission server binds the sender to the login, in the simulation's own servers (RFC 6409 §6.1).

The simulation, live mode and ``smtpsim talk`` build their MSA with the one factory
(``simulator.delivery.servers.server_for``), so driving that machine here is what every one of them does.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from simulator.delivery.servers import server_for
from simulator.run import simulate
from simulator.scenario.library import open_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
ALICE, ALICE_PW = "alice@example.org", "correct horse battery staple"


def _msa_session():
    world = simulate(open_scenario("submission-starttls"))
    msa = next(h for h in world.scenario.hosts if h.id == "msa")
    laptop = next(h for h in world.scenario.hosts if h.id == "alice")
    side = server_for(world, msa, 465, laptop)  # implicit TLS: AUTH is offered at once
    machine = side.machine
    machine.start()
    token = base64.b64encode(f"\0{ALICE}\0{ALICE_PW}".encode()).decode()
    machine.receive_data(f"EHLO laptop\r\nAUTH PLAIN {token}\r\n".encode())
    assert machine.data_to_send().endswith(b"235 2.7.0 Authentication successful\r\n")
    return world, machine


def _say(machine, data: bytes) -> list[str]:
    machine.receive_data(data)
    return machine.data_to_send().decode().split("\r\n")[:-1]


def test_mail_from_another_address_gets_553_5_7_1_naming_the_login() -> None:
    _, machine = _msa_session()
    [reply] = _say(machine, b"MAIL FROM:<bob@example.net>\r\n")
    assert reply.startswith("553 5.7.1 ") and "bob@example.net" in reply and ALICE in reply
    assert _say(machine, b"MAIL FROM:<ALICE@example.ORG>\r\n")[0].startswith("250 ")  # addresses compare without case


def test_the_null_sender_is_allowed_as_postfix_allows_it() -> None:
    _, machine = _msa_session()
    assert _say(machine, b"MAIL FROM:<>\r\n")[0].startswith("250 ")


def test_a_from_header_naming_someone_else_gets_550_5_7_1_and_nothing_is_queued() -> None:
    world, machine = _msa_session()
    before = len(world.accepted())
    replies = _say(machine, b"MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n"
                            b"From: bob <bob@example.net>\r\nSubject: hi\r\n\r\nhello\r\n.\r\n")
    assert replies[-1].startswith("550 5.7.1 ") and "bob@example.net" in replies[-1]
    assert len(world.accepted()) == before


@pytest.mark.parametrize("name", [p.stem for p in sorted(SCENARIOS.glob("*.toml"))])
def test_no_lesson_sends_as_someone_else(name: str) -> None:
    # The lessons' clients send as the account they log in with: the binding refuses nothing of theirs.
    trace = simulate(open_scenario(name)).trace()
    assert not [e.text for e in trace.events if "not owned by user" in e.text]


def test_the_trace_explains_the_refusal_with_rfc_6409() -> None:
    from simulator.trace.narrate.smtp import SMTPNarrator

    narrator = SMTPNarrator(submission=True, client_is_mua=True)
    narrator.client(b"MAIL FROM:<bob@example.net>\r\n")
    [line] = narrator.server(b"553 5.7.1 <bob@example.net>: Sender address rejected: not owned by user alice\r\n")
    assert line.rfc == "RFC 6409 §6.1" and "backscatter" in line.explain
