"""Live mode's CPU per message, per thread, before and after a change, beside both aiosmtpd peers.

Four servers at once, each a process of its own (``bench/live.py --serve``): ours from another
checkout (``--before``, e.g. /work/main), ours from this one, aiosmtpd doing the same work and
bare aiosmtpd. Runs go round the four in turn (interleaved, so a busy machine disturbs all alike):
one smtplib client on one reused connection, ``--messages`` messages a run. Each row is one run:
messages/s, the server's CPU ms per message (user + system, every thread) and the share of each of
its threads (``/proc/PID/task/TID/stat``; ours: the event loop, then the disk writer).

    PYTHONPATH=. .venv/bin/python bench/live_ab.py --before /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import live  # noqa: E402  (the bench's own clients and servers)

HERE = Path(__file__).resolve().parents[1]


def threads_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far of each thread of ``pid``."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        out[tid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def start(kind: str, tree: Path, data: Path, tls: dict | None = None) -> tuple[subprocess.Popen, dict]:
    args = [sys.executable, str(HERE / "bench" / "live.py"), "--serve", kind, "--data-dir", str(data)]
    if tls:
        args += ["--cert", tls["cert"], "--key", tls["key"]]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(tree)))
    line = proc.stdout.readline()
    if not line:
        raise SystemExit(f"live_ab: the {kind} server from {tree} did not start")
    return proc, json.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="another checkout of smtpsim (the code before)")
    parser.add_argument("--messages", type=int, default=1000, help="messages a run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smtpsim-ab-") as tmp:
        procs: list[subprocess.Popen] = []
        try:
            before, before_info = start("ours", args.before.resolve(), Path(tmp) / "before")
            after, after_info = start("ours", HERE, Path(tmp) / "after")
            same, same_info = start("aiosmtpd-same-work", HERE, Path(tmp) / "same", after_info)
            bare, bare_info = start("aiosmtpd", HERE, Path(tmp) / "bare", after_info)
            procs = [before, after, same, bare]
            servers = {"before": (before, before_info, before_info["ca"]),
                       "after": (after, after_info, after_info["ca"]),
                       "aiosmtpd-same-work": (same, same_info, after_info["ca"]),
                       "aiosmtpd": (bare, bare_info, after_info["ca"])}
            for proc, info, ca in servers.values():
                live.measure(info["port"], ca, 1, 30, True)  # warm up: TLS, the key, the first files
            totals: dict[str, list[float]] = {name: [] for name in servers}
            print(f"{'server':<20} {'msg/s':>7} {'CPU ms/msg':>10}   per thread")
            for _ in range(args.repeats):
                for name, (proc, info, ca) in servers.items():
                    start_cpu = threads_cpu(proc.pid)
                    rate = live.measure(info["port"], ca, 1, args.messages, True)
                    end_cpu = threads_cpu(proc.pid)
                    per = sorted(((end_cpu[t] - start_cpu.get(t, 0.0)) * 1000 / args.messages for t in end_cpu),
                                 reverse=True)
                    totals[name].append(sum(per))
                    print(f"{name:<20} {rate:>7.0f} {sum(per):>10.3f}   "
                          + " ".join(f"{v:.3f}" for v in per if v > 0), flush=True)
            print("medians: " + ", ".join(f"{name} {statistics.median(v):.3f}" for name, v in totals.items()))
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
