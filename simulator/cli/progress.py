"""``smtpsim progress``: lessons done, answers, accuracy by topic with a chart, what to review next."""

from __future__ import annotations

import argparse
import json
import sys

from simulator.cli.argtypes import profile_name, topic_name

EXIT_UNREADABLE = 1  # the record exists but cannot be read (the message says why)


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", type=profile_name, default=None, metavar="NAME",
                        help="a separate progress record (a shared lab machine); default: $SMTPSIM_PROFILE or "
                             "'default'")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="your progress: lessons done, accuracy by topic, what to review next")
    p.add_argument("--json", action="store_true", help="the whole report as one JSON object")
    p.add_argument("--topic", type=topic_name, default=None, metavar="T",
                   help="only the answers on this topic: its score over time, its missed questions")
    add_profile_argument(p)


def run(args: argparse.Namespace) -> int:
    from simulator.progress.recorder import Recorder
    from simulator.progress.store import ProgressError

    recorder = Recorder(profile=args.profile)
    try:
        report = recorder.report(args.topic)
    except ProgressError as exc:
        print(f"smtpsim: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        recorder.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return 0
    from rich.console import Console

    from simulator.progress.render import render_report

    console = Console(highlight=False)
    if args.topic is not None:
        console.print(f"Only the answers on {args.topic.label} ({args.topic.value}).", style="bold")
    if not report.total.answered and not report.lessons_done:
        console.print(f"No progress recorded yet for profile {report.profile!r} ({report.database}).\n"
                      "Play a lesson to its debrief (smtpsim play), or answer a quiz (smtpsim quiz): "
                      "both are remembered here.")
        return 0
    console.print(render_report(report, console.width))
    return 0
