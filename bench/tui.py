"""How fast the player starts and steps, against a bare Textual app in the same run.

    PYTHONPATH=. python bench/tui.py            # 5 start-ups of each app, every step of both traces
    PYTHONPATH=. python bench/tui.py --quick    # 2 start-ups, 2,000 steps of the big trace
    PYTHONPATH=. python bench/tui.py --steps-only --worst 10   # no start-ups; the 10 slowest steps of each trace

First paint: each app starts in a fresh Python process (imports count: a
person typing ``smtpsim`` pays them), headless at 100x30. smtpsim starts the
way ``smtpsim`` does, through ``simulator.cli.main.main(["play"])`` (only
``App.run`` is wrapped, to run headless with the pilot); the bare app mounts a
Header, a Footer and three Statics; a third line starts the player on a ready
(synthetic) trace, the UI without the CLI. Each child reports its own CPU time
(``time.process_time()``, every thread: interpreter start, imports, work) at
three moments: its first full frame written to the terminal (the first
paint, what the ratio uses); the "settled" paint (everything mounted has
handled its messages, then a frame is rendered); and the frame with the
trace on it (the player runs the scenario on a worker after its first frame,
from the trace cache after the first time; a private cache here, which the
warm-up run fills). Wall time from spawn is printed beside. Bytecode is cached
as for an installed program (see child_env). Medians of the runs,
interleaved.

Steps: in one process, ``action_next`` on the player screen, then the
messages it caused are processed and the screen is rendered; per step, the
CPU time of the thread that runs the step (``time.thread_time()``: the event
loop's, where the widgets, the compositor and the garbage collector run; a
headless pilot has no driver thread, and no worker runs while stepping), over
the longest shipped scenario and a generated 10,000-event trace. The harness (the pilot's wait for the screen to settle
and a render with nothing to do) is measured the same way by a null step
after every step, and its median is subtracted; wall time per step is
printed beside. Animations are off so the envelope's later frames do not land
inside another step's timing. Every garbage collection inside a step is
counted and timed, whatever its generation (a young collection over a big pile
costs as much as a full one). ``--worst N`` prints each trace's N slowest
steps: the event's index and kind, the chapter it starts (if it does), and the
collections that ran in it.

The last line is ``ratio X.XX worst-step-cpu-ms Y.Y p99-step-cpu-ms Z.Z``:
smtpsim's first-frame CPU over the bare app's, and the worst and 99th
percentile step CPU (harness excluded) over both traces. Goals: ratio at most
1.3, worst step at most 16 ms, p99 at most 10 ms. With ``--steps-only`` the
last line is ``worst-step-cpu-ms Y.Y p99-step-cpu-ms Z.Z``.
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
import time
sys.path.insert(0, {root!r})
which = sys.argv[1]
if which == "smtpsim":
    # As the CLI runs: its parser's modules load with the collector on, and ``play`` turns it off
    # before the scenario and Textual load (simulator.cli.main._play); Textual is loaded here, a
    # moment early, only so that its first frame can be timed.
    import gc

    from simulator.cli.main import main
    gc.disable()

from textual.app import App

_display = App._display


def displayed(self, screen, update):
    # The first full frame written to the terminal: what a person sees first.
    _display(self, screen, update)
    if update is not None and type(update).__name__ == "LayoutUpdate" and not hasattr(App, "_first_frame"):
        App._first_frame = time.process_time()
        print("frame", App._first_frame, flush=True)


App._display = displayed
if which == "bare":
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
else:  # "smtpsim": as `smtpsim` with no arguments starts, through the CLI (its start-up included)
    _run = App.run
    App.run = lambda self, **_: _run(self, headless=True, size={size!r}, auto_pilot=painted)


async def painted(pilot):
    # Everything mounted so far has handled its messages; then one frame is rendered.
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()
    print("painted", time.process_time(), flush=True)
    # The player then runs the scenario on a worker (or had the trace already): until it is on screen.
    while getattr(pilot.app.screen, "pending", None) is not None:
        await pilot.pause(0.002)
    await pilot.app.workers.wait_for_complete()
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()
    print("filled", time.process_time(), flush=True)
    pilot.app.exit()

if which == "smtpsim":
    main(["play"])
else:
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
    # The trace cache the player starts from: a private one, which the warm-up run fills.
    env["XDG_CACHE_HOME"] = os.path.join(cache, "xdg-cache")
    return env


def first_paint(which: str, env: dict[str, str] | None = None) -> dict[str, tuple[float, float]]:
    """(CPU seconds, wall seconds) from spawn to three moments of a fresh process: "frame", its first full
    frame written to the terminal; "painted", once everything mounted has handled its messages and a
    frame is rendered (for smtpsim that includes the start of the run on its worker); "filled", the
    frame with the trace on it (for an app that has it from the start, about the same as "painted")."""
    code = _CHILD.format(root=str(ROOT), size=SIZE)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, which], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env=env)
    assert child.stdout is not None
    seen: dict[str, tuple[float, float]] = {}
    for line in child.stdout:
        word, _, value = line.partition(" ")
        if word in ("frame", "painted", "filled"):
            seen[word] = (float(value), time.perf_counter() - start)
            if word == "filled":
                break
    child.wait()
    if len(seen) != 3:
        raise RuntimeError(f"{which}: the app never painted (exit {child.returncode})")
    return seen


COLLECTIONS: list[tuple[int, float]] = []  # (generation, thread CPU seconds) of every collection so far
_gc_started = [0.0]


def _time_collections(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.thread_time()
    else:
        COLLECTIONS.append((info["generation"], time.thread_time() - _gc_started[0]))


async def step_times(trace, limit: int | None) -> tuple[list[float], list[float], float, list[list[tuple[int, float]]],
                                                      list[str]]:
    """Per step: thread CPU seconds with the harness's median subtracted, wall seconds, that median,
    the garbage collections that ran inside the step (generation, CPU seconds), and the chapter the
    step starts ("" if it stays in one)."""
    import gc

    from simulator.ui.app import SmtpsimApp

    app = SmtpsimApp(trace, loader=None)
    app.animation_level = "none"
    cpu: list[float] = []
    wall: list[float] = []
    harness: list[float] = []
    collections: list[list[tuple[int, float]]] = []
    chapters: list[str] = []
    gc.callbacks.append(_time_collections)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.player
        steps = len(trace.events) - 1 if limit is None else min(limit, len(trace.events) - 1)
        for step in range(steps):
            collections_before = len(COLLECTIONS)
            start, start_cpu = time.perf_counter(), time.thread_time()
            screen.action_next()
            await pilot._wait_for_screen()
            screen._on_timer_update()
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
            collections.append(COLLECTIONS[collections_before:])
            chapters.append(screen.chapter_label(step + 1) if screen.chapter_label(step) != screen.chapter_label(
                step + 1) else "")
            # The null step: the same waiting and rendering with no action, i.e. the harness.
            start_cpu = time.thread_time()
            await pilot._wait_for_screen()
            screen._on_timer_update()
            harness.append(time.thread_time() - start_cpu)
    gc.callbacks.remove(_time_collections)
    overhead = statistics.median(harness)
    return [max(0.0, c - overhead) for c in cpu], wall, overhead, collections, chapters


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and steps, for a smoke run")
    parser.add_argument("--steps-only", action="store_true", help="only the steps, no start-ups")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="print each trace's N slowest steps")
    args = parser.parse_args()
    runs = 2 if args.quick else 5
    if args.steps_only:
        steps(args)
        return

    paints: dict[str, list[dict[str, tuple[float, float]]]] = {"bare": [], "smtpsim": [], "ui": []}
    with tempfile.TemporaryDirectory(prefix="smtpsim-bench-pycache-") as cache:
        env = child_env(cache)
        for which in paints:
            first_paint(which, env)  # warm-up: fills the bytecode cache (and smtpsim's trace cache)
        for _ in range(runs):  # interleaved, so a busy moment on the machine hits all of them
            for which, times in paints.items():
                times.append(first_paint(which, env))
    labels = {"bare": "bare Textual app", "smtpsim": "smtpsim player",
              "ui": "  the UI alone (a ready synthetic trace, no CLI)"}

    def median(which: str, moment: str, part: int) -> float:
        return statistics.median(run[moment][part] for run in paints[which])

    moments = {"frame": "first frame", "painted": "settled paint", "filled": "trace on screen"}
    for moment, name in moments.items():
        for which in ("bare", "smtpsim", "ui"):
            if moment == "filled" and which == "bare":
                continue
            cpus = [run[moment][0] for run in paints[which]]
            print(f"{name}, {labels[which]:<48} CPU median {median(which, moment, 0) * 1000:6.1f} ms  (runs: "
                  + ", ".join(f"{t * 1000:.0f}" for t in cpus) + f")  wall median "
                  f"{median(which, moment, 1) * 1000:6.1f} ms")
    ratio = median("smtpsim", "frame", 0) / median("bare", "frame", 0)
    settled_ratio = median("smtpsim", "painted", 0) / median("bare", "painted", 0)
    wall_ratio = median("smtpsim", "frame", 1) / median("bare", "frame", 1)

    worst, worst_p99 = steps(args)
    print(f"first-frame wall ratio {wall_ratio:.2f}; settled-paint CPU ratio {settled_ratio:.2f}")
    print(f"ratio {ratio:.2f} worst-step-cpu-ms {worst * 1000:.1f} p99-step-cpu-ms {worst_p99 * 1000:.1f}")


def steps(args: argparse.Namespace) -> tuple[float, float]:
    """Step through both traces, print their figures; the worst and p99 step CPU over both."""
    sys.path.insert(0, str(ROOT))
    from simulator.run import run_scenario
    from simulator.scenario.library import list_scenarios
    from tests.ui.synthetic import big

    longest = max((run_scenario(s) for s in list_scenarios()), key=lambda t: len(t.events))
    worst = worst_p99 = 0.0
    for label, trace, limit in ((f"{longest.scenario} ({len(longest.events)} events)", longest, None),
                                ("generated (10,000 events)", big(10_000), 2_000 if args.quick else None)):
        cpu, wall, overhead, collections, chapters = asyncio.run(step_times(trace, limit))
        worst, worst_p99 = max(worst, max(cpu)), max(worst_p99, p99(cpu))
        print(f"step CPU, {label:<30} mean {statistics.fmean(cpu) * 1000:6.2f} ms  p99 {p99(cpu) * 1000:6.2f} ms  "
              f"worst {max(cpu) * 1000:6.2f} ms  ({len(cpu)} steps; harness {overhead * 1000:.2f} ms subtracted)")
        slow_gc = [c for g in collections for _, c in g]
        less_gc = [c - sum(t for _, t in g) for c, g in zip(cpu, collections)]
        print(f"          {sum(1 for g in collections if g)} steps ran a garbage collection (the longest "
              f"{max(slow_gc, default=0) * 1000:.2f} ms, {sum(1 for g in collections for n, _ in g if n == 2)} "
              f"full); the worst step less its collections {max(less_gc) * 1000:.2f} ms CPU")
        for i in sorted(range(len(cpu)), key=lambda i: -cpu[i])[:args.worst]:
            event = trace.events[i + 1]
            ran = ", ".join(f"gen {g} {c * 1000:.2f} ms" for g, c in collections[i]) or "no collection"
            print(f"          step to event {i + 1} ({event.kind.value}) {cpu[i] * 1000:6.2f} ms CPU  {ran}"
                  + (f"  starts {chapters[i]}" if chapters[i] else ""))
        print(f"step wall, {label:<29} mean {statistics.fmean(wall) * 1000:6.2f} ms  p99 {p99(wall) * 1000:6.2f} ms  "
              f"worst {max(wall) * 1000:6.2f} ms  (harness included)")
    if args.steps_only:
        print(f"worst-step-cpu-ms {worst * 1000:.1f} p99-step-cpu-ms {worst_p99 * 1000:.1f}")
    return worst, worst_p99


if __name__ == "__main__":
    main()
