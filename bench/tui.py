"""How fast the player starts and steps, against a bare Textual app in the same run.

    PYTHONPATH=. python bench/tui.py            # 5 start-ups of each app, every step of both traces
    PYTHONPATH=. python bench/tui.py --quick    # 2 start-ups, 2,000 steps of the big trace

First paint: each app starts in a fresh Python process (imports count: a
person typing ``smtpsim`` pays them), headless at 100x30, and is timed from
the process being spawned until its first screen has been laid out and
rendered. Bytecode is cached as for an installed program (see child_env). smtpsim's includes loading the default scenario and running the
engine once; a third line shows the UI alone, given a ready (synthetic)
trace, to tell the player's cost from the engine's. The bare app mounts a
Header, a Footer and three Statics. The figure is the median of the runs.

Steps: in one process, ``action_next`` on the player screen, then the
messages it caused are processed and the screen is rendered; timed per step,
over the longest shipped scenario and a generated 10,000-event trace.
Animations are off so the envelope's later frames do not land inside another
step's timing.

The last line is ``ratio X.XX worst-step-ms Y.Y``: smtpsim's first paint over
the bare app's, and the worst single step over both traces. Goals: ratio at
most 1.3, worst step at most 16 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (100, 30)

_CHILD = r'''
import sys
sys.path.insert(0, {root!r})
which = sys.argv[1]
if which == "bare":
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("one")
            yield Static("two")
            yield Static("three")
            yield Footer()

    app = Bare()
elif which == "ui":
    from simulator.ui.app import SmtpsimApp
    from tests.ui.synthetic import journey

    app = SmtpsimApp(journey())
else:
    from simulator.run import run_scenario
    from simulator.scenario.library import DEFAULT_SCENARIO, open_scenario
    from simulator.ui.app import SmtpsimApp

    app = SmtpsimApp(run_scenario(open_scenario(DEFAULT_SCENARIO)))


async def painted(pilot):
    # Everything mounted so far has handled its messages; then one frame is rendered.
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()
    print("painted", flush=True)
    pilot.app.exit()

app.run(headless=True, size={size!r}, auto_pilot=painted)
'''


def child_env(cache: str) -> dict[str, str]:
    """As an installed program runs: with its modules' bytecode cached.

    This machine sets PYTHONDONTWRITEBYTECODE, so smtpsim's own modules would
    be compiled from source on every start while Textual's come precompiled
    from site-packages. A private cache directory (not the checkout) and one
    untimed warm-up run per app put both on the same footing.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def first_paint(which: str, env: dict[str, str] | None = None) -> float:
    code = _CHILD.format(root=str(ROOT), size=SIZE)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, which], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env=env)
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "painted":
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{which}: the app never painted (exit {child.wait()})")
    child.wait()
    return elapsed


async def step_times(trace, limit: int | None) -> list[float]:
    from simulator.ui.app import SmtpsimApp

    app = SmtpsimApp(trace, loader=None)
    app.animation_level = "none"
    times: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.player
        steps = len(trace.events) - 1 if limit is None else min(limit, len(trace.events) - 1)
        for _ in range(steps):
            start = time.perf_counter()
            screen.action_next()
            await pilot._wait_for_screen()
            screen._on_timer_update()
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and steps, for a smoke run")
    args = parser.parse_args()
    runs = 2 if args.quick else 5

    paints: dict[str, list[float]] = {"bare": [], "smtpsim": [], "ui": []}
    with tempfile.TemporaryDirectory(prefix="smtpsim-bench-pycache-") as cache:
        env = child_env(cache)
        for which in paints:
            first_paint(which, env)  # warm-up: fills the bytecode cache
        for _ in range(runs):  # interleaved, so a busy moment on the machine hits all of them
            for which, times in paints.items():
                times.append(first_paint(which, env))
    labels = {"bare": "bare Textual app", "smtpsim": "smtpsim player",
              "ui": "  of which the UI alone (a ready trace, no engine)"}
    for which in ("bare", "smtpsim", "ui"):
        times = paints[which]
        print(f"first paint, {labels[which]:<50} median {statistics.median(times) * 1000:6.1f} ms  (runs: "
              + ", ".join(f"{t * 1000:.0f}" for t in times) + ")")
    bare_s, ours_s = statistics.median(paints["bare"]), statistics.median(paints["smtpsim"])

    sys.path.insert(0, str(ROOT))
    from simulator.run import run_scenario
    from simulator.scenario.library import list_scenarios
    from tests.ui.synthetic import big

    longest = max((run_scenario(s) for s in list_scenarios()), key=lambda t: len(t.events))
    worst = 0.0
    for label, trace, limit in ((f"{longest.scenario} ({len(longest.events)} events)", longest, None),
                                ("generated (10,000 events)", big(10_000), 2_000 if args.quick else None)):
        times = asyncio.run(step_times(trace, limit))
        worst = max(worst, max(times))
        print(f"step, {label:<34} mean {statistics.fmean(times) * 1000:6.2f} ms  "
              f"p99 {sorted(times)[int(len(times) * 0.99) - 1] * 1000:6.2f} ms  worst {max(times) * 1000:6.2f} ms  "
              f"({len(times)} steps)")
    print(f"ratio {ours_s / bare_s:.2f} worst-step-ms {worst * 1000:.1f}")


if __name__ == "__main__":
    main()
