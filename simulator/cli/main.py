"""``smtpsim``: play, run, list and validate scenarios.

Bad input (an unknown scenario, an invalid file, a bad option) prints one
clear message and exits 2; never a traceback.

Start-up is kept light: this module imports only argparse and a few small
modules, and each command imports what it needs when it runs, so that
``smtpsim --help`` loads no scenario, protocol, Rich or asyncio code
(tests/cli/test_startup.py checks; bench/cli.py measures).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from importlib import import_module

from simulator import __version__
from simulator.cli import capture, collector, progress
from simulator.cli.argtypes import seed as _seed
from simulator.cli.argtypes import whole_number
from simulator.scenario.errors import ScenarioError
from simulator.scenario.library import DEFAULT_SCENARIO

EXIT_USAGE = 2

# Subcommands with a module of their own, in --help order after the ones below. Each module has
# ``add_parser(subparsers)`` and ``run(args) -> int`` and imports nothing heavy at module level
# (its run() does), so building the parser costs little. A new subcommand is one line here.
SUBCOMMANDS: dict[str, str] = {
    "talk": "simulator.cli.talk",
    "compare": "simulator.cli.compare",
    "quiz": "simulator.cli.quiz",
    "progress": "simulator.cli.progress",
    "live": "simulator.cli.live",
    "handout": "simulator.cli.handout",
    "serve": "simulator.cli.serve",
}


class _Parser(argparse.ArgumentParser):
    commands: Mapping[str, argparse.ArgumentParser] = {}  # the top-level parser's subcommands, by name

    def error(self, message: str) -> None:  # type: ignore[override]
        # One line that says what was wrong, and where to look; no usage dump.
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")



def _at(text: str) -> str:
    """``--at``: failure, key or a whole number from 1 (checked against the trace once it has run)."""
    value = text.strip().lower()
    if value in ("failure", "key") or (value.isdigit() and int(value) >= 1):
        return value
    raise argparse.ArgumentTypeError(f"--at expects failure, key or a step number from 1, found {text!r}")


# The commands defined here: a command line that starts with one of them needs no other
# subcommand's module (see build_parser's ``only``).
BUILTIN_COMMANDS = ("play", "run", "list", "validate", "faults")


def build_parser(only: str | None = None) -> _Parser:
    """The whole command line; with ``only`` (one of BUILTIN_COMMANDS), the SUBCOMMANDS' modules are not imported.

    ``smtpsim run X`` parses the same with or without them: a subcommand's arguments and errors
    are its own parser's. Anything else (``--help``, another command, a scenario name) gets all.
    """
    parser = _Parser(prog="smtpsim", description="Watch an email travel: real SMTP, DNS, IMAP and POP3, step by step.")
    parser.add_argument("--version", action="version", version=f"smtpsim {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("play", help="open the player on a scenario (the default command)")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="a scenario name or a .toml path")
    p.add_argument("--seed", type=_seed, default=None)
    p.add_argument("--fault", action="append", default=[], metavar="NAME",
                   help="start with this fault on (repeatable; see 'smtpsim faults SCENARIO')")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--at", type=_at, default=None, metavar="failure|key|N",
                       help="open on the first failure, the lesson's key moment, or step N")
    where.add_argument("--step", type=whole_number("--step", minimum=1), default=None, metavar="N",
                       help="open on step N (the status bar's numbering, from 1)")
    p.add_argument("--presenter", action="store_true",
                   help="the presenter layout, for a projector: exchange and explanation large, no event list")
    p.add_argument("--pick", action="store_true",
                   help="open the lesson picker first (esc keeps the scenario; what 'smtpsim serve' tabs do)")
    progress.add_profile_argument(p)

    r = sub.add_parser("run", help="run a scenario and print its trace")
    r.add_argument("scenario", help="a scenario name or a .toml path")
    r.add_argument("--seed", type=_seed, default=None, help="overrides the scenario's seed")
    r.add_argument("--fault", action="append", default=[], metavar="NAME", help="switch a fault on (repeatable)")
    r.add_argument("--json", action="store_true", help="JSON Lines, one event a line, and nothing else")
    r.add_argument("--no-explain", action="store_true", help="leave out the explanations")
    capture.add_arguments(r)
    r.add_argument("--outcomes", action="store_true",
                   help="JSON Lines, one per recipient: rcpt, result (delivered, bounced, deferred, refused), "
                        "status, dsn_to; compare with 'smtpsim live SCENARIO --replay'")

    ls = sub.add_parser("list", help="the shipped scenarios")
    ls.add_argument("--json", action="store_true", help="one JSON array")

    v = sub.add_parser("validate", help="check a scenario file")
    v.add_argument("file")

    f = sub.add_parser("faults", help="the faults an instructor can switch on for a scenario")
    f.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)

    if only not in BUILTIN_COMMANDS:
        for module in SUBCOMMANDS.values():
            import_module(module).add_parser(sub)
    parser.commands = sub.choices
    return parser


def entry() -> int:
    """The console script (``smtpsim``): ``main()``, without collecting while the process starts or exits."""
    collector.starting()
    try:
        return main()
    finally:
        collector.exiting()


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=words[0] if words and words[0] in BUILTIN_COMMANDS else None)
    args = parser.parse_args(_default_command(parser, words))
    if args.command != "run":  # `run` says when its start-up is over (after importing the simulation)
        collector.started()
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "list":
            return _list(args)
        if args.command in SUBCOMMANDS:
            return int(import_module(SUBCOMMANDS[args.command]).run(args))
        if args.command == "faults":
            return _faults(args)
        if args.command == "validate":
            from simulator.scenario.loader import load_scenario

            load_scenario(args.file)
            print(f"{args.file}: valid")
            return 0
        at = getattr(args, "at", None) or getattr(args, "step", None)
        return _play(getattr(args, "scenario", DEFAULT_SCENARIO), getattr(args, "seed", None),
                     getattr(args, "fault", []), getattr(args, "profile", None), at=at,
                     presenter=getattr(args, "presenter", False), pick=getattr(args, "pick", False))
    except ScenarioError as exc:
        print(f"smtpsim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `smtpsim run X | head` is fine; say nothing.
        sys.stderr.close()
        return 0


def _default_command(parser: _Parser, argv: list[str]) -> list[str]:
    """``smtpsim NAME`` plays NAME (play is the default command) when NAME is, or is close to, a scenario.

    Any other unknown first word stays argparse's "invalid choice".
    """
    from simulator.scenario.library import looks_like_scenario

    if argv and not argv[0].startswith("-") and argv[0] not in parser.commands and looks_like_scenario(argv[0]):
        return ["play", *argv]
    return argv


def _run(args: argparse.Namespace) -> int:
    import json

    from simulator.run import run_scenario, stream_jsonl
    from simulator.scenario.library import open_scenario
    from simulator.trace.jsonl import to_jsonl

    scenario = open_scenario(args.scenario)
    # The simulation's modules (actors, protocols, dnspython), which the run would import first
    # thing, are imported here, while the console script's start-up still collects nothing.
    import simulator.actors.world  # noqa: F401

    collector.started()
    if args.fault:  # the toggles' module (and its catalogue) only when a fault is asked for
        from simulator.scenario.toggles import with_toggles

        scenario = with_toggles(scenario, args.fault)
    if args.outcomes:
        from simulator.run import outcomes

        for outcome in outcomes(scenario, args.seed):
            sys.stdout.write(json.dumps(outcome) + "\n")
        sys.stdout.flush()
        return 0
    # A capture path that cannot be written is refused before the run, not after it.
    problem = capture.check(args)
    if problem is not None:
        print(f"smtpsim: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.json and args.pcap is None:
        # Nothing else needs the trace: each event's line is written as it happens and none is kept.
        out = sys.stdout

        def write(line: str) -> None:
            out.write(line + "\n")

        stream_jsonl(scenario, write, args.seed)
        sys.stdout.flush()
        return 0
    trace = run_scenario(scenario, args.seed)
    problem = capture.write(args, trace)
    if problem is not None:
        print(f"smtpsim: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        out = sys.stdout
        for line in to_jsonl(trace.events):
            out.write(line + "\n")
        out.flush()
        return 0
    from rich.console import Console

    from simulator.trace.render import render_trace

    Console(highlight=False).print(render_trace(trace, explain=not args.no_explain))
    return 0


def _list(args: argparse.Namespace) -> int:
    import json

    from simulator.scenario.library import LEVELS, list_scenarios

    scenarios = list_scenarios()
    if args.json:
        print(json.dumps([
            {"name": s.name, "title": s.title, "summary": s.summary, "level": s.level, "order": s.order,
             "goals": list(s.goals)}
            for s in scenarios
        ], indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for level, heading in LEVELS.items():
        group = [s for s in scenarios if s.level == level]
        if not group:
            continue
        table = Table(title=heading, title_justify="left", show_header=False, expand=True)
        table.add_column("name", style="bold", no_wrap=True)
        table.add_column("title / summary")
        for s in group:
            table.add_row(s.name, f"{s.title}\n[dim]{s.summary}[/dim]")
        console.print(table)
    return 0


def _faults(args: argparse.Namespace) -> int:
    from simulator.scenario.library import open_scenario
    from simulator.scenario.toggles import available_toggles, describe_fault

    scenario = open_scenario(args.scenario)
    for fault in scenario.faults:  # on whatever the instructor switches; "#": not a name --fault takes
        print(f"# in the scenario file: {describe_fault(scenario, fault)}")
    for toggle in available_toggles(scenario):
        print(f"{toggle.name:22} {toggle.label}: {toggle.summary}")
    return 0


def _play(scenario: str, seed: int | None, faults: list[str] | None = None, profile: str | None = None, *,
          at: str | int | None = None, presenter: bool = False, pick: bool = False) -> int:
    import gc

    # Start-up makes a great many objects that live as long as the program (modules, classes, styles);
    # collecting among them before the first frame is wasted time. The player turns the collector
    # back on once it has drawn, and freezes what start-up made (simulator.ui.screens.player).
    gc.disable()
    try:
        from simulator.scenario.library import open_scenario

        # Load before the UI starts, so a bad scenario or fault exits 2 with its message.
        loaded = open_scenario(scenario)
        names = list(faults or [])
        if names:  # (the toggles module is not light: without faults it waits for the run)
            from simulator.scenario.toggles import with_toggles

            with_toggles(loaded, names)  # only to check the names: an unknown one exits 2 here
        from simulator.ui.app import run_app  # imported here: the other commands need no Textual
        # The base scenario and the names: the player's fault panel shows them on and can switch them off.
        return run_app(loaded, seed, faults=names, profile=profile, at=at, presenter=presenter, pick=pick)
    finally:
        gc.enable()


if __name__ == "__main__":
    raise SystemExit(main())
