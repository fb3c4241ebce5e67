"""``smtpsim quiz``: an exam in the terminal, or the questions as JSON, GIFT or Markdown."""

from __future__ import annotations

import argparse
import sys

from simulator.cli.argtypes import whole_number
from simulator.quiz import build_quiz
from simulator.quiz.export import to_gift, to_json, to_markdown
from simulator.quiz.model import Difficulty
from simulator.scenario import list_scenarios
from simulator.scenario.library import open_scenario

FORMATS = {"json": to_json, "gift": to_gift, "md": to_markdown}


def add_parser(sub: argparse._SubParsersAction, seed_type) -> None:
    p = sub.add_parser("quiz", help="exam-prep questions generated from the scenarios' traces")
    p.add_argument("--scenario", action="append", default=[], metavar="S", help="only this scenario (repeatable)")
    p.add_argument("--count", type=whole_number("--count", 1, 500), default=10)
    p.add_argument("--seed", type=seed_type, default=1)
    p.add_argument("--difficulty", choices=[d.name.lower() for d in Difficulty])
    p.add_argument("--format", choices=sorted(FORMATS), help="print the questions instead of asking them")
    p.add_argument("--timer", type=whole_number("--timer", 1, 500), default=None, metavar="MIN", help="minutes for the whole quiz")


def run(args: argparse.Namespace) -> int:
    scenarios = [open_scenario(s) for s in args.scenario] if args.scenario else list_scenarios()
    difficulty = Difficulty[args.difficulty.upper()] if args.difficulty else None
    picked = build_quiz(scenarios, args.count, args.seed, difficulty=difficulty)
    if args.format:
        sys.stdout.write(FORMATS[args.format]([q for q, _ in picked]))
        if args.format == "json":
            sys.stdout.write("\n")
        return 0
    from simulator.ui.quiz_app import run_quiz  # imported here: --format needs no Textual
    return run_quiz(picked, timer_minutes=args.timer)
