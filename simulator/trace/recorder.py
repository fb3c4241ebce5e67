"""Collects trace events as the engine runs.

Two ways: keep every event (a player, a capture, a quiz need the whole trace),
or hand each event to a sink as it happens and keep none (``smtpsim run
--json`` writes it out and forgets it). A kept trace shares its repeated
strings: a long run says the same explanation and the same few lines
thousands of times, and each distinct one is stored once.
"""

from __future__ import annotations

from collections.abc import Callable

from typing import TYPE_CHECKING

from simulator.trace.fields import ConnectionInfo, Direction, Kind, TLSMode
from simulator.trace.jsonl import line as json_line

if TYPE_CHECKING:
    from simulator.trace.events import TraceEvent

EventSink = Callable[["TraceEvent"], None]
LineSink = Callable[[str], None]


class TraceRecorder:
    """Appends events with a running step number; the clock comes from the caller.

    With a ``sink``, each event goes to it as it is made and ``events`` stays empty. With
    ``lines`` instead, each event's JSON line (``simulator.trace.jsonl``) goes to it and no
    ``TraceEvent`` is made at all: ``smtpsim run --json`` needs only the text.
    """

    __slots__ = ("events", "connections", "_clock", "_next_conn", "_sink", "_lines", "_steps", "_strings", "_event",
                 "_read", "_rounded")

    def __init__(self, clock: Callable[[], float], sink: EventSink | None = None,
                 lines: LineSink | None = None) -> None:
        self.events: list[TraceEvent] = []
        self.connections: dict[int, ConnectionInfo] = {}
        self._clock = clock
        self._next_conn = 1
        self._sink = sink
        self._lines = lines
        self._steps = 0  # events made so far (kept or not): the next step number
        self._strings: dict[str, str] = {}  # one copy of each text and explanation of a kept trace
        # The clock's last reading and its rounding: the events of one instant come together.
        self._read = 0.0
        self._rounded = 0.0
        if lines is None:  # only a recorder that makes events imports their class (see simulator.trace.fields)
            from simulator.trace.events import TraceEvent

            self._event: type[TraceEvent] = TraceEvent

    @property
    def steps(self) -> int:
        """How many events have been made (kept or handed to the sink)."""
        return self._steps

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
        step = self._steps
        self._steps = step + 1
        # Microseconds are plenty for teaching and keep the JSON exact. Only a float reading is
        # reused (an int of equal value is written differently), and never zero (it equals -0.0).
        now = self._clock()
        if now == self._read and now and type(now) is float:
            t = self._rounded
        else:
            t = round(now, 6)
            if type(now) is float:
                self._read, self._rounded = now, t
        lines = self._lines
        if lines is not None:
            lines(json_line(step, t, kind, src, dst, text, explain, port, tls, dir, conn, rfc, content))
            return
        sink = self._sink
        if sink is not None:
            # Positional: this runs for every event of a run (fields in TraceEvent's order).
            sink(self._event(step, t, kind, src, dst, text, explain, port, tls, dir, conn, rfc, content, wire))
            return
        strings = self._strings
        text = strings.setdefault(text, text)
        explain = strings.setdefault(explain, explain)
        self.events.append(self._event(step, t, kind, src, dst, text, explain, port, tls, dir, conn, rfc, content,
                                       wire))
