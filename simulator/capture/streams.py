"""What went over the wire, read back from a trace: one script per TCP connection, and DNS datagrams.

A script is the connection's actions in order: the handshake, each transfer
of protocol bytes (the traced lines joined, CRLF restored), the TLS turns,
the close. Nothing here knows about packets; :mod:`simulator.capture.tcp`
cuts the actions into segments and :mod:`simulator.capture.tlsmem` turns
protected bytes into TLS records.

The trace's words for TCP steps are read by their first word (SYN, ACK, FIN,
RST) so that rewording an explanation changes nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

from simulator.protocols.smtp.stripping import strip_starttls_offer
from simulator.trace.events import ActorInfo, ConnectionInfo, Direction, Kind, TLSMode, Trace, TraceEvent

_PROTOCOL_KINDS = frozenset({Kind.SMTP, Kind.IMAP, Kind.POP3})
_LITERAL = re.compile(r"\{(\d+)\}$")
_RETRY_AFTER = re.compile(r"after ([0-9.]+) s")
DNS_PORT = 53


class Side(Enum):
    CLIENT = "C"
    SERVER = "S"

    @property
    def other(self) -> Side:
        return Side.SERVER if self is Side.CLIENT else Side.CLIENT


class Op(Enum):
    OPEN = "SYN"
    ACCEPT = "SYN-ACK"
    ACK = "ACK"
    DATA = "data"
    CLOSE = "FIN"
    RESET = "RST"
    HANDSHAKE = "TLS handshake turn"  # this side sends its next handshake flight
    ALERT = "TLS alert"  # the client refuses the certificate
    SECURED = "TLS established"  # both ends finish the handshake; sends nothing by itself


class CertProblem(Enum):
    WRONG_NAME = "name-mismatch"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Action:
    """One thing one end does. ``copies``: every time a SYN or a segment went out; the last
    one arrives (unless ``lost``). ``secure``: ``data`` goes through TLS first."""

    t: float
    step: int
    side: Side
    op: Op
    data: bytes = b""
    secure: bool = False
    copies: tuple[float, ...] = ()
    lost: bool = False


@dataclass(frozen=True, slots=True)
class TLSPlan:
    """How the real handshake must go for the trace's story to hold."""

    version: str  # "1.3" or "1.2"
    verify: bool  # the client checks the certificate
    problem: CertProblem | None  # what is wrong with the server's certificate
    server_name: str  # SNI


@dataclass(frozen=True, slots=True)
class ConnectionScript:
    info: ConnectionInfo
    client: ActorInfo
    server: ActorInfo
    latency: float  # one way, from the handshake
    actions: tuple[Action, ...]
    tls: TLSPlan | None


@dataclass(frozen=True, slots=True)
class Datagram:
    t: float
    step: int
    src: ActorInfo
    dst: ActorInfo
    sport: int
    dport: int
    payload: bytes


def connection_scripts(trace: Trace) -> list[ConnectionScript]:
    """A script for every connection of the trace, in the order they were opened."""
    by_conn: dict[int, list[TraceEvent]] = {}
    for event in trace.events:
        if event.conn is not None:
            by_conn.setdefault(event.conn, []).append(event)
    roles = {a.id: a.role for a in trace.actors}
    scripts = []
    for info in trace.connections:
        events = by_conn.get(info.id, [])
        client, server = trace.actor(info.client), trace.actor(info.server)
        actions = _actions(events, info, roles)
        scripts.append(ConnectionScript(info, client, server, _latency(actions), tuple(actions),
                                        _tls_plan(events, server)))
    return scripts


def stream_bytes(script: ConnectionScript, side: Side) -> bytes:
    """The protocol bytes one side sent, in clear (before any TLS)."""
    return b"".join(a.data for a in script.actions if a.op is Op.DATA and a.side is side)


def dns_datagrams(trace: Trace) -> list[Datagram]:
    """Each DNS query and response whose bytes the trace holds, as UDP between asker and resolver."""
    out = []
    asked: dict[tuple[str, str, bytes], int] = {}  # (asker, resolver, DNS id) -> the asker's port
    for event in trace.events:
        if event.kind is not Kind.DNS or event.wire is None or event.dir is None:
            continue
        query_id = event.wire[:2]
        if event.dir is Direction.CLIENT:
            port = asked[(event.src, event.dst, query_id)] = _dns_port(query_id)
            out.append(Datagram(event.t, event.step, trace.actor(event.src), trace.actor(event.dst), port,
                                DNS_PORT, event.wire))
        else:
            port = asked.get((event.dst, event.src, query_id), _dns_port(query_id))
            out.append(Datagram(event.t, event.step, trace.actor(event.src), trace.actor(event.dst), DNS_PORT,
                                port, event.wire))
    return out


def _dns_port(query_id: bytes) -> int:
    # A stub resolver picks a random source port (RFC 5452); deriving it from the
    # (seeded) query id keeps the capture reproducible.
    return 49152 + int.from_bytes(query_id, "big") % 16384


def _actions(events: list[TraceEvent], info: ConnectionInfo, roles: dict[str, str]) -> list[Action]:
    actions: list[Action] = []
    literal = 0  # bytes announced by an IMAP {n} the server still owes
    for event in events:
        side = Side.CLIENT if event.src == info.client else Side.SERVER
        if event.kind in _PROTOCOL_KINDS and event.dir is not None:
            data, literal = _line_bytes(event, info.protocol, literal)
            secure = event.tls is not TLSMode.NONE
            last = actions[-1] if actions else None
            if (last is not None and last.op is Op.DATA and last.side is side and last.t == event.t
                    and last.secure == secure and len(last.copies) == 1):
                actions[-1] = replace(last, data=last.data + data)  # one transfer: lines sent together
            else:
                actions.append(Action(event.t, event.step, side, Op.DATA, data, secure, (event.t,)))
        elif event.kind is Kind.TCP:
            _tcp_event(actions, event, side)
        elif event.kind is Kind.TLS:
            _tls_event(actions, event, side)
        elif event.kind is Kind.NOTE and roles.get(event.src) == "attacker" and "STARTTLS" in event.text:
            _strip_starttls(actions)
    if actions and not any(a.op is Op.OPEN for a in actions):
        # A trace that starts at "connection from ..." (live mode): the handshake happened just before.
        first = actions[0]
        actions[:0] = [Action(first.t, first.step, side, op, copies=(first.t,))
                       for side, op in ((Side.CLIENT, Op.OPEN), (Side.SERVER, Op.ACCEPT), (Side.CLIENT, Op.ACK))]
    if not any(a.op in (Op.ACCEPT, Op.RESET) for a in actions):
        # Nothing ever answered: every SYN was lost on the way (host down).
        actions = [replace(a, lost=True) if a.op is Op.OPEN else a for a in actions]
    return actions


def _line_bytes(event: TraceEvent, protocol: Kind, literal: int) -> tuple[bytes, int]:
    """A traced line back to its bytes. Lines lost their CRLF; message contents lost the CRLF
    before the final dot (SMTP, POP3) or at the end of the IMAP literal."""
    data = event.text.encode("utf-8")
    if event.content:
        if protocol is Kind.IMAP:
            return (data + b"\r\n" if len(data) + 2 == literal else data), 0
        return (data + b"\r\n" if data else data), literal
    if protocol is Kind.IMAP and event.dir is Direction.SERVER:
        match = _LITERAL.search(event.text)
        if match:
            literal = int(match[1])
    return data + b"\r\n", literal


def _tcp_event(actions: list[Action], event: TraceEvent, side: Side) -> None:
    word = event.text.split(" ", 1)[0].rstrip(",")
    text = event.text.lower()
    if word == "SYN" and event.text.startswith("SYN, ACK"):
        actions.append(Action(event.t, event.step, side, Op.ACCEPT, copies=(event.t,)))
    elif word == "SYN" and "retransmit" in text:
        for i in range(len(actions) - 1, -1, -1):
            if actions[i].op is Op.OPEN:
                actions[i] = replace(actions[i], copies=actions[i].copies + (event.t,))
                break
    elif word == "SYN":
        actions.append(Action(event.t, event.step, side, Op.OPEN, copies=(event.t,)))
    elif word == "ACK":
        actions.append(Action(event.t, event.step, side, Op.ACK, copies=(event.t,)))
    elif word == "RST":
        actions.append(Action(event.t, event.step, side, Op.RESET, copies=(event.t,)))
    elif word == "FIN" or "closed" in text:
        actions.append(Action(event.t, event.step, side, Op.CLOSE, copies=(event.t,)))
    elif "lost" in text:
        # The segment just sent went missing; the sender sends it again after the timeout.
        match = _RETRY_AFTER.search(text)
        for i in range(len(actions) - 1, -1, -1):
            a = actions[i]
            if a.op is Op.DATA and a.side is side:
                wait = float(match[1]) if match else 2.0 ** (len(a.copies) - 1)
                actions[i] = replace(a, copies=a.copies + (round(event.t + wait, 6),))
                break
    # Anything else ("no answer after ...", "no greeting ...") is a wait, not a packet.


def _tls_event(actions: list[Action], event: TraceEvent, side: Side) -> None:
    if event.text.startswith("Alert"):
        actions.append(Action(event.t, event.step, side, Op.ALERT))
    elif " established" in event.text:
        actions.append(Action(event.t, event.step, side, Op.SECURED))
    else:
        last = actions[-1] if actions else None
        if last is not None and last.op is Op.HANDSHAKE and last.side is side and last.t == event.t:
            return  # flights from one side at one moment go out together
        actions.append(Action(event.t, event.step, side, Op.HANDSHAKE))


def _strip_starttls(actions: list[Action]) -> None:
    """The capture is taken on the client's side of the man in the middle: the EHLO reply it
    received has no STARTTLS line (what the attacker deleted, as the note says)."""
    for i in range(len(actions) - 1, -1, -1):
        a = actions[i]
        if a.op is Op.DATA and a.side is Side.SERVER:
            actions[i] = replace(a, data=strip_starttls_offer(a.data))
            return


def _latency(actions: Iterable[Action]) -> float:
    opened = answered = None
    for a in actions:
        if a.op is Op.OPEN and opened is None:
            opened = a.copies[-1]
        elif a.op in (Op.ACCEPT, Op.RESET) and answered is None:
            answered = a.t
    if opened is None or answered is None:
        return 0.0
    return max(0.0, round(answered - opened, 6))


def _tls_plan(events: list[TraceEvent], server: ActorInfo) -> TLSPlan | None:
    tls = [e for e in events if e.kind is Kind.TLS]
    if not tls:
        return None
    texts = " ".join(e.text for e in tls)
    version = "1.2" if "TLS 1.2" in texts or "KeyExchange" in texts else "1.3"
    alert = next((e for e in tls if e.text.startswith("Alert")), None)
    done = next((e for e in tls if " established" in e.text), None)
    if alert is not None:  # the client checked and refused: which problem, the explanation says
        refused = CertProblem.EXPIRED if "expire" in alert.explain.lower() else CertProblem.WRONG_NAME
        return TLSPlan(version, True, refused, server.hostname)
    said = done.text.lower() if done is not None else ""
    problem: CertProblem | None = None
    if "not valid" in said:  # accepted unchecked (opportunistic TLS)
        problem = CertProblem.EXPIRED if "expire" in said else CertProblem.WRONG_NAME
    return TLSPlan(version, "verified" in said and problem is None, problem, server.hostname)
