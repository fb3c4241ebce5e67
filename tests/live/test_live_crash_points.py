"""Killed at every step of a message's way, live mode still delivers each acknowledged message exactly once.

Live mode runs in a subprocess with ``SMTPSIM_CRASH_AT`` set to one crash
point (``simulator.live.crashpoints``): it dies at once there (``os._exit``,
no cleanup, as SIGKILL or a power cut would). A restart on the same data
directory must deliver every message the client was told 250 for exactly
once (counted by Message-ID in Bob's Maildir, read back with the email
package), a message that got no 250 at most once, and nothing else; and the
UIDs read back from disk are unique and ascending (RFC 9051 §2.3.1.1).
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from crashkit import delivered, queued, send, start, stop, uids, wait
from simulator.live import crashpoints
from simulator.live.crashpoints import CrashPoint

pytestmark = [pytest.mark.socket, pytest.mark.timeout(120)]


def _check(data_dir: Path, acked: list[str], unacked: list[str]) -> None:
    second, _ = start(data_dir)
    try:
        wait(lambda: queued(data_dir) == 0, 30, "the restarted queue to empty")
    finally:
        assert stop(second) == 0
    got = delivered(data_dir)
    assert {m: got[m] for m in acked} == {m: 1 for m in acked}  # exactly once
    assert all(got[m] <= 1 for m in unacked)  # never acknowledged: at most once
    assert set(got) <= set(acked) | set(unacked)
    listed = uids(data_dir)
    assert listed == sorted(set(listed)) and len(listed) == sum(got.values())


@pytest.mark.parametrize("point", list(CrashPoint), ids=lambda p: p.value)
def test_killed_at_each_step_every_acknowledged_message_arrives_once(tmp_path: Path, point: CrashPoint) -> None:
    data_dir = tmp_path / "data"
    first, info = start(data_dir, **{crashpoints.ENV: point.value})
    try:
        acked, unacked = send(info, [f"{point.value}.{i}" for i in range(3)])
        assert first.wait(timeout=30) == crashpoints.EXIT_STATUS  # it did reach the point
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert acked or unacked
    _check(data_dir, acked, unacked)


def test_sigkill_while_mail_flows_loses_and_doubles_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first, info = start(data_dir)
    results: list[tuple[list[str], list[str]]] = []

    def sender(n: int) -> None:
        results.append(send(info, [f"kill.{n}.{i}" for i in range(200)]))

    senders = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
    for t in senders:
        t.start()
    try:
        wait(lambda: sum(delivered(data_dir).values()) >= 10, 30, "some deliveries before the kill")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        for t in senders:
            t.join(timeout=30)
        if first.poll() is None:
            first.kill()
            first.wait()
    acked = [m for a, _ in results for m in a]
    unacked = [m for _, u in results for m in u]
    assert len(acked) >= 10
    _check(data_dir, acked, unacked)


def test_a_clean_stop_while_mail_flows_delivers_nothing_twice(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first, info = start(data_dir)
    results: list[tuple[list[str], list[str]]] = []

    def sender(n: int) -> None:
        results.append(send(info, [f"int.{n}.{i}" for i in range(200)]))

    senders = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
    for t in senders:
        t.start()
    try:
        wait(lambda: sum(delivered(data_dir).values()) >= 10, 30, "some deliveries before Ctrl-C")
        assert stop(first) == 0  # SIGINT, as Ctrl-C: a clean stop
    finally:
        for t in senders:
            t.join(timeout=30)
    acked = [m for a, _ in results for m in a]
    unacked = [m for _, u in results for m in u]
    _check(data_dir, acked, unacked)
    # A clean stop answers every message it has written before it closes the connection, so
    # nothing is on disk that its client was not told 250 for (which the client would send
    # again: a duplicate, RFC 5321 §6.1).
    assert set(delivered(data_dir)) == set(acked)
