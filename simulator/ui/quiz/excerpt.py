"""The trace lines that show a question's answer: a few lines around its step.

The lines come from the step's own conversation (its connection, its DNS
exchange, or what one server did by itself), under the same hop headers and
protection badges as the player's transcript, so a student recognises them.
Plain Python; :func:`render_excerpt` turns the rows into Rich renderables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from simulator.trace.events import Direction, TLSMode, Trace
from simulator.ui.tracemodel import BADGES, TraceModel, format_clock

BEFORE = 2  # lines before the step: the command a reply answers, the reply a command follows
AFTER = 5  # lines after it: a handshake after a SYN, the MX records after a query

_MODELS: dict[int, TraceModel] = {}


def model_for(trace: Trace) -> TraceModel:
    """One :class:`TraceModel` per trace (a quiz asks several questions of one run)."""
    model = _MODELS.get(id(trace))
    if model is None or model.trace is not trace:
        model = _MODELS[id(trace)] = TraceModel(trace)
    return model


@dataclass(frozen=True, slots=True)
class ExcerptLine:
    step: int
    side: str  # "C:", "S:" or "" (DNS bookkeeping, a server acting alone)
    text: str  # one line: message content is folded
    encrypted: bool  # travelled inside TLS
    current: bool  # the step that shows the answer
    kind: str  # tcp, tls, smtp, dns, ...


@dataclass(frozen=True, slots=True)
class Excerpt:
    scenario: str
    step: int
    total: int
    clock: str  # the simulated time of the step
    hop: str  # the step's hop and its protection at that moment
    header: str  # the conversation: client → server:port, protocol, protection, server hostname
    lines: tuple[ExcerptLine, ...]


def _one_line(text: str, content: bool) -> str:
    lines = text.splitlines() or [""]
    if content or len(lines) > 1:
        return f"{lines[0]} … (message content, {len(lines)} lines)"
    return lines[0]


def excerpt(trace: Trace, step: int, before: int = BEFORE, after: int = AFTER) -> Excerpt:
    """The lines around ``trace.events[step]`` from its own conversation."""
    model = model_for(trace)
    events = trace.events
    target = events[step]
    key = model.group_key(target)
    # Walk outwards from the step, keeping only lines of the same conversation.
    earlier: list[int] = []
    for i in range(step - 1, -1, -1):
        if len(earlier) == before:
            break
        if model.group_key(events[i]) == key:
            earlier.append(i)
    later: list[int] = []
    for i in range(step + 1, len(events)):
        if len(later) == after:
            break
        if model.group_key(events[i]) == key:
            later.append(i)
    lines = []
    for i in [*reversed(earlier), step, *later]:
        event = events[i]
        side = model.side(event)
        lines.append(ExcerptLine(
            step=i,
            side={Direction.CLIENT: "C:", Direction.SERVER: "S:"}.get(side, "") if side else "",
            text=_one_line(event.text, event.content),
            encrypted=event.tls is not TLSMode.NONE,
            current=i == step,
            kind=event.kind.value,
        ))
    hop = model.hops[step]
    badge = BADGES[hop.protection]
    return Excerpt(
        scenario=trace.scenario, step=step, total=len(events), clock=format_clock(target.t),
        hop=f"{hop.text()}  {badge}".rstrip(),
        header=model.group_header(target), lines=tuple(lines),
    )


def render_excerpt(ex: Excerpt, styles: Mapping[str, Style]) -> RenderableType:
    """Rich lines: a caption, the hop header, then ▶ on the step; ``#`` marks a line sent inside TLS.

    ``styles`` maps ``caption``, ``header``, ``client``, ``server``, ``meta``,
    ``current`` (the step's row), ``marker`` (its ▶) and ``lock`` to Rich styles (the widget takes them from the
    stylesheet, so both themes work).
    """
    def style(name: str) -> Style:
        return styles.get(name, Style.null())

    parts: list[RenderableType] = []
    caption = Text(no_wrap=True, overflow="ellipsis")
    caption.append(f"step {ex.step + 1} of {ex.total} in {ex.scenario}", style("caption"))
    caption.append(f"   t={ex.clock}   {ex.hop}", style("meta"))
    parts.append(caption)
    header = Table.grid(expand=True)  # a table, so that the header's background spans the width
    header.add_column(no_wrap=True, overflow="ellipsis")
    header.add_row(Text(f"── {ex.header}"), style=style("header"))
    parts.append(header)
    table = Table.grid(expand=True)
    table.add_column(width=2, no_wrap=True)  # ▶
    table.add_column(width=1, no_wrap=True)  # #
    table.add_column(width=3, no_wrap=True)  # C: / S:
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    for line in ex.lines:
        side_style = {"C:": style("client"), "S:": style("server")}.get(line.side, style("meta"))
        body_style = style("meta") if line.kind in ("tcp", "tls", "queue", "note") else side_style
        table.add_row(
            Text("▶" if line.current else "", style("marker")),
            Text("#" if line.encrypted else "", style("lock")),
            Text(line.side, side_style),
            Text(line.text, body_style),
            style=style("current") if line.current else None,
        )
    parts.append(table)
    return Group(*parts)
