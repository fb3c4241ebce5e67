"""Figures about the pooled question bank, for an instructor and for the bank's tests.

``python -m simulator.quiz.bank`` prints them for every shipped scenario:
the bank's size, the share of each question kind, and the item-writing
checks of :mod:`simulator.quiz.itemcheck` (give-aways, stand-outs, keys that
are the longest choice, stems with more than one key). With ``--format
gift`` (or ``md``, ``json``) it prints the whole bank instead, every question
once, for an instructor's question bank; a quiz (``smtpsim quiz``) is drawn
from it so that no two of its questions answer each other.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.quiz.itemcheck import gives_away, key_is_longest, share, stands_out
from simulator.quiz.model import Question


@dataclass(frozen=True)
class BankFigures:
    size: int
    kinds: dict[str, float]  # kind -> share of the bank
    give_aways: float
    stand_outs: float
    longest_key: float
    longest_key_by_chance: float  # what random choice lengths would give: the mean of 1/len(choices)
    stems_with_two_keys: int

    def lines(self) -> list[str]:
        out = [f"questions in the pooled bank: {self.size}"]
        out += [f"  {kind:<24} {share_:6.1%}" for kind, share_ in self.kinds.items()]
        out += [
            f"give-aways (key shares a distinctive word with the stem): {self.give_aways:.1%}",
            f"stand-outs (key echoes the stem most):                    {self.stand_outs:.1%}",
            f"key is the longest choice:                                {self.longest_key:.1%}"
            f" (chance: {self.longest_key_by_chance:.1%})",
            f"stems with two different keys:                            {self.stems_with_two_keys}",
        ]
        return out


def figures(questions: Sequence[Question]) -> BankFigures:
    kinds = Counter(q.kind.value for q in questions)
    keys: dict[str, set[str]] = {}
    for q in questions:
        keys.setdefault(q.stem, set()).add(q.answer)
    n = len(questions) or 1
    return BankFigures(
        size=len(questions),
        kinds={k: v / n for k, v in kinds.most_common()},
        give_aways=share(questions, gives_away),
        stand_outs=share(questions, stands_out),
        longest_key=share(questions, key_is_longest),
        longest_key_by_chance=sum(1 / len(q.choices) for q in questions) / n,
        stems_with_two_keys=sum(len(v) > 1 for v in keys.values()),
    )


def main(argv: Sequence[str] | None = None) -> int:
    from simulator.quiz.build import pooled_bank
    from simulator.quiz.export import to_gift, to_json, to_markdown
    from simulator.scenario import list_scenarios

    formats = {"gift": to_gift, "md": to_markdown, "json": to_json}
    parser = argparse.ArgumentParser(prog="python -m simulator.quiz.bank",
                                     description="the pooled question bank of every shipped lesson")
    parser.add_argument("--format", choices=sorted(formats), help="print the bank instead of its figures")
    args = parser.parse_args(argv)
    bank = [q for q, _ in pooled_bank(list_scenarios())]
    if args.format:
        sys.stdout.write(formats[args.format](bank) + ("\n" if args.format == "json" else ""))
    else:
        sys.stdout.write("\n".join(figures(bank).lines()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
