"""The trace as text for a terminal, with Rich: grouped by hop."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.text import Text

from simulator.trace.events import Direction, Kind, TLSMode, Trace, TraceEvent

TLS_WORDS = {TLSMode.NONE: "plain", TLSMode.STARTTLS: "STARTTLS", TLSMode.IMPLICIT: "implicit TLS"}
# A padlock glyph and a word, never colour alone.
TLS_BADGES = {TLSMode.NONE: "[ ] plain", TLSMode.STARTTLS: "[#] STARTTLS", TLSMode.IMPLICIT: "[#] implicit TLS"}
SIDE_STYLES: dict[Direction | None, str] = {Direction.CLIENT: "bold cyan", Direction.SERVER: "bold green"}
KIND_STYLES = {
    Kind.TCP: "blue", Kind.TLS: "magenta", Kind.DNS: "yellow", Kind.QUEUE: "bright_black",
    Kind.DELIVER: "bold green", Kind.BOUNCE: "bold red", Kind.NOTE: "bright_black",
}


def hop_header(trace: Trace, event: TraceEvent) -> str:
    """``alice -> msa:587 (smtp.example.org) [#] STARTTLS``"""
    if event.conn is not None:
        info = trace.connection(event.conn)
        server = trace.actor(info.server)
        return f"{info.client} → {info.server}:{info.port} ({server.hostname})  {info.protocol.value.upper()}"
    if event.kind is Kind.DNS:
        return f"{event.src if event.dir is Direction.CLIENT else event.dst} → {event.dst if event.dir is Direction.CLIENT else event.src}:53  DNS"
    return f"{event.src}"


def render_trace(trace: Trace, *, explain: bool = True, content_lines: int | None = None) -> RenderableType:
    return Group(*_lines(trace, explain, content_lines))


def _lines(trace: Trace, explain: bool, content_lines: int | None) -> Iterator[RenderableType]:
    yield Text(f"{trace.title}  ({trace.scenario}, seed {trace.seed})", style="bold")
    yield Text(trace.summary, style="dim")
    group: tuple[object, ...] | None = None
    for event in trace.events:
        key = ("conn", event.conn) if event.conn is not None else (event.kind.value, hop_header(trace, event))
        if key != group:
            group = key
            yield Text("")
            yield Text(f"── {hop_header(trace, event)} ", style="bold reverse")
        line = Text(f"{event.t:10.3f}s ", style="bright_black")
        if event.dir is not None and event.kind in (Kind.SMTP, Kind.IMAP, Kind.POP3, Kind.DNS):
            line.append(f"{event.dir.value}: ", style=SIDE_STYLES[event.dir])
        else:
            line.append(f"{event.kind.value:<5} ", style=KIND_STYLES.get(event.kind, ""))
        if event.conn is not None and event.kind is not Kind.TCP:
            line.append("🔒 " if event.tls is not TLSMode.NONE else "   ")
        text = event.text
        if event.content:
            body = text.split("\r\n")
            if content_lines is not None and len(body) > content_lines:
                body = body[:content_lines] + [f"… ({len(text.splitlines()) - content_lines} more lines)"]
            line.append(("\n" + " " * 19).join(body), style="italic")
        else:
            line.append(text, style=SIDE_STYLES.get(event.dir, KIND_STYLES.get(event.kind, "")) if event.dir is None else "")
        yield line
        if explain and event.explain:
            note = f"{event.explain}"
            if event.rfc:
                note += f"  [{event.rfc}]"
            yield Text(" " * 19 + note, style="dim")
