"""The guard against password guessing: a delay per wrong password, a cooling-off per client address.

Time is a test clock and the delay a recorded fake sleep: nothing here waits for real.
"""

from __future__ import annotations

import asyncio
import base64
import imaplib
import poplib
import smtplib

import pytest

from simulator.live.authguard import AuthGuard, GuardLimits

from livekit import ALICE, ALICE_PW, BOB, BOB_PW, CLIENT_NAME, TIMEOUT, tls

pytestmark = [pytest.mark.socket, pytest.mark.timeout(60)]


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


# --- the guard on its own -----------------------------------------------------------------------------


def test_ten_failures_in_ten_minutes_refuse_the_address_for_ten_minutes() -> None:
    clock = Clock()
    guard = AuthGuard(clock=clock)
    for _ in range(9):
        guard.failed("192.0.2.7")
        clock.t += 1
    assert not guard.blocked("192.0.2.7")
    blocks = []
    guard.on_block = lambda address, limits: blocks.append(address)
    guard.failed("192.0.2.7")
    guard.failed("192.0.2.7")  # a later failure does not extend the cooling-off
    assert blocks == ["192.0.2.7"]
    assert guard.blocked("192.0.2.7") and not guard.blocked("192.0.2.8")  # per address
    clock.t += 599
    assert guard.blocked("192.0.2.7")
    clock.t += 1
    assert not guard.blocked("192.0.2.7") and guard.failures("192.0.2.7") == 0  # cooled off: a fresh start


def test_failures_older_than_the_window_do_not_count() -> None:
    clock = Clock()
    guard = AuthGuard(clock=clock)
    for _ in range(20):
        guard.failed("192.0.2.7")
        clock.t += 67  # ten take 603 s: never ten within 600 s
    assert not guard.blocked("192.0.2.7")
    assert guard.failures("192.0.2.7") == 8  # 67, 134 ... 536 s ago; 603 s is out of the window


def test_memory_stays_bounded_however_many_addresses_try() -> None:
    guard = AuthGuard(GuardLimits(max_addresses=100), clock=Clock())
    for i in range(5000):
        guard.failed(f"10.0.{i // 256}.{i % 256}")
    assert len(guard._failures) <= 100 and len(guard._blocked_until) <= 100


def test_the_defaults_are_dovecots_delay_and_ten_tries_in_ten_minutes() -> None:
    assert GuardLimits() == GuardLimits(failure_delay=2.0, max_failures=10, window=600.0, cooloff=600.0)


# --- live: SMTP AUTH, IMAP LOGIN, POP3 PASS on real sockets --------------------------------------------


@pytest.fixture
def guarded(live):
    """Live mode with a test clock in its guard and a sleep that only records how long it was asked."""
    mode = live()
    clock, slept = Clock(), []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    mode.hub.auth_guard = AuthGuard(clock=clock, on_block=mode.hub.auth_guard.on_block)
    mode.hub.sleep = sleep
    return mode, clock, slept


def _auth(client: smtplib.SMTP, user: str, password: str) -> tuple[int, bytes]:
    return client.docmd("AUTH", "PLAIN " + base64.b64encode(f"\0{user}\0{password}".encode()).decode())


def _smtp(mode) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", mode.ports["msa-starttls"], local_hostname=CLIENT_NAME, timeout=TIMEOUT)
    client.starttls(context=tls(mode))
    client.ehlo()
    return client


def test_smtp_wrong_passwords_wait_then_the_address_gets_421_even_with_the_right_one(guarded) -> None:
    mode, clock, slept = guarded
    for attempt in range(10):  # across connections: the count is per address
        with _smtp(mode) as client:
            assert _auth(client, ALICE, f"guess {attempt}")[0] == 535
    assert slept == [2.0] * 10  # each wrong password answered after Dovecot's auth_failure_delay
    client = _smtp(mode)
    code, text = _auth(client, ALICE, ALICE_PW)
    assert (code, text[:6]) == (421, b"4.7.0 ")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        client.noop()  # 421: the server has closed the connection
    assert any(e.text.startswith("127.0.0.1: 10 wrong passwords within 10 minutes") for e in mode.trace.events)
    clock.t += 600  # the cooling-off is over
    with _smtp(mode) as client:
        assert _auth(client, ALICE, ALICE_PW)[0] == 235
    assert slept == [2.0] * 10  # the refused and the right attempts were not delayed


def test_imap_logins_are_guarded_across_connections(guarded) -> None:
    mode, _clock, slept = guarded
    for attempt in range(10):
        with imaplib.IMAP4_SSL("127.0.0.1", mode.ports["imaps"], ssl_context=tls(mode), timeout=TIMEOUT) as im:
            with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
                im.login(BOB, f"guess {attempt}")
    assert slept == [2.0] * 10
    with imaplib.IMAP4_SSL("127.0.0.1", mode.ports["imaps"], ssl_context=tls(mode), timeout=TIMEOUT) as im:
        with pytest.raises(imaplib.IMAP4.error, match=r"\[UNAVAILABLE\]"):
            im.login(BOB, BOB_PW)


def test_pop3_and_smtp_share_one_count_per_address(guarded) -> None:
    mode, _clock, slept = guarded
    for attempt in range(5):
        with _smtp(mode) as client:
            assert _auth(client, ALICE, f"guess {attempt}")[0] == 535
    pop = poplib.POP3_SSL("127.0.0.1", mode.ports["pop3s"], context=tls(mode), timeout=TIMEOUT)
    try:
        for attempt in range(5):
            pop.user(BOB)
            with pytest.raises(poplib.error_proto, match="-ERR"):
                pop.pass_(f"guess {attempt}")
        pop.user(BOB)
        with pytest.raises(poplib.error_proto, match=r"\[SYS/TEMP\]"):
            pop.pass_(BOB_PW)
    finally:
        pop.close()
    assert slept == [2.0] * 10


def test_a_thousand_pipelined_guesses_get_ten_answers_then_421(guarded) -> None:
    # The attack: 1,000 AUTH lines at once, the right password last.
    mode, _clock, slept = guarded
    client = _smtp(mode)
    guesses = b"".join(b"AUTH PLAIN " + base64.b64encode(f"\0{ALICE}\0guess {i}".encode()) + b"\r\n"
                       for i in range(1000))
    right = b"AUTH PLAIN " + base64.b64encode(f"\0{ALICE}\0{ALICE_PW}".encode()) + b"\r\n"
    client.sock.sendall(guesses + right)
    replies = []
    reader = client.sock.makefile("rb")
    while line := reader.readline():
        replies.append(line[:3])
    assert replies == [b"535"] * 10 + [b"421"]  # then the server closed the connection
    assert slept == [2.0] * 10  # ten wrong passwords, each answered two seconds late, as if sent one by one
    client.close()
