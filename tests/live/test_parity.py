"""The parity contract: every scenario live mode can make real ends the same on real servers.

For each shipped scenario, ``smtpsim run --outcomes`` (the simulation) and
``smtpsim live --replay`` (the scenario's messages through the live servers,
over real sockets and TLS, retries compressed by the time scale) must print
the same outcome lines, and both must match the outcome worked out here by
hand from the RFCs, so that a mistake in the shared delivery core (which
both would share) fails too. The scenarios that cannot be replayed, and
why, are listed in docs/live.md; a test keeps that list honest.

The same replays then show, on the live side, what the simulation tests
show on theirs: the MX order, a null MX, the retry timing, the DSN fields.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from simulator.live import LiveMode, LiveOptions, LiveThread
from simulator.live.replay import cannot_replay, replay
from simulator.run import outcomes
from simulator.scenario import list_scenarios
from simulator.scenario.library import open_scenario
from simulator.trace.events import Kind, TraceEvent

pytestmark = [pytest.mark.socket, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
SCALE = 100_000  # scenario seconds per real second: five days of retries in 4.3 s
ALICE = "alice@example.org"

# What each scenario must end with, worked out from the scenario and the RFCs (not from the code):
# (recipient, result, enhanced status, who got the failure DSN).
EXPECTED: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    "submission-starttls": [("bob@example.net", "delivered", "2.0.0", None)],
    "submission-implicit-tls": [("bob@example.net", "delivered", "2.0.0", None)],
    "pop3-retrieval": [("bob@example.net", "delivered", "2.0.0", None)],
    # Push mail changes how the mailbox is read, not how mail is delivered.
    "imap-push": [("bob@example.net", "delivered", "2.0.0", None)],
    # RFC 4954 §6: 535 5.7.8 to the wrong password; the MSA takes nothing, nobody gets a DSN.
    "auth-failure": [("bob@example.net", "refused", "5.7.8", None)],
    # RFC 3463 X.1.1 bad destination mailbox address.
    "user-unknown": [("bbo@example.net", "bounced", "5.1.1", ALICE)],
    # RFC 5321 §5.1: the backup MX takes it.
    "mx-failover": [("bob@example.net", "delivered", "2.0.0", None)],
    "implicit-mx": [("bob@example.net", "delivered", "2.0.0", None)],
    # RFC 7505 §4.1: 556 5.1.10 at once.
    "null-mx": [("bob@example.net", "bounced", "5.1.10", ALICE)],
    # RFC 3463 X.1.2 bad destination system address.
    "nxdomain": [("bob@exmaple.net", "bounced", "5.1.2", ALICE)],
    "dns-temporary-failure": [("bob@example.net", "delivered", "2.0.0", None)],
    "greylisting": [("bob@example.net", "delivered", "2.0.0", None)],
    "mailbox-full": [("bob@example.net", "delivered", "2.0.0", None)],
    # RFC 1870 §6.1 / RFC 3463 X.3.4 message too big for system.
    "message-too-large": [("bob@example.net", "bounced", "5.3.4", ALICE)],
    # RFC 3463 X.4.7: the actual problem (X.4.1 no answer from host) rather than 4.4.7.
    "retry-expired": [("bob@example.net", "bounced", "4.4.1", ALICE)],
    # The MX said 250, then final delivery failed: it bounces itself (RFC 5321 §6.1), X.2.2 mailbox full.
    "remote-bounce": [("bob@example.net", "bounced", "5.2.2", ALICE)],
    "partial-delivery": [("bob@example.net", "delivered", "2.0.0", None),
                         ("bbo@example.net", "bounced", "5.1.1", ALICE),
                         ("carol@example.net", "bounced", "5.2.2", ALICE)],
    # RFC 7372 §3.3: X.7.25 reverse DNS validation failed, basic code 550; permanent, so a DSN.
    "reverse-dns": [("bob@example.net", "bounced", "5.7.25", ALICE)],
    # RFC 5782 §2.1 listed; RFC 3463 X.7.1 delivery not authorized; permanent, so a DSN.
    "dnsbl-listed": [("bob@example.net", "bounced", "5.7.1", ALICE)],
    # RFC 5321 §3.6.2: no relaying for a stranger; refused at RCPT, in the client's own session: no DSN.
    "open-relay-denied": [("carol@example.com", "refused", "5.7.1", None)],
    # Signed, SPF/DKIM/DMARC pass: delivered as before.
    "auth-pass": [("bob@example.net", "delivered", "2.0.0", None)],
    # RFC 7489 §10.3: refused in the session (550 5.7.1, "DMARC"), so nobody gets a DSN (no backscatter).
    "spoofed-sender": [("bob@example.net", "refused", "5.7.1", None)],
    # DKIM fails, but DMARC passes on aligned SPF (RFC 7489 §4.2): delivered.
    "dkim-broken": [("bob@example.net", "delivered", "2.0.0", None)],
    # SPF fails at the last hop, DKIM passes aligned: DMARC passes, delivered to the forwarding target.
    "forwarding-breaks-spf": [("bob@example.net", "delivered", "2.0.0", None)],
}

REPLAYABLE = [s.name for s in list_scenarios() if cannot_replay(open_scenario(s.name)) is None]
SKIPPED = [s.name for s in list_scenarios() if cannot_replay(open_scenario(s.name)) is not None]


@dataclass(frozen=True)
class Replayed:
    lines: list[dict[str, str | None]]
    events: list[TraceEvent]
    alice_mail: list[bytes]  # what reached the sender's mailbox (the DSNs)


_DATA: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def _data_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    _DATA["root"] = tmp_path_factory.mktemp("parity")


@lru_cache(maxsize=None)
def replayed(name: str) -> Replayed:
    """The scenario replayed once on live servers (module-wide: the tests below read the same run)."""
    mode = LiveMode(open_scenario(name), LiveOptions(listen="127.0.0.1", ephemeral=True, time_scale=SCALE,
                                                     data_dir=_DATA["root"] / name))
    thread = LiveThread(mode)
    thread.start()
    try:
        lines = thread.call(replay(mode), timeout=60)
        events = list(mode.trace.events)
        box = mode.store.mailbox(ALICE) if mode.store else None
        alice = [m.content for m in box.messages] if box is not None else []
    finally:
        thread.stop()
    return Replayed(lines, events, alice)


def _lines(expected: list[tuple[str, str, str | None, str | None]]) -> list[dict[str, str | None]]:
    return [{"rcpt": r, "result": res, "status": st, "dsn_to": to} for r, res, st, to in expected]


def test_every_shipped_scenario_has_an_expected_outcome_or_a_reason() -> None:
    assert sorted(EXPECTED) == sorted(REPLAYABLE)
    assert SKIPPED, "the on-path attacker and the forged certificate cannot be real"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_simulation_ends_as_the_rfcs_say(name: str) -> None:
    assert outcomes(open_scenario(name)) == _lines(EXPECTED[name])


@pytest.mark.parametrize("name", REPLAYABLE)
def test_live_replay_ends_exactly_as_the_simulation(name: str) -> None:
    live = replayed(name).lines
    assert live == outcomes(open_scenario(name))
    assert live == _lines(EXPECTED[name])


def test_docs_list_each_skipped_scenario_with_its_reason() -> None:
    doc = (ROOT / "docs" / "live.md").read_text(encoding="utf-8")
    section = doc.split("### Scenarios --replay cannot play", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", section, re.M))
    assert sorted(listed) == sorted(SKIPPED)
    for name in SKIPPED:
        assert listed[name] == cannot_replay(open_scenario(name))


# --- the same steps, seen on the live side -------------------------------------------------------


def _texts(name: str) -> list[str]:
    return [e.text for e in replayed(name).events]


def test_live_tries_the_mx_with_the_lowest_preference_first() -> None:
    texts = _texts("mx-failover")
    assert "MX order: mx1.example.net (10), mx2.example.net (20)" in texts  # RFC 5321 §5.1
    timed_out = next(i for i, t in enumerate(texts) if t.startswith("mx1.example.net: no answer"))
    connected = next(i for i, t in enumerate(texts) if "connecting to mx2.example.net" in t)
    assert timed_out < connected
    assert not any("connecting to mx1.example.net" in t for t in texts[:timed_out])


def test_live_null_mx_fails_at_once_without_connecting() -> None:
    texts = _texts("null-mx")
    assert any("publishes a null MX" in t for t in texts)
    assert not any("connecting to" in t and "example.net" in t.split(" at ")[0] for t in texts)


def test_live_retries_no_sooner_than_the_scaled_retry_interval() -> None:
    events = replayed("greylisting").events
    greylisted = next(e for e in events if e.text.startswith("451 4.7.1"))
    retried = next(e for e in events if e.t > greylisted.t and "connecting to mx1.example.net" in e.text)
    retry = open_scenario("greylisting").queue.retry
    assert retried.t - greylisted.t >= retry / SCALE  # RFC 5321 §4.5.4.1, compressed by the time scale


def _status_blocks(dsn: bytes) -> dict[str, email.message.Message]:
    msg = email.message_from_bytes(dsn, policy=email.policy.default)
    status = next(p for p in msg.walk() if p.get_content_type() == "message/delivery-status")
    blocks = status.get_payload()
    assert isinstance(blocks, list)
    return {b["Final-Recipient"].split(";", 1)[1].strip(): b for b in blocks[1:]}


def test_live_dsn_of_a_remote_bounce_names_no_remote_mta() -> None:
    [dsn] = replayed("remote-bounce").alice_mail
    block = _status_blocks(dsn)["bob@example.net"]
    assert block["Action"] == "failed" and block["Status"] == "5.2.2"
    assert block["Remote-MTA"] is None  # RFC 3464 §2.3.5: the MX itself reported it
    assert not " ".join(block["Diagnostic-Code"].split()).lower().startswith("smtp;")  # no SMTP server sent it


def test_live_dsn_of_an_smtp_refusal_names_the_mx_and_its_reply() -> None:
    [dsn] = replayed("user-unknown").alice_mail
    block = _status_blocks(dsn)["bbo@example.net"]
    assert block["Remote-MTA"] == "dns; mx1.example.net"
    assert re.fullmatch(r"smtp; 550 5\.1\.1 <bbo@example\.net>: .+", " ".join(block["Diagnostic-Code"].split()))


def test_live_events_are_typed_like_the_simulation() -> None:
    kinds = {e.kind for e in replayed("user-unknown").events}
    assert {Kind.SMTP, Kind.DNS, Kind.QUEUE, Kind.BOUNCE, Kind.TLS} <= kinds


# --- the two commands ----------------------------------------------------------------------------


def _smtpsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simulator", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_run_outcomes_and_live_replay_print_the_same_json_lines() -> None:
    simulated = _smtpsim("run", "partial-delivery", "--outcomes")
    replayed_ = _smtpsim("live", "partial-delivery", "--replay", "--time-scale", str(SCALE))
    assert simulated.returncode == 0 and replayed_.returncode == 0, replayed_.stderr
    assert simulated.stdout == replayed_.stdout
    lines = [json.loads(line) for line in simulated.stdout.splitlines()]
    assert [list(line) for line in lines] == [["rcpt", "result", "status", "dsn_to"]] * 3
    assert lines == _lines(EXPECTED["partial-delivery"])


def test_replay_of_a_scenario_live_mode_cannot_play_says_why_and_exits_2() -> None:
    result = _smtpsim("live", "starttls-stripped", "--replay")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == ("smtpsim live: starttls-stripped cannot be replayed on real servers: "
                                     + cannot_replay(open_scenario("starttls-stripped")) + " (see docs/live.md)")
