"""Collects trace events as the engine runs."""

from __future__ import annotations

from simulator.trace.events import ConnectionInfo, Direction, Kind, TLSMode, TraceEvent


class TraceRecorder:
    """Appends events with a running step number; the clock comes from the caller."""

    __slots__ = ("events", "connections", "_clock", "_next_conn")

    def __init__(self, clock) -> None:  # clock: a zero-argument callable returning simulated time
        self.events: list[TraceEvent] = []
        self.connections: dict[int, ConnectionInfo] = {}
        self._clock = clock
        self._next_conn = 1

    def new_connection(self, client: str, server: str, port: int, protocol: Kind, tls: TLSMode) -> int:
        conn_id = self._next_conn
        self._next_conn += 1
        self.connections[conn_id] = ConnectionInfo(conn_id, client, server, port, protocol, tls)
        return conn_id

    def update_connection(self, conn_id: int, tls: TLSMode) -> None:
        info = self.connections[conn_id]
        self.connections[conn_id] = ConnectionInfo(info.id, info.client, info.server, info.port, info.protocol, tls)

    def emit(
        self,
        kind: Kind,
        src: str,
        dst: str,
        text: str,
        explain: str,
        *,
        port: int | None = None,
        tls: TLSMode = TLSMode.NONE,
        dir: Direction | None = None,
        conn: int | None = None,
        rfc: str | None = None,
        content: bool = False,
        wire: bytes | None = None,
    ) -> None:
        events = self.events
        # Positional: this runs for every event of a run (fields in TraceEvent's order).
        # Microseconds are plenty for teaching and keep the JSON exact.
        events.append(TraceEvent(len(events), round(self._clock(), 6), kind, src, dst, text, explain,
                                 port, tls, dir, conn, rfc, content, wire))
