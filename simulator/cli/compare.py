"""``smtpsim compare A B``: two runs side by side, hop by hop."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from simulator.cli.argtypes import seed as seed_type

if TYPE_CHECKING:
    from rich.text import Text

    from simulator.trace.hops import Hop


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="two runs side by side, hop by hop")
    p.add_argument("a", help="a scenario name or path")
    p.add_argument("b", help="a scenario name or path (may be the same, with other faults)")
    p.add_argument("--fault-a", action="append", default=[], metavar="NAME", help="a fault toggle for A")
    p.add_argument("--fault-b", action="append", default=[], metavar="NAME", help="a fault toggle for B")
    p.add_argument("--seed", type=seed_type, default=None)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from simulator.run import run_scenario
    from simulator.scenario.library import open_scenario
    from simulator.scenario.toggles import with_toggles
    from simulator.trace.hops import summarize_hops

    sides = []
    for name, faults in ((args.a, args.fault_a), (args.b, args.fault_b)):
        scenario = with_toggles(open_scenario(name), faults)
        label = scenario.name + (f" + {', '.join(faults)}" if faults else "")
        sides.append((label, summarize_hops(run_scenario(scenario, args.seed))))
    (label_a, hops_a), (label_b, hops_b) = sides
    table = Table(title="hop by hop", show_lines=True, expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column(label_a, ratio=1)
    table.add_column(label_b, ratio=1)
    for i in range(max(len(hops_a), len(hops_b))):
        table.add_row(str(i + 1), _cell(hops_a, i), _cell(hops_b, i))
    Console(highlight=False).print(table)
    return 0


def _cell(hops: list[Hop], i: int) -> Text:
    from rich.text import Text

    if i >= len(hops):
        return Text("")
    hop = hops[i]
    # A lock glyph and a word, never colour alone.
    mark = {True: "[#] ", False: "[ ] ", None: ""}[hop.secure]
    text = Text(f"{hop.t:.2f}s ", style="dim")
    text.append(mark + hop.title, style="bold")
    text.append("\n" + hop.detail, style="red" if "!" in hop.detail or "refused" in hop.detail else "")
    return text
