"""Two runs side by side, hop by hop: which hops line up, and how each is shown.

Plain Python (no Textual). The hops come from ``summarize_hops``; equal hops
(same title and outcome) share a row, and where the runs differ their hops
are paired in order, so 587 + STARTTLS sits next to 465, and an extra failed
attempt gets a row of its own.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import zip_longest

from simulator.trace.hops import Hop

Row = tuple[Hop | None, Hop | None]

# Protection by glyph and word, never colour alone (the word for a connection is in its detail).
GLYPHS: dict[bool | None, str] = {True: "[#]", False: "[ ]", None: " · "}


def align_hops(a: list[Hop], b: list[Hop]) -> list[Row]:
    """Rows of (hop of A, hop of B); a side is None where that run has no such hop."""
    keys_a = [(h.title, h.detail) for h in a]
    keys_b = [(h.title, h.detail) for h in b]
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(zip(a[i1:i2], b[j1:j2]))
        else:  # replace, delete, insert: pair what differs in order
            rows.extend(zip_longest(a[i1:i2], b[j1:j2]))
    return rows


def same(row: Row) -> bool:
    a, b = row
    return a is not None and b is not None and (a.title, a.detail) == (b.title, b.detail)


def hop_lines(hop: Hop | None) -> tuple[str, str]:
    """The two lines of a cell: ``[#] alice → msa:587 SMTP`` and ``STARTTLS · login ok``."""
    if hop is None:
        return "", ""
    detail = hop.detail.replace("\t", " ")
    if hop.secure is None:
        return f"{GLYPHS[None]} {hop.title}", detail
    return f"{GLYPHS[hop.secure]} {hop.title}", detail


def run_label(name: str, faults: tuple[str, ...] | list[str]) -> str:
    """``greylisting`` or ``greylisting + user-unknown, mx-down``."""
    return name + (f" + {', '.join(faults)}" if faults else "")
