"""CLI start-up cost against the same environment's ``python -c pass``, in one run.

Each command runs as a fresh process, the three interleaved (pass, help, run,
pass, help, run, ...) so load on a shared machine falls on all of them alike.
The figure is the child's CPU time (user + system, from ``os.wait4``), not wall
time: a process that is descheduled does not look slower. Medians of the
repeats; the ratios are against the median of ``python -c pass``.

Python normally caches bytecode in ``__pycache__``; an environment with
``PYTHONDONTWRITEBYTECODE=1`` and no cache written before compiles every
smtpsim module on every start (about 100 ms more). The children run with
bytecode caching on, as an installed smtpsim does, unless ``--env-as-is`` is
given (which then measures whatever caches exist).

    python bench/cli.py              # 15 repeats
    python bench/cli.py --repeats 5
    python bench/cli.py --floor      # and what `run` cannot do without, measured the same way

``--floor`` adds, for ``run submission-starttls --json``: a process that only
imports every non-smtpsim module the command loads (dnspython, email, tomllib,
dataclasses, ...; the list is taken from a run of the command), and, in a run
of the command itself, the CPU time spent creating smtpsim's dataclasses (each
``@dataclass`` compiles its methods when its module is imported).

The last line is ``ratio help X.X run Y.Y`` (goals: help <= 4, run <= 12).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

# The installed console script, as a person types it (falls back to ``-m simulator``).
_SCRIPT = Path(sys.executable).with_name("smtpsim")
_SMTPSIM = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "simulator"]

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "smtpsim --help": [*_SMTPSIM, "--help"],
    "smtpsim run submission-starttls --json": [*_SMTPSIM, "run", "submission-starttls", "--json"],
}


def cpu_seconds(cmd: list[str], env: dict[str, str]) -> float:
    """The CPU time (user + system) a fresh process running ``cmd`` used."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime


_RUN_ARGV = ["run", "submission-starttls", "--json"]

# Run the command in-process (its output dropped); print what a floor child needs.
_PROBE = """
import contextlib, dataclasses, io, sys, time
spent = [0.0]
original = dataclasses._process_class
def timed(cls, *args, **kwargs):
    start = time.process_time()
    try:
        return original(cls, *args, **kwargs)
    finally:
        if cls.__module__.startswith("simulator"):
            spent[0] += time.process_time() - start
dataclasses._process_class = timed
before = set(sys.modules)
from simulator.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    main(%r)
print(spent[0])
print(" ".join(m for m in sys.modules if m not in before and not m.startswith("simulator")))
"""


def floor(env: dict[str, str], repeats: int, run_median: float, pass_median: float) -> None:
    """What ``run --json`` cannot avoid: the other packages' imports, and its dataclasses."""
    probe = subprocess.run([sys.executable, "-c", _PROBE % (_RUN_ARGV,)], env=env, capture_output=True, text=True,
                           check=True)
    lines = probe.stdout.splitlines()
    modules = lines[-1].split()
    imports = [sys.executable, "-c", "import importlib\nfor m in %r: importlib.import_module(m)" % (modules,)]
    cpu_seconds(imports, env)
    others = statistics.median(cpu_seconds(imports, env) for _ in range(repeats))
    spent = []
    for _ in range(max(3, repeats // 3)):
        out = subprocess.run([sys.executable, "-c", _PROBE % (_RUN_ARGV,)], env=env, capture_output=True, text=True,
                             check=True).stdout.splitlines()
        spent.append(float(out[-2]))
    dataclasses_s = statistics.median(spent)
    print("floor of 'run submission-starttls --json' (CPU, medians):")
    print(f"  every non-smtpsim module it loads ({len(modules)}), imported alone"
          f"  {others * 1000:7.1f} ms  {others / pass_median:5.1f}x")
    print(f"  creating smtpsim's dataclasses, inside the command  {dataclasses_s * 1000:7.1f} ms  "
          f"{dataclasses_s / pass_median:5.1f}x")
    rest = run_median - others - dataclasses_s
    print(f"  the rest: smtpsim's other module code, loading, the run  {rest * 1000:7.1f} ms  "
          f"{rest / pass_median:5.1f}x")
    print(f"floor others {others / pass_median:.1f} dataclasses {dataclasses_s / pass_median:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--env-as-is", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if it is set")
    parser.add_argument("--floor", action="store_true", help="also measure what `run` cannot avoid (see above)")
    args = parser.parse_args()
    env = dict(os.environ)
    if not args.env_as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    for cmd in COMMANDS.values():  # warm the bytecode and file caches once; not counted
        cpu_seconds(cmd, env)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, cmd in COMMANDS.items():
            samples[name].append(cpu_seconds(cmd, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    floor_ = medians["python -c pass"]
    cache = "off (as the environment says)" if "PYTHONDONTWRITEBYTECODE" in env else "on"
    print(f"CPU time per fresh process, median of {args.repeats} (interleaved), bytecode cache {cache}")
    for name, median in medians.items():
        print(f"{name:42} {median * 1000:7.1f} ms  {median / floor_:5.1f}x  "
              f"(min {min(samples[name]) * 1000:.1f}, max {max(samples[name]) * 1000:.1f})")
    names = list(COMMANDS)
    if args.floor:
        floor(env, args.repeats, medians[names[2]], floor_)
    print(f"ratio help {medians[names[1]] / floor_:.1f} run {medians[names[2]] / floor_:.1f}")


if __name__ == "__main__":
    main()
