"""End-to-end throughput: N messages through submission, relay and delivery.

    python bench/scale.py                 # N = 1,000 and 10,000
    python bench/scale.py --sizes 500     # a quick run

A generated scenario: one sender, one submission server, 50 recipient
domains each with its own MX and mailbox store, 4 mailboxes per domain. Each
message is its own submission (587, STARTTLS, AUTH) and its own relay (25,
STARTTLS), then delivery into the store. For each N it prints simulated
messages per wall-clock second (engine + state machines + trace) and the peak
memory of the run (tracemalloc, measured in a second, separate run).
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc

from simulator.run import run_scenario
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
    scenario = parse_scenario(scenario_text(n), source=f"scale-{n}.toml", name=f"scale-{n}")
    gc.collect()
    start = time.perf_counter()
    trace = run_scenario(scenario)
    seconds = time.perf_counter() - start
    delivered = sum(1 for e in trace.events if e.kind.value == "deliver")
    events = len(trace.events)
    del trace
    gc.collect()
    tracemalloc.start()
    run_scenario(scenario)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, delivered, events, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        seconds, delivered, events, peak = measure(n)
        assert delivered == n, f"only {delivered} of {n} delivered"
        rows.append((n, seconds, events, peak))
        print(f"N={n:>6,}  {n / seconds:8,.0f} messages/s  {seconds:6.2f} s  {events:>9,} trace events  "
              f"peak {peak / 2**20:7.1f} MiB  ({peak / n / 1024:5.1f} KiB/message)")
    if len(rows) >= 2:
        (n1, _, _, p1), (n2, _, _, p2) = rows[0], rows[-1]
        print(f"memory growth {p2 / p1:.2f}x for {n2 / n1:.0f}x messages")
    print(f"messages-per-s {rows[-1][0] / rows[-1][1]:.0f}")


if __name__ == "__main__":
    main()
