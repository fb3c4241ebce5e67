"""End-to-end throughput: N messages through submission, relay and delivery.

    python bench/scale.py                 # N = 1,000 and 10,000
    python bench/scale.py --sizes 500     # a quick run

A generated scenario: one sender, one submission server, 50 recipient
domains each with its own MX and mailbox store, 4 mailboxes per domain. Each
message is its own submission (587, STARTTLS, AUTH) and its own relay (25,
STARTTLS), then delivery into the store. For each N it prints simulated
messages per second (engine + state machines + trace) and the peak memory of
the run (tracemalloc, measured in a second, separate run), twice: keeping the
trace (``run_scenario``, what the player needs) and streaming it as
``smtpsim run S --json`` does (each event's JSON line made straight from its
fields, no event object, and dropped). Rates are per second of process CPU time, so a descheduled process
does not look slower; for scale, the same run also times SimPy on
bench/engine.py's "spread" workload (events per CPU second), a yardstick for
the machine.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc

from simulator.run import run_scenario, stream_jsonl
from simulator.scenario.loader import parse_scenario

DOMAINS = 50
USERS = 4


def scenario_text(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    out = [
        '[scenario]\ntitle = "scale"\nsummary = "generated"\n',
        '[hosts.alice]\nrole = "mua"\nhostname = "alice.example.org"\nip = "192.0.2.10"\naccount = "alice@example.org"\n',
        '[hosts.msa]\nrole = "msa"\nhostname = "smtp.example.org"\nip = "192.0.2.25"\ndomains = ["example.org"]\n',
        '[hosts.dns]\nrole = "dns"\nhostname = "resolver.example.org"\nip = "192.0.2.53"\n',
    ]
    accounts = ['"alice@example.org" = "pw"']
    zones = []
    for d in range(DOMAINS):
        dom = f"d{d:02d}.example"
        out.append(f'[hosts.mx{d}]\nrole = "mta"\nhostname = "mx.{dom}"\nip = "10.0.{d}.25"\n'
                   f'domains = ["{dom}"]\nstore = "store{d}"\n')
        out.append(f'[hosts.store{d}]\nrole = "store"\nhostname = "imap.{dom}"\nip = "10.0.{d}.143"\ndomains = ["{dom}"]\n')
        accounts += [f'"u{u}@{dom}" = "pw"' for u in range(USERS)]
        zones.append(f'"{dom}" = "@ IN MX 10 mx\\nmx IN A 10.0.{d}.25\\n"')
    out.append("[accounts]\n" + "\n".join(accounts) + "\n")
    out.append("[dns.zones]\n" + "\n".join(zones) + "\n")
    for i in range(n):
        to = f"u{rng.randrange(USERS)}@d{rng.randrange(DOMAINS):02d}.example"
        out.append(f'[[messages]]\nfrom = "alice@example.org"\nto = ["{to}"]\nsubject = "m{i}"\n'
                   f'body = "message {i}"\nat = {i * 0.05:.2f}\n')
    return "\n".join(out)


def measure(n: int) -> tuple[float, int, int, int]:
    """Keeping the trace: CPU seconds, deliveries, events, peak bytes."""
    scenario = parse_scenario(scenario_text(n), source=f"scale-{n}.toml", name=f"scale-{n}")
    gc.collect()
    start = time.process_time()
    trace = run_scenario(scenario)
    seconds = time.process_time() - start
    delivered = sum(1 for e in trace.events if e.kind.value == "deliver")
    events = len(trace.events)
    del trace
    gc.collect()
    tracemalloc.start()
    run_scenario(scenario)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, delivered, events, peak


def measure_streaming(n: int) -> tuple[float, int, int, int]:
    """Streaming, as ``run --json``: each event's JSON line is made, counted, and dropped."""
    scenario = parse_scenario(scenario_text(n), source=f"scale-{n}.toml", name=f"scale-{n}")
    counts = {"deliver": 0, "bytes": 0}

    def sink(line: str) -> None:
        counts["bytes"] += len(line) + 1
        if ', "kind": "deliver", ' in line:
            counts["deliver"] += 1

    gc.collect()
    start = time.process_time()
    events = stream_jsonl(scenario, sink)
    seconds = time.process_time() - start
    delivered = counts["deliver"]
    gc.collect()
    tracemalloc.start()
    stream_jsonl(scenario, sink)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, delivered, events, peak


def simpy_rate() -> float:
    """SimPy's events per CPU second on bench/engine.py's spread workload (100 processes x 2,000 waits)."""
    import simpy

    env = simpy.Environment()

    def actor(env, delay: float):
        while True:
            yield env.timeout(delay)

    for i in range(100):
        env.process(actor(env, 1.0 + i * 0.000_731))
    start = time.process_time()
    env.run(until=2_000)
    seconds = time.process_time() - start
    return 100 * 2_000 / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--no-kept", action="store_true", help="only the streaming runs")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        for mode, fn in (("kept", measure), ("streamed", measure_streaming)):
            if mode == "kept" and args.no_kept:
                continue
            seconds, delivered, events, peak = fn(n)
            assert delivered == n, f"only {delivered} of {n} delivered"
            rows.append((mode, n, seconds, events, peak))
            print(f"N={n:>6,} {mode:8}  {n / seconds:8,.0f} messages/s  {seconds:6.2f} s CPU  {events:>9,} trace events  "
                  f"peak {peak / 2**20:7.1f} MiB  ({peak / n / 1024:5.1f} KiB/message)")
    for mode in ("kept", "streamed"):
        mine = [r for r in rows if r[0] == mode]
        if len(mine) >= 2:
            (_, n1, _, _, p1), (_, n2, _, _, p2) = mine[0], mine[-1]
            print(f"memory growth, {mode}: {p2 / p1:.2f}x for {n2 / n1:.0f}x messages")
    print(f"simpy (spread workload, same run) {simpy_rate():,.0f} events/s CPU")
    last = rows[-1]
    print(f"messages-per-s {last[1] / last[2]:.0f} peak-mib {last[4] / 2**20:.1f} ({last[0]}, N={last[1]})")


if __name__ == "__main__":
    main()
