"""Raw engine throughput against SimPy, in the same run.

Two workloads, each 1,000,000 timeout events on each engine:

- "same tick": 100 processes, each waiting 1 time unit in a loop, for 10,000
  time units: 100 events share every instant (the flattering case for
  smtpsim's buckets);
- "spread": the same processes waiting slightly different delays, so every
  instant has one event, as in real runs (the shipped scenarios have 1.0
  events per instant, ``bench/scale.py`` 1.2 to 1.4).

    python bench/engine.py            # full size
    python bench/engine.py --quick    # a tenth, for a smoke run

The last line is ``ratio X.XX``: this engine's events/s over SimPy's on the spread workload.
"""

from __future__ import annotations

import argparse
import gc
import time

from simulator.engine import Environment

ACTORS = 100


def _delay(i: int, spread: bool) -> float:
    # Spread: distinct irrational-ish steps, so no two processes ever wake at the same instant.
    return 1.0 + i * 0.000_731 if spread else 1


def run_ours(horizon: int, spread: bool = False) -> tuple[int, float]:
    env = Environment()
    counter = [0]

    def actor(delay: float):
        while True:
            yield delay
            counter[0] += 1

    for i in range(ACTORS):
        env.process(actor(_delay(i, spread)))
    start = time.perf_counter()
    env.run(until=horizon)
    return counter[0], time.perf_counter() - start


def run_simpy(horizon: int, spread: bool = False) -> tuple[int, float]:
    import simpy

    env = simpy.Environment()
    counter = [0]

    def actor(env, delay: float):
        while True:
            yield env.timeout(delay)
            counter[0] += 1

    for i in range(ACTORS):
        env.process(actor(env, _delay(i, spread)))
    start = time.perf_counter()
    env.run(until=horizon)
    return counter[0], time.perf_counter() - start


def best_of(fn, horizon: int, repeats: int, spread: bool) -> tuple[int, float]:
    best = None
    for _ in range(repeats):
        gc.collect()
        events, secs = fn(horizon, spread)
        if best is None or secs < best[1]:
            best = (events, secs)
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the workload")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    horizon = 1_000 if args.quick else 10_000
    ratio = 0.0
    for spread in (False, True):
        ours_n, ours_s = best_of(run_ours, horizon, args.repeats, spread)
        simpy_n, simpy_s = best_of(run_simpy, horizon, args.repeats, spread)
        ours_rate = ours_n / ours_s
        simpy_rate = simpy_n / simpy_s
        ratio = ours_rate / simpy_rate
        name = "spread (one event per instant)" if spread else "same tick (100 events per instant)"
        print(f"workload  {name}: {ACTORS} processes x {horizon} waits (best of {args.repeats})")
        print(f"smtpsim   {ours_n:>9,} events  {ours_s:7.3f} s  {ours_rate:>12,.0f} events/s")
        print(f"simpy     {simpy_n:>9,} events  {simpy_s:7.3f} s  {simpy_rate:>12,.0f} events/s")
        print(f"          ratio {ratio:.2f}")
    print(f"ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
