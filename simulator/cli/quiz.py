"""``smtpsim quiz``: an exam in the terminal, a review of what was missed, or the questions as a file.

Answers are remembered (``simulator.progress``): ``--review`` brings back
what was missed, spaced out (Leitner boxes), then new questions from the
weakest topics; ``--resume`` finishes a quiz left half-way. ``--format``
prints the questions instead (JSON, Moodle GIFT, Markdown) or, with
``--output``, writes them, and ``anki`` writes an Anki deck.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.cli.argtypes import seed as seed_type
from simulator.cli.argtypes import topic_name, whole_number
from simulator.cli.progress import EXIT_UNREADABLE, add_profile_argument
from simulator.quiz.difficulty import Difficulty

if TYPE_CHECKING:
    from simulator.progress.model import QuizSessionInfo
    from simulator.progress.recorder import Recorder
    from simulator.quiz.model import Question
    from simulator.trace.events import Trace

TEXT_FORMATS = ("gift", "json", "md")
FORMATS = ("anki", *TEXT_FORMATS)
DEFAULT_COUNT = 10
EXIT_USAGE = 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quiz", help="exam-prep questions generated from the scenarios' traces")
    p.add_argument("--scenario", action="append", default=[], metavar="S", help="only this scenario (repeatable)")
    p.add_argument("--topic", action="append", default=[], type=topic_name, metavar="T",
                   help="only questions on this topic (repeatable), e.g. ports, tls-modes, dns-records")
    p.add_argument("--count", type=whole_number("--count", 1, 500), default=None,
                   help=f"how many questions (default {DEFAULT_COUNT}; an Anki deck: all of them)")
    p.add_argument("--seed", type=seed_type, default=1)
    p.add_argument("--difficulty", choices=[d.name.lower() for d in Difficulty])
    p.add_argument("--review", action="store_true",
                   help="review: the questions missed or due again first, then new ones from your weakest topics")
    p.add_argument("--resume", action="store_true", help="finish the quiz you left half-way")
    p.add_argument("--format", choices=FORMATS, help="write the questions instead of asking them")
    p.add_argument("--output", "-o", metavar="FILE", help="where --format writes (default: standard output; "
                                                          "an Anki deck needs a FILE.apkg)")
    p.add_argument("--timer", type=whole_number("--timer", 1, 500), default=None, metavar="MIN",
                   help="minutes for the whole quiz")
    p.add_argument("--no-save", action="store_true", help="do not record the answers (a demonstration)")
    add_profile_argument(p)


def _usage(message: str) -> int:
    print(f"smtpsim quiz: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    problem = _check(args)
    if problem:
        return _usage(problem)
    from simulator.progress.recorder import Recorder

    recorder = None if args.no_save else Recorder(profile=args.profile)
    try:
        return _run(args, recorder)
    finally:
        if recorder is not None:
            recorder.close()


def _check(args: argparse.Namespace) -> str:
    if args.review and args.resume:
        return "--review and --resume do not go together: --resume finishes the quiz left half-way"
    if args.resume and (args.format or args.scenario or args.topic or args.difficulty):
        return "--resume asks the rest of the quiz as it was: leave out --format, --scenario, --topic, --difficulty"
    if args.no_save and (args.review or args.resume):
        return "--review and --resume read the progress record: leave out --no-save"
    if args.format == "anki" and not args.output:
        return "--format anki writes a file: add --output FILE.apkg"
    if args.output and not args.format:
        return "--output goes with --format (anki, gift, json or md)"
    return ""


def _scenarios(args: argparse.Namespace) -> list:
    from simulator.scenario import list_scenarios
    from simulator.scenario.library import open_scenario

    return [open_scenario(s) for s in args.scenario] if args.scenario else list_scenarios()


def _bank(args: argparse.Namespace) -> list[tuple[Question, Trace]]:
    """Every question of the chosen scenarios on the chosen topics and difficulty."""
    from simulator.quiz.build import on_topics, pooled_bank

    difficulty = Difficulty[args.difficulty.upper()] if args.difficulty else None
    return [(q, t) for q, t in pooled_bank(_scenarios(args), args.seed)
            if (difficulty is None or q.difficulty is difficulty) and on_topics(q, args.topic)]


def _run(args: argparse.Namespace, recorder: Recorder | None) -> int:
    from simulator.progress.model import SessionKind
    from simulator.progress.store import ProgressError

    resume: QuizSessionInfo | None = None
    kind = SessionKind.QUIZ
    try:
        if args.resume:
            assert recorder is not None
            found = _resumed(recorder)
            if isinstance(found, int):
                return found
            picked, resume = found
        elif args.review:
            assert recorder is not None
            kind = SessionKind.REVIEW
            picked = _review(args, recorder)
            if not picked:
                return 0
        elif args.format == "anki" and args.count is None:
            picked = _bank(args)
        else:
            from simulator.quiz import build_quiz

            difficulty = Difficulty[args.difficulty.upper()] if args.difficulty else None
            picked = build_quiz(_scenarios(args), args.count or DEFAULT_COUNT, args.seed, difficulty=difficulty,
                                topics=args.topic)
    except ProgressError as exc:
        print(f"smtpsim: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.format:
        return _export(args, [q for q, _ in picked])
    from simulator.ui.quiz_app import run_quiz  # imported here: --format needs no Textual

    return run_quiz(picked, timer_minutes=args.timer, recorder=recorder, kind=kind, resume=resume)


def _export(args: argparse.Namespace, questions: list[Question]) -> int:
    if not questions:
        return _usage("no questions match: try other scenarios, topics or another --difficulty")
    if args.format == "anki":
        from simulator.quiz.anki import AnkiError, write_apkg

        try:
            write_apkg(questions, Path(args.output))
        except AnkiError as exc:
            print(f"smtpsim: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"{args.output}: an Anki deck of {len(questions)} notes (import it again after an update: "
              "the notes are updated, not doubled)")
        return 0
    from simulator.quiz.export import to_gift, to_json, to_markdown

    text = {"json": to_json, "gift": to_gift, "md": to_markdown}[args.format](questions)
    if args.format == "json":
        text += "\n"
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"smtpsim: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.output}: {len(questions)} questions ({args.format})")
    return 0


def _review(args: argparse.Namespace, recorder: Recorder) -> list[tuple[Question, Trace]]:
    """The review's questions (ProgressError if the record cannot be read); [] with a message if none."""
    from simulator.progress.review import plan_review

    bank = _bank(args)
    answers = recorder.store().answers()
    today = recorder.now().date()
    plan = plan_review([q for q, _ in bank], answers, args.count or DEFAULT_COUNT, today, args.seed)
    if not plan.order:
        when = f" The next questions are due on {plan.next_due.strftime('%a %d %b')}." if plan.next_due else ""
        print(f"Nothing to review today: every question here has been answered and none is due.{when}\n"
              "smtpsim quiz asks a fresh quiz; smtpsim progress shows where you stand.")
        return []
    return [bank[i] for i in plan.order]


def _resumed(recorder: Recorder) -> tuple[list[tuple[Question, Trace]], QuizSessionInfo] | int:
    """The rest of the quiz left half-way, or an exit code (with a message) when there is none."""
    from simulator.quiz.build import pooled_bank
    from simulator.scenario import list_scenarios

    info = recorder.store().unfinished_session()
    if info is None:
        print("No quiz was left half-way: smtpsim quiz starts a new one, smtpsim quiz --review a review.")
        return 0
    by_id = {q.id: (q, t) for q, t in pooled_bank(list_scenarios())}
    picked = [by_id[qid] for qid in info.unanswered if qid in by_id]
    if not picked:
        print("The questions left in that quiz are no longer in the bank (a newer smtpsim): "
              "smtpsim quiz --review picks up what you missed.")
        return 0
    return picked, info
