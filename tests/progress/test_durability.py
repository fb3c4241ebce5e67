"""The record survives what happens to real processes: SIGKILL mid-quiz, two writers at once.

Each test runs children (``tests/progress/writer.py``) with XDG_DATA_HOME in
tmp_path, and reads the record afterwards with a fresh connection.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.progress.store import open_store
from tests.progress.writer import made_up

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(120)


def _child(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.progress.writer", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def env(tmp_path):
    environment = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    environment.pop("SMTPSIM_PROFILE", None)
    return environment


def _db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "smtpsim" / "progress.db"


def test_a_quiz_killed_with_sigkill_keeps_every_answer_given(tmp_path, env):
    child = _child(["--quiz", "5"], env)
    answered: list[str] = []
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("answered "):
            answered.append(line.split()[1])
        if line.strip() == "waiting":
            break
    else:
        pytest.fail("the quiz child ended early: " + (child.stderr.read() if child.stderr else ""))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert len(answered) == 5
    with open_store(_db(tmp_path)) as store:
        assert store.quick_check() == "ok"
        stored = store.answers()
        assert [a.question_id for a in stored] == answered
        assert [a.correct for a in stored] == [False, True, False, True, False]
        left = store.unfinished_session()  # what `smtpsim quiz --resume` would ask
        assert left is not None and len(left.unanswered) == 3 and left.answered == tuple(answered)


def test_sigkill_while_writing_loses_at_most_the_answer_being_written(tmp_path, env):
    child = _child(["burst", "100000"], env)
    assert child.stdout is not None
    seen = 0
    for line in child.stdout:
        seen += line.startswith("saved ")
        if seen >= 60:
            break
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    saved = seen + sum(line.startswith("saved ") for line in rest.splitlines())
    with open_store(_db(tmp_path)) as store:
        assert store.quick_check() == "ok"
        ids = [a.question_id for a in store.answers()]
    # Every answer reported saved is there, in order, and at most the one in flight besides.
    assert saved <= len(ids) <= saved + 1
    assert ids == [made_up("burst", n).id for n in range(len(ids))]


def test_two_processes_answering_at_once_lose_nothing(tmp_path, env):
    go = tmp_path / "go"
    children = [_child([tag, "150", str(go)], env) for tag in ("left", "right")]
    go.write_text("")  # both are waiting for this: they write at the same time
    outputs = [c.communicate(timeout=100) for c in children]
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, out[-500:] + err[-2000:]
        assert out.count("saved ") == 150
    with open_store(_db(tmp_path)) as store:
        answers = store.answers()
    assert len(answers) == 300
    for tag in ("left", "right"):
        mine = [a.question_id for a in answers if a.question.startswith(tag)]
        assert mine == [made_up(tag, n).id for n in range(150)]  # each in its own order, none missing
    # They really overlapped: the two writers' answers are interleaved in time.
    tags = [a.question.split()[0] for a in answers]
    assert sum(1 for a, b in zip(tags, tags[1:]) if a != b) > 2
