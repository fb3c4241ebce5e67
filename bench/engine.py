"""Engine throughput against SimPy, in the same run, in process CPU time.

Three workloads, the same work on both engines:

- "same tick": 100 processes, each waiting 1 time unit in a loop, for 10,000
  time units: 100 events share every instant (1,000,000 timeouts);
- "spread": the same processes waiting slightly different delays, so every
  instant has one event, as in real runs (the shipped scenarios have 1.0
  events per instant, ``bench/scale.py`` 1.2 to 1.4);
- "sessions": shaped like a simulation run (see ``sessions_ours``): float
  delays, a lookup process each client waits for, request/reply exchanges
  with a server process through signals, the client waiting for the server
  process to end (360,000 waits).

    python bench/engine.py            # full size
    python bench/engine.py --quick    # a tenth, for a smoke run

The last line is ``ratio X.XX best Y.YY``: this engine's events/s over
SimPy's on the sessions workload, and the best ratio of the three beside it.
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
    start = time.process_time()
    env.run(until=horizon)
    return counter[0], time.process_time() - start


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
    start = time.process_time()
    env.run(until=horizon)
    return counter[0], time.process_time() - start


# "sessions": a workload shaped like a simulation run. CLIENTS clients each run SESSIONS sessions:
# a lookup (a process of its own that the client waits for, as the MUA waits for DNS), then a
# server process for the session and LINES request/reply exchanges with it through signals (the
# client sends a line after a network delay, the server answers after a float service time), then
# the client waits for the server process to end and thinks for a while. Every delay is a float
# from one seeded list, so no two wake-ups share an instant by design; both engines get the same
# delays and the same number of waits (SimPy: a Timeout per sleep, an Event per signal, a Process
# per process, which is what SimPy needs for the same work).
CLIENTS = 50
SESSIONS = 40
LINES = 8
# Waits (events) per session: client 1 lookup + 2 per line + the server's end + thinking; the
# lookup's sleep; the server's 2 per line. Counted once per session, the same on both engines.
WAITS_PER_SESSION = 1 + 2 * LINES + 1 + 1 + 1 + 2 * LINES


def _delays(count: int, seed: int = 17) -> list[float]:
    import random

    rng = random.Random(seed)
    return [rng.uniform(0.001, 0.2) for _ in range(count)]


DELAYS = _delays(4096)


def sessions_ours(sessions: int) -> tuple[int, float]:
    env = Environment()
    waits = [0]
    delays = DELAYS
    mask = len(delays) - 1

    def lookup(i: int):
        yield delays[i & mask]
        return i

    def server(link: list, i: int):
        for k in range(LINES):
            request = link[0]
            line = yield request
            link[0] = env.signal()
            yield delays[(i + k * 7) & mask]
            reply, link[1] = link[1], env.signal()
            reply.fire(line)

    def client(c: int):
        i = c * 131
        for _ in range(sessions):
            yield env.process(lookup(i))
            link = [env.signal(), env.signal()]
            srv = env.process(server(link, i))
            for k in range(LINES):
                yield delays[(i + k * 3) & mask]
                reply = link[1]
                link[0].fire(k)
                yield reply
            yield srv
            yield delays[(i * 5) & mask] * 10
            waits[0] += WAITS_PER_SESSION
            i += 1

    for c in range(CLIENTS):
        env.process(client(c))
    start = time.process_time()
    env.run()
    return waits[0], time.process_time() - start


def sessions_simpy(sessions: int) -> tuple[int, float]:
    import simpy

    env = simpy.Environment()
    waits = [0]
    delays = DELAYS
    mask = len(delays) - 1

    def lookup(i: int):
        yield env.timeout(delays[i & mask])
        return i

    def server(link: list, i: int):
        for k in range(LINES):
            request = link[0]
            line = yield request
            link[0] = env.event()
            yield env.timeout(delays[(i + k * 7) & mask])
            reply, link[1] = link[1], env.event()
            reply.succeed(line)

    def client(c: int):
        i = c * 131
        for _ in range(sessions):
            yield env.process(lookup(i))
            link = [env.event(), env.event()]
            srv = env.process(server(link, i))
            for k in range(LINES):
                yield env.timeout(delays[(i + k * 3) & mask])
                reply = link[1]
                link[0].succeed(k)
                yield reply
            yield srv
            yield env.timeout(delays[(i * 5) & mask] * 10)
            waits[0] += WAITS_PER_SESSION
            i += 1

    for c in range(CLIENTS):
        env.process(client(c))
    start = time.process_time()
    env.run()
    return waits[0], time.process_time() - start


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
    sessions = 20 if args.quick else 200
    ratios = []
    for workload in ("same tick", "spread", "sessions"):
        if workload == "sessions":
            ours_n, ours_s = best_of(lambda n, _: sessions_ours(n), sessions, args.repeats, False)
            simpy_n, simpy_s = best_of(lambda n, _: sessions_simpy(n), sessions, args.repeats, False)
            name = f"sessions (request/reply through signals): {CLIENTS} clients x {sessions} sessions"
        else:
            spread = workload == "spread"
            ours_n, ours_s = best_of(run_ours, horizon, args.repeats, spread)
            simpy_n, simpy_s = best_of(run_simpy, horizon, args.repeats, spread)
            name = ("spread (one event per instant)" if spread else "same tick (100 events per instant)") + \
                f": {ACTORS} processes x {horizon} waits"
        if workload == "sessions":
            assert ours_n == simpy_n, (ours_n, simpy_n)  # the same work on both
        ours_rate = ours_n / ours_s
        simpy_rate = simpy_n / simpy_s
        ratios.append(ours_rate / simpy_rate)
        print(f"workload  {name} (best of {args.repeats}, CPU time)")
        print(f"smtpsim   {ours_n:>9,} events  {ours_s:7.3f} s  {ours_rate:>12,.0f} events/s")
        print(f"simpy     {simpy_n:>9,} events  {simpy_s:7.3f} s  {simpy_rate:>12,.0f} events/s")
        print(f"          ratio {ratios[-1]:.2f}")
    print(f"ratio {ratios[-1]:.2f} best {max(ratios):.2f}")


if __name__ == "__main__":
    main()
