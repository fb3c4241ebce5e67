"""What the widgets need to know about a trace, worked out once when it opens.

Plain Python (no Textual): the protection of each step's link (plain,
upgrading, STARTTLS, implicit TLS), the hop it crosses, how the transcript
groups lines, the simulated clock as text, and SMTP reply codes in words.
The UI reads only the trace; nothing here touches the engine or the actors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from simulator.trace.events import ActorInfo, Direction, Kind, TLSMode, Trace, TraceEvent
from simulator.trace.hops import link_text


class Protection(str, Enum):
    """The protection of a link at one step; the glyph and word are never colour alone."""

    PLAIN = "plain"
    UPGRADING = "upgrading"  # STARTTLS asked for: still plain, the handshake comes next
    HANDSHAKE = "handshake"  # implicit TLS: the handshake before any protocol byte
    STARTTLS = "starttls"
    IMPLICIT = "implicit"
    LOCAL = "local"  # no network: something an actor does by itself, or hands over locally


BADGES: dict[Protection, str] = {
    Protection.PLAIN: "[ ] plain",
    Protection.UPGRADING: "[~] plain, upgrading: STARTTLS",
    Protection.HANDSHAKE: "[~] implicit TLS: handshake",
    Protection.STARTTLS: "[#] STARTTLS",
    Protection.IMPLICIT: "[#] implicit TLS",
    Protection.LOCAL: "",
}
# Shorter words for a one-line topology.
SHORT_BADGES: dict[Protection, str] = {
    Protection.PLAIN: "[ ] plain",
    Protection.UPGRADING: "[~] upgrading",
    Protection.HANDSHAKE: "[~] TLS handshake",
    Protection.STARTTLS: "[#] STARTTLS",
    Protection.IMPLICIT: "[#] implicit TLS",
    Protection.LOCAL: "",
}
# A whole connection, as its transcript header names it.
CONNECTION_BADGES: dict[TLSMode, str] = {
    TLSMode.NONE: "[ ] plain",
    TLSMode.STARTTLS: "[ ]->[#] STARTTLS",
    TLSMode.IMPLICIT: "[#] implicit TLS",
}
PORT_NAMES: dict[int, str] = {
    25: "SMTP relay", 587: "submission", 465: "submission, implicit TLS", 143: "IMAP",
    993: "IMAP, implicit TLS", 110: "POP3", 995: "POP3, implicit TLS", 53: "DNS over UDP",
}


@dataclass(frozen=True, slots=True)
class Hop:
    """Who a step goes between: the topology's lit link and the event list's hop."""

    src: str
    dst: str
    port: int | None
    protection: Protection
    server: str | None = None  # the end the port belongs to (None: dst)
    bounce: bool = False  # the step carries or makes a bounce (an NDR: a DSN sent with MAIL FROM:<>)
    attacker: str | None = None  # an on-path attacker sits on this connection's link
    link: tuple[str, str] | None = None  # the connection's two ends (client, server), when it is one

    @property
    def local(self) -> bool:
        return self.src == self.dst

    def text(self) -> str:
        """``alice → msa:587``, and for the reply ``msa:587 → alice``: the port stays with the server."""
        if self.local:
            return self.src
        return link_text(self.src, self.dst, self.port, self.server)


class TraceModel:
    """A trace plus the per-step facts derived from it, computed in one pass."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.events = trace.events
        self.actors: dict[str, ActorInfo] = {a.id: a for a in trace.actors}
        self.connections = {c.id: c for c in trace.connections}
        self.hops: list[Hop] = _hops(trace, self.connections)
        self.down: list[frozenset[tuple[str, str]]] = _down_hosts(trace)
        self._bounce_conns = {e.conn for e, h in zip(self.events, self.hops) if h.bounce and e.conn is not None}

    def __len__(self) -> int:
        return len(self.events)

    def hostname(self, actor_id: str) -> str:
        actor = self.actors.get(actor_id)
        return actor.hostname if actor is not None else actor_id

    def side(self, event: TraceEvent) -> Direction | None:
        """C or S: who said it, for protocol lines and for TCP/TLS inside a connection."""
        if event.dir is not None:
            return event.dir
        conn = self.connections.get(event.conn) if event.conn is not None else None
        # Only the two ends speak TCP and TLS; a note (say, from an attacker on the path) is neither.
        if conn is None or event.kind not in (Kind.TCP, Kind.TLS):
            return None
        if event.src == conn.client:
            return Direction.CLIENT
        return Direction.SERVER if event.src == conn.server else None

    def group_key(self, event: TraceEvent) -> tuple[object, ...]:
        """Lines under one transcript header share a key."""
        if event.conn is not None:
            return ("conn", event.conn)
        if event.kind is Kind.DNS:
            return ("dns", *sorted((event.src, event.dst)))
        if event.src == event.dst:
            return ("local", event.src)
        return ("hop", event.src, event.dst)

    def transcript_groups(self) -> list[list[int]]:
        """The steps under each transcript header, the groups in the order they start.

        A connection keeps all its lines under its one header: they interleave
        in time with other lines (a server looks up DNS while its client says
        QUIT). Any other group (a DNS lookup, an actor's own steps) is a run: a
        line joins it only while no later group has started, so a bounce made
        after a 550 sits below the DNS query and the 550, not up with the
        "queued" line that came before them.
        """
        groups: list[list[int]] = []
        by_conn: dict[int, list[int]] = {}
        newest: tuple[object, ...] | None = None  # the key of the group started last
        for i, event in enumerate(self.events):
            if event.conn is not None and event.conn in by_conn:
                by_conn[event.conn].append(i)
                continue
            key = self.group_key(event)
            if event.conn is None and key == newest:
                groups[-1].append(i)
                continue
            groups.append([i])
            newest = key
            if event.conn is not None:
                by_conn[event.conn] = groups[-1]
        return groups

    def group_header(self, event: TraceEvent) -> str:
        conn = self.connections.get(event.conn) if event.conn is not None else None
        if conn is not None:
            # The hostname last: it is what a narrow transcript cuts off.
            ndr = f"  {NDR_MARK}" if event.conn in self._bounce_conns else ""
            return (f"{conn.client} → {conn.server}:{conn.port}  {conn.protocol.value.upper()}{ndr}  "
                    f"{CONNECTION_BADGES[conn.tls]}  ({self.hostname(conn.server)})")
        if event.kind is Kind.DNS:
            asker, resolver = (event.src, event.dst) if event.dir is Direction.CLIENT else (event.dst, event.src)
            return f"{asker} → {resolver}:53  DNS over UDP  {BADGES[Protection.PLAIN]}  ({self.hostname(resolver)})"
        if event.src == event.dst:
            return f"{event.src} ({self.hostname(event.src)})"
        return f"{event.src} → {event.dst} ({self.hostname(event.dst)})  {event.kind.value}"

    def actor_steps(self, actor_id: str) -> list[int]:
        return [i for i, e in enumerate(self.events) if actor_id in (e.src, e.dst)]

    def next_step_of(self, actor_id: str, after: int) -> int | None:
        """The next step involving an actor after ``after``, wrapping round; None if none."""
        n = len(self.events)
        for k in range(1, n + 1):
            i = (after + k) % n
            event = self.events[i]
            if actor_id in (event.src, event.dst):
                return i
        return None


NDR_MARK = "↩ NDR"  # a bounce: its own glyph and word, never colour alone
DOWN_WORDS = {"down": "✗ down", "refuses": "✗ refuses"}


def _bounce_steps(trace: Trace) -> set[int]:
    """Steps that carry a bounce: the DSN being made, the sessions that send it with MAIL FROM:<>, its delivery."""
    steps: set[int] = set()
    null_sender: set[int] = set()
    for i, e in enumerate(trace.events):
        if e.conn is not None and e.kind is Kind.SMTP and e.dir is Direction.CLIENT and e.text.startswith("MAIL FROM:<>"):
            null_sender.add(e.conn)
    pending: set[str] = set()  # MXs that took a bounce and have not yet stored it
    for i, e in enumerate(trace.events):
        if e.kind is Kind.BOUNCE:
            steps.add(i)
        elif e.conn is not None and e.conn in null_sender:
            steps.add(i)
            if e.kind is Kind.SMTP and e.dir is Direction.SERVER and e.text.startswith("250 ") and "queued" in e.text:
                pending.add(e.src)
        elif e.kind is Kind.DELIVER and e.src in pending:
            pending.discard(e.src)
            steps.add(i)
    return steps


def _intercepted(trace: Trace) -> dict[int, str]:
    """Connection id -> the attacker who tampers with it (from the attacker's own notes)."""
    attackers = {a.id for a in trace.actors if a.role == "attacker"}
    return {e.conn: e.src for e in trace.events if e.conn is not None and e.src in attackers}


def _down_hosts(trace: Trace) -> list[frozenset[tuple[str, str]]]:
    """Per step: the hosts known not to answer, as (host, "down" or "refuses").

    A host is marked from the first step of a connection to it that times
    out (no SYN-ACK) or is reset, until a later connection to it opens.
    """
    fate: dict[int, str] = {}
    for e in trace.events:
        if e.conn is not None and e.kind is Kind.TCP:
            if "timed out" in e.text:
                fate[e.conn] = "down"
            elif e.text == "RST":
                fate[e.conn] = "refuses"
    servers = {c.id: c.server for c in trace.connections}
    current: dict[str, str] = {}
    state: frozenset[tuple[str, str]] = frozenset()
    seen: set[int] = set()
    out = []
    for e in trace.events:
        if e.conn is not None and e.conn not in seen and e.conn in servers:
            seen.add(e.conn)
            server = servers[e.conn]
            if e.conn in fate:
                current[server] = fate[e.conn]
            else:
                current.pop(server, None)
            state = frozenset(current.items())
        out.append(state)
    return out


def _hops(trace: Trace, connections: dict) -> list[Hop]:
    # Where each STARTTLS connection is "upgrading": from the client's request up
    # to the step that reports the handshake done (the first step marked protected).
    upgrading: set[int] = set()
    by_conn: dict[int, list[int]] = {}
    for i, event in enumerate(trace.events):
        if event.conn is not None:
            by_conn.setdefault(event.conn, []).append(i)
    for conn_id, steps in by_conn.items():
        conn = connections.get(conn_id)
        if conn is None or conn.tls is not TLSMode.STARTTLS:
            continue
        first_tls = next((i for i in steps if trace.events[i].kind is Kind.TLS), None)
        if first_tls is None:
            continue
        request = first_tls
        for i in steps:
            if i >= first_tls:
                break
            if trace.events[i].dir is Direction.CLIENT:
                request = i
        for i in steps:
            if i >= request and trace.events[i].tls is TLSMode.NONE:
                upgrading.add(i)
            if trace.events[i].tls is not TLSMode.NONE:
                break

    bounces = _bounce_steps(trace)
    intercepted = _intercepted(trace)
    hops = []
    for i, event in enumerate(trace.events):
        conn = connections.get(event.conn) if event.conn is not None else None
        port = event.port if event.port is not None else (conn.port if conn is not None else None)
        if event.src == event.dst or (conn is None and port is None):
            protection = Protection.LOCAL
        elif event.tls is TLSMode.STARTTLS:
            protection = Protection.STARTTLS
        elif event.tls is TLSMode.IMPLICIT:
            protection = Protection.IMPLICIT
        elif i in upgrading:
            protection = Protection.UPGRADING
        elif conn is not None and conn.tls is TLSMode.IMPLICIT and event.kind is Kind.TLS:
            protection = Protection.HANDSHAKE
        else:
            protection = Protection.PLAIN
        if conn is not None:
            server = conn.server
        elif event.kind is Kind.DNS:  # no connection: the resolver is whichever end did not ask
            server = event.src if event.dir is Direction.SERVER else event.dst
        else:
            server = None
        link = (conn.client, conn.server) if conn is not None else None
        hops.append(Hop(event.src, event.dst, port, protection, server, i in bounces,
                        intercepted.get(event.conn) if event.conn is not None else None, link))
    return hops


def format_clock(t: float) -> str:
    """Simulated time: ``0.412 s``, ``5m 07s``, ``2h 05m``, ``3d 04h``."""
    if t < 60:
        return f"{t:.3f} s"
    seconds = int(t)
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600:02d}h"


def format_stamp(t: float) -> str:
    """The event list's time column: fixed width, 7 cells."""
    return f"{t:7.3f}" if t < 60 else f"{format_clock(t):>7}"


_REPLY = re.compile(r"^(\d{3})(?:[ -]|$)(?:(\d\.\d{1,3}\.\d{1,3})(?: |$))?")


def reply_meaning(event: TraceEvent) -> list[str]:
    """An SMTP server line's reply code in words: basic code, then the enhanced code."""
    if event.kind is not Kind.SMTP or event.dir is not Direction.SERVER:
        return []
    match = _REPLY.match(event.text)
    if match is None:
        return []
    code, enhanced = int(match.group(1)), match.group(2)
    # The catalogue is loaded with the first reply explained, not before the player's first frame.
    from simulator.protocols.smtp.meanings import describe

    return [part.strip() for part in describe(code, enhanced).split("; ") if part.strip()]
