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

``--floor`` adds, for ``run submission-starttls --json`` (the list of modules
is taken from a run of the command; children run with the collector as the
console script has it, see simulator/cli/collector.py):

- processes that only import the non-smtpsim modules the command loads
  (dnspython, email, tomllib, dataclasses, ...): all of them; without what only
  ``dns.zone`` brings; without ``importlib.metadata`` (which dnspython's private
  ``dns._features`` imports: here replaced by a stand-in, for the figure only);
  without either;
- the command in one process, in parts: those modules, creating smtpsim's
  dataclasses (all, and those the run makes an instance of; each ``@dataclass``
  compiles its methods with ``exec`` on Python 3.11), the rest of smtpsim's
  module code, the first run and a second one;
- "least": the least modules + the instantiated classes + the rest of the code +
  the first run, what the command would cost if everything else were gone.

Run it from the checkout it measures (its children import ``simulator`` from
the current directory).

The last lines are ``floor others X dataclasses Y least Z`` and ``ratio help X.X run Y.Y``
(goals: help <= 4, run <= 12).
"""

from __future__ import annotations

import argparse
import json
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

# Run the command in-process (output dropped); print the modules it loaded and the dataclasses of
# smtpsim it made an instance of.
_PROBE = """
import contextlib, dataclasses, io, json, sys
made = set()
original = dataclasses._process_class
def counting(cls, *args, **kwargs):
    result = original(cls, *args, **kwargs)
    if cls.__module__.startswith("simulator"):
        init = result.__init__
        def counted(self, *a, __init=init, __name=cls.__module__ + ":" + cls.__qualname__, **k):
            made.add(__name)
            return __init(self, *a, **k)
        result.__init__ = counted
    return result
dataclasses._process_class = counting
before = set(sys.modules)
from simulator.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    main(%r)
print(json.dumps({"modules": [m for m in sys.modules if m not in before], "made": sorted(made)}))
"""

# The same command in one process, in parts, with the collector as the console script has it
# (off while importing, on for the runs): the other packages' modules first, then smtpsim's
# (timing the creation of its dataclasses: all, and those the probe saw instantiated), then the
# command twice (the first run does what is done once a process: parsing the scenario, its zones).
_SPLIT = """
import contextlib, dataclasses, gc, importlib, io, json, sys, time
gc.disable()  # as the console script starts (simulator.cli.collector)
modules, made = %r, set(%r)
start = time.process_time()
for m in modules:
    if not m.startswith("simulator"):
        importlib.import_module(m)
others = time.process_time() - start
spent = {}
original = dataclasses._process_class
def timed(cls, *args, **kwargs):
    start = time.process_time()
    try:
        return original(cls, *args, **kwargs)
    finally:
        spent[cls.__module__ + ":" + cls.__qualname__] = time.process_time() - start
dataclasses._process_class = timed
start = time.process_time()
for m in modules:
    if m.startswith("simulator"):
        importlib.import_module(m)
ours = time.process_time() - start
gc.freeze()
gc.enable()
from simulator.cli.main import main
times = []
for _ in range(2):
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        main(%r)
    times.append(time.process_time() - start)
created = sum(spent.values())
print(json.dumps({"others": others, "created": created, "classes": len(spent),
                  "used": sum(v for k, v in spent.items() if k in made), "instantiated": len(made & set(spent)),
                  "code": ours - created, "first": times[0], "warm": times[1]}))
"""

# dnspython's dns.name imports dns._features, which imports importlib.metadata (and with it zipfile,
# csv, textwrap, importlib.resources, tempfile, ...) to ask whether idna is installed. For the floor
# only, a stand-in answers that question (idna is a dependency of ours) so the cost shows.
_FEATURES_STUB = """
import sys, types
stub = types.ModuleType("dns._features")
stub.have = lambda feature: feature == "idna"
stub.force = lambda feature, enabled: None
sys.modules["dns._features"] = stub
import dns
dns._features = stub
"""
# What dns.zone brings that a resolver reading the zones with dns.zonefile.read_rrsets would not.
_ZONE_ONLY = ("dns.zone", "dns.zonetypes", "dns.rdtypes.ANY.ZONEMD")


def _importer(modules: list[str], stub: bool = False) -> list[str]:
    # As the console script does (simulator.cli.collector): no collection while importing or at exit.
    code = ("import gc\ngc.disable()\n" + (_FEATURES_STUB if stub else "")
            + "import importlib\nfor m in %r: importlib.import_module(m)\ngc.freeze()" % (modules,))
    return [sys.executable, "-c", code]


def floor(env: dict[str, str], repeats: int, run_median: float, pass_median: float) -> None:
    """What ``run --json`` is made of, and the least of it that the run cannot do without."""
    probe = json.loads(subprocess.run([sys.executable, "-c", _PROBE % (_RUN_ARGV,)], env=env, capture_output=True,
                                      text=True, check=True).stdout.splitlines()[-1])
    loaded, made = probe["modules"], probe["made"]
    modules = [m for m in loaded if not m.startswith("simulator")]
    # The modules the command loads when dnspython's question is answered without importlib.metadata.
    stubbed = json.loads(subprocess.run([sys.executable, "-c", _FEATURES_STUB + _PROBE % (_RUN_ARGV,)], env=env,
                                        capture_output=True, text=True, check=True).stdout.splitlines()[-1])
    without_metadata = [m for m in stubbed["modules"] if not m.startswith("simulator") and m != "dns._features"]
    least_modules = [m for m in without_metadata if m not in _ZONE_ONLY]
    children = {
        "every non-smtpsim module it loads (%d), imported alone" % len(modules): _importer(modules),
        "  the same without what only dns.zone needs (%s)" % ", ".join(_ZONE_ONLY):
            _importer([m for m in modules if m not in _ZONE_ONLY]),
        "  the same without importlib.metadata (dns._features stubbed: %d)" % len(without_metadata):
            _importer(without_metadata, stub=True),
        "  without either: the least of dnspython, email, ... (%d)" % len(least_modules):
            _importer(least_modules, stub=True),
    }
    for cmd in children.values():
        cpu_seconds(cmd, env)
    samples: dict[str, list[float]] = {name: [] for name in children}
    for _ in range(repeats):
        for name, cmd in children.items():
            samples[name].append(cpu_seconds(cmd, env))
    imports = {name: statistics.median(values) for name, values in samples.items()}
    splits = [json.loads(subprocess.run([sys.executable, "-c", _SPLIT % (loaded, made, _RUN_ARGV)], env=env,
                                        capture_output=True, text=True, check=True).stdout.splitlines()[-1])
              for _ in range(max(3, repeats // 3))]
    part = {key: statistics.median(s[key] for s in splits) for key in splits[0]}

    def row(label: str, seconds: float) -> None:
        print(f"  {label:78} {seconds * 1000:7.1f} ms  {seconds / pass_median:5.1f}x")

    print("floor of 'run submission-starttls --json' (CPU, medians):")
    print(" separate processes, each with the interpreter's start and exit:")
    for name, seconds in imports.items():
        row(name, seconds)
    print(" in the command's own process, in parts:")
    row("the non-smtpsim modules (as above, without the interpreter's start and exit)", part["others"])
    row(f"creating smtpsim's dataclasses ({part['classes']:.0f})", part["created"])
    row(f"  of which the classes the run makes an instance of ({part['instantiated']:.0f})", part["used"])
    row("the rest of smtpsim's module code (functions, enums, tables, loading the files)", part["code"])
    row("the first run (loading the scenario, parsing its zones, the run)", part["first"])
    row("  a second run in the same process", part["warm"])
    least = imports[list(imports)[-1]] + part["used"] + part["code"] + part["first"]
    row("least: the least modules + the instantiated classes + the rest of the code + the run", least)
    others = imports[next(iter(imports))]
    print(f"floor others {others / pass_median:.1f} dataclasses {part['created'] / pass_median:.1f} "
          f"least {least / pass_median:.1f}")


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
