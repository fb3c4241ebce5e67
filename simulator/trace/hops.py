"""A trace summarised hop by hop: one line per connection or per milestone.

Used to compare two runs side by side (``smtpsim compare`` and the UI).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.trace.events import Direction, Kind, TLSMode, Trace

TLS_SHORT = {TLSMode.NONE: "plain", TLSMode.STARTTLS: "STARTTLS", TLSMode.IMPLICIT: "implicit TLS"}


def link_text(src: str, dst: str, port: int | None, server: str | None = None) -> str:
    """``alice → msa:587`` for a line the client sends, ``msa:587 → alice`` for the reply.

    A port belongs to the server side of a connection (the client's is an
    ephemeral one nobody teaches), so it stays beside the server whichever
    way the line travels. ``server`` None means ``dst``; a server that is
    neither end (an attacker on the path speaks) leaves the port out.
    """
    if port is None or (server is not None and server not in (src, dst)):
        return f"{src} → {dst}"
    if server == src and src != dst:
        return f"{src}:{port} → {dst}"
    return f"{src} → {dst}:{port}"


@dataclass(frozen=True)
class Hop:
    t: float
    step: int
    title: str  # "alice → msa:587" or "bounce"
    detail: str  # protection and outcome, in words
    secure: bool | None  # None when the hop is not a connection


def summarize_hops(trace: Trace) -> list[Hop]:
    hops: list[Hop] = []
    by_conn: dict[int, list] = {}
    for e in trace.events:
        if e.conn is not None:
            by_conn.setdefault(e.conn, []).append(e)
    seen: set[int] = set()
    for e in trace.events:
        if e.conn is not None:
            if e.conn in seen:
                continue
            seen.add(e.conn)
            hops.append(_connection_hop(trace, e.conn, by_conn[e.conn]))
        elif e.kind in (Kind.DELIVER, Kind.BOUNCE) or (e.kind is Kind.NOTE and e.text.startswith("not sent")):
            hops.append(Hop(e.t, e.step, e.kind.value if e.kind is not Kind.NOTE else "client", e.text, None))
        elif e.kind is Kind.DNS and e.dir is Direction.CLIENT:
            hops.append(Hop(e.t, e.step, f"{link_text(e.src, e.dst, 53, e.dst)} DNS",
                            e.text.lstrip(";").replace("\t", " "), None))
    return hops


def _connection_hop(trace: Trace, conn_id: int, events: list) -> Hop:
    info = trace.connection(conn_id)
    first = events[0]
    protocol_lines = [e for e in events if e.dir is not None]
    replies = [e for e in protocol_lines if e.dir is Direction.SERVER and e.text[:3].isdigit() and e.text[3:4] == " "]
    notes = []
    if any(e.kind is Kind.TCP and ("RST" in e.text or "timed out" in e.text or "giving up" in e.text) for e in events):
        notes.append("no connection" if not protocol_lines else "gave up")
    if any(e.text.startswith("Alert:") for e in events):
        notes.append("certificate refused")
    if any(e.kind is Kind.NOTE and "STARTTLS" in e.text for e in events):
        notes.append("STARTTLS stripped!")
    if any(e.text.startswith("AUTH ") for e in protocol_lines):
        auth = next((r for r in replies if r.text[:3] in ("235", "535")), None)
        notes.append("login ok" if auth is not None and auth.text.startswith("235") else "login refused")
    failures = [r.text.split(" ")[0] + " " + r.text.split(" ")[1] for r in replies
                if r.text[0] in "45" and len(r.text.split(" ")) > 1]
    notes.extend(dict.fromkeys(failures))
    if any(e.content for e in events):
        notes.append("message sent" if info.protocol is Kind.SMTP else "message fetched")
    detail = f"{TLS_SHORT[info.tls]}" + (f" · {' · '.join(notes)}" if notes else "")
    return Hop(first.t, first.step, f"{link_text(info.client, info.server, info.port)} {info.protocol.value.upper()}",
               detail, info.tls is not TLSMode.NONE)
