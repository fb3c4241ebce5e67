"""``smtpsim handout S [-o FILE]``: a lesson's one-page Markdown handout; ``--all -o DIR`` writes every lesson's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    h = sub.add_parser("handout", help="a lesson's one-page handout in Markdown: goals, key exchange, questions")
    h.add_argument("scenario", nargs="?", help="a scenario name or a .toml path")
    h.add_argument("-o", "--output", metavar="FILE", help="write it here (with --all: a directory) instead of stdout")
    h.add_argument("--all", action="store_true", help="every shipped lesson, as DIR/NAME.md (needs -o DIR)")


def run(args: argparse.Namespace) -> int:
    from simulator.run import run_scenario
    from simulator.scenario import list_scenarios
    from simulator.scenario.library import open_scenario
    from simulator.trace.handout import render_handout

    if args.all:
        if not args.output or args.scenario:
            print("smtpsim: handout --all needs -o DIR and no scenario name", file=sys.stderr)
            return 2
        folder = Path(args.output)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for lesson in list_scenarios():
                text = render_handout(run_scenario(open_scenario(lesson.name)))
                (folder / f"{lesson.name}.md").write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"smtpsim: cannot write handouts to {folder}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        return 0
    if not args.scenario:
        print("smtpsim: handout needs a scenario name (see 'smtpsim list')", file=sys.stderr)
        return 2
    text = render_handout(run_scenario(open_scenario(args.scenario)))
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"smtpsim: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        return 0
    sys.stdout.write(text)
    return 0
