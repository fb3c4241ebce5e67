"""Typed trace events.

A run of a scenario produces a :class:`Trace`: metadata about the scenario and
its actors, the connections that were opened, and a tuple of
:class:`TraceEvent`, one per step a student would want to see. The UI, the
CLI, quizzes and exports read only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Re-exported: the fields' types live apart, for a streamed run (see simulator.trace.fields).
from simulator.trace.fields import ConnectionInfo, Direction, Kind, TLSMode

__all__ = ["ActorInfo", "ConnectionInfo", "Direction", "KeyMoment", "Kind", "TLSMode", "Trace", "TraceEvent"]


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One step of a run.

    ``text`` is, for protocol lines, the exact line as on the wire without its
    CRLF; ``content`` marks the one event that carries a whole message body.
    ``conn`` groups events of one TCP connection (see :class:`ConnectionInfo`).
    ``rfc`` is the section that rules this step, e.g. ``"RFC 3207 §4"``.
    ``wire`` holds the exact bytes of a message the text only shows (a DNS
    query or response, on its first line) for exports such as packet
    captures; it is left out of the JSON and of comparisons.
    """

    step: int
    t: float
    kind: Kind
    src: str
    dst: str
    text: str
    explain: str
    port: int | None = None
    tls: TLSMode = TLSMode.NONE
    dir: Direction | None = None
    conn: int | None = None
    rfc: str | None = None
    content: bool = False
    wire: bytes | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "t": self.t,
            "kind": self.kind.value,
            "src": self.src,
            "dst": self.dst,
            "port": self.port,
            "tls": self.tls.value,
            "dir": self.dir.value if self.dir is not None else None,
            "text": self.text,
            "explain": self.explain,
            "conn": self.conn,
            "rfc": self.rfc,
            "content": self.content,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TraceEvent:
        return cls(
            step=int(data["step"]),
            t=float(data["t"]),
            kind=Kind(data["kind"]),
            src=data["src"],
            dst=data["dst"],
            text=data["text"],
            explain=data["explain"],
            port=data.get("port"),
            tls=TLSMode(data.get("tls", "none")),
            dir=Direction(data["dir"]) if data.get("dir") else None,
            conn=data.get("conn"),
            rfc=data.get("rfc"),
            content=bool(data.get("content", False)),
        )


@dataclass(frozen=True, slots=True)
class ActorInfo:
    """An actor as the trace shows it: what a topology box needs."""

    id: str
    role: str
    hostname: str
    ip: str
    ports: tuple[int, ...] = ()
    label: str = ""


@dataclass(frozen=True, slots=True)
class KeyMoment:
    """A step the lesson names as one that matters (``[[moments]]`` in its scenario file).

    ``index`` is into ``Trace.events`` (the step shown is ``index + 1``);
    ``notes`` are the instructor's: questions to ask the class there.
    """

    index: int
    title: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Trace:
    """A finished run: the scenario it came from, its actors and connections, and every event."""

    scenario: str
    title: str
    summary: str
    seed: int
    actors: tuple[ActorInfo, ...]
    events: tuple[TraceEvent, ...]
    connections: tuple[ConnectionInfo, ...] = ()
    goals: tuple[str, ...] = ()
    debrief: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    moments: tuple[KeyMoment, ...] = ()

    def actor(self, actor_id: str) -> ActorInfo:
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)

    def connection(self, conn_id: int) -> ConnectionInfo:
        for conn in self.connections:
            if conn.id == conn_id:
                return conn
        raise KeyError(conn_id)
