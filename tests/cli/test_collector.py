"""The console script's start-up and exit without the cyclic garbage collector (simulator.cli.collector).

Each check runs a fresh interpreter: the collector's state is the process's.
"""

from __future__ import annotations

import json
import subprocess
import sys

_ENTRY = """
import gc, json, sys
sys.argv = ["smtpsim", *{argv!r}]
from simulator.cli import main as cli
collections = []  # from here on: the freeze count at each collection
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(gc.get_freeze_count()))
seen = []
if {spy!r}:
    real = getattr(cli, {spy!r})
    def spy(*args):
        seen.append(gc.isenabled())
        return real(*args)
    setattr(cli, {spy!r}, spy)
code = cli.{call}
sys.stdout.flush()
sys.stderr.write("\\nSTATE " + json.dumps({{"code": code, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                                           "collections": collections, "seen": seen}}) + "\\n")
"""


def _run(argv: list[str], call: str = "entry()", spy: str = "") -> tuple[str, dict]:
    done = subprocess.run([sys.executable, "-c", _ENTRY.format(argv=argv, call=call, spy=spy)], capture_output=True,
                          text=True, timeout=60, check=True)
    line = next(li for li in done.stderr.splitlines() if li.startswith("STATE "))
    return done.stdout, json.loads(line.removeprefix("STATE "))


def test_run_collects_during_the_run_and_not_while_starting():
    out, state = _run(["run", "submission-starttls", "--json"])
    assert state["code"] == 0 and state["enabled"] and state["frozen"] > 0
    # Every collection came after start-up had been frozen; and the run itself was collected.
    assert state["collections"] and all(frozen > 0 for frozen in state["collections"])
    plain, _ = _run(["run", "submission-starttls", "--json"], call="main()")
    assert out == plain and out.count("\n") > 100


def test_main_in_process_leaves_the_collector_alone():
    _, state = _run(["run", "submission-starttls", "--json"], call="main()")
    assert state["enabled"] and state["frozen"] == 0


def test_other_commands_run_with_the_collector_on():
    out, state = _run(["list", "--json"], spy="_list")
    assert state["seen"] == [True] and state["code"] == 0 and json.loads(out)


def test_a_scenario_error_still_ends_with_the_collector_on():
    _, state = _run(["run", "no-such-scenario", "--json"])
    assert state["code"] == 2 and state["enabled"]
