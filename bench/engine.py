"""Raw engine throughput against SimPy, in the same run.

Workload: 100 processes, each waiting 1 time unit in a loop, for 10,000 time
units: 1,000,000 timeout events on each engine.

    python bench/engine.py            # full size
    python bench/engine.py --quick    # a tenth, for a smoke run

The last line is ``ratio X.XX``: this engine's events/s over SimPy's.
"""

from __future__ import annotations

import argparse
import gc
import time

from simulator.engine import Environment

ACTORS = 100


def run_ours(horizon: int) -> tuple[int, float]:
    env = Environment()
    counter = [0]

    def actor():
        while True:
            yield 1
            counter[0] += 1

    for _ in range(ACTORS):
        env.process(actor())
    start = time.perf_counter()
    env.run(until=horizon)
    return counter[0], time.perf_counter() - start


def run_simpy(horizon: int) -> tuple[int, float]:
    import simpy

    env = simpy.Environment()
    counter = [0]

    def actor(env):
        while True:
            yield env.timeout(1)
            counter[0] += 1

    for _ in range(ACTORS):
        env.process(actor(env))
    start = time.perf_counter()
    env.run(until=horizon)
    return counter[0], time.perf_counter() - start


def best_of(fn, horizon: int, repeats: int) -> tuple[int, float]:
    best = None
    for _ in range(repeats):
        gc.collect()
        events, secs = fn(horizon)
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
    ours_n, ours_s = best_of(run_ours, horizon, args.repeats)
    simpy_n, simpy_s = best_of(run_simpy, horizon, args.repeats)
    ours_rate = ours_n / ours_s
    simpy_rate = simpy_n / simpy_s
    print(f"workload  {ACTORS} processes x {horizon} waits (best of {args.repeats})")
    print(f"smtpsim   {ours_n:>9,} events  {ours_s:7.3f} s  {ours_rate:>12,.0f} events/s")
    print(f"simpy     {simpy_n:>9,} events  {simpy_s:7.3f} s  {simpy_rate:>12,.0f} events/s")
    print(f"ratio {ours_rate / simpy_rate:.2f}")


if __name__ == "__main__":
    main()
