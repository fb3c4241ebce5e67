"""The live trace: the same TraceEvents as a simulation, appended as sessions happen.

A simulation freezes its events into a :class:`~simulator.trace.events.Trace`
when it ends; a live run never ends, so :class:`LiveTrace` is a growing list
with subscribers. ``t`` is wall-clock seconds since live mode started.

Threading: events are appended by the live event loop's thread only.
Subscribers are called there, synchronously, right after each append; a
subscriber in another thread (a UI) must hand the event over itself (e.g.
Textual's ``App.call_from_thread``). ``snapshot()`` and ``events_since()``
may be called from any thread.

Memory stays bounded: past ``max_events`` the oldest events are dropped (in
chunks); ``step`` numbers keep counting, and ``first_step`` says where the
kept list starts. Each event keeps at most ``LINE_SHOWN`` characters of a
protocol line (``CONTENT_SHOWN`` of a message body), each connection at most
``CONNECTION_SHOWN`` characters of lines (then one note, and its lines are
counted, not kept), and a connection that has ended leaves the table once
none of its events is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from simulator.trace.events import ActorInfo, ConnectionInfo, Direction, Kind, TLSMode, Trace, TraceEvent

Subscriber = Callable[[TraceEvent], Any]

MAX_EVENTS = 200_000
LINE_SHOWN = 4096  # characters of one protocol line kept (commands are 512 octets; IMAP lines may be 64 KiB)
CONTENT_SHOWN = 65536  # characters of a message body kept in one event
CONNECTION_SHOWN = 2 << 20  # characters of lines kept per connection
EVENT_COST = 100  # what one event costs besides its text, counted against that share (empty lines too)
_EXPLAINS_CACHED = 4096  # explanations repeat: one copy each, not one per event

# TraceEvent is a frozen dataclass with slots: its __init__ sets each of its 14 fields through
# object.__setattr__, keyword by keyword, which was two thirds of an emit (about 1.8 us of 2.8, for
# 9 to 11 events a message). The slots' own setters, called in field order, make the very same
# object (same class, fields, equality, hash) in about half the time. tests/live/test_live_trace.py
# checks the result against TraceEvent(...) field by field, so a new field cannot be missed silently.
_NEW_EVENT = object.__new__
_SETTERS = tuple(getattr(TraceEvent, f.name).__set__ for f in fields(TraceEvent))
(_S_STEP, _S_T, _S_KIND, _S_SRC, _S_DST, _S_TEXT, _S_EXPLAIN, _S_PORT, _S_TLS, _S_DIR, _S_CONN, _S_RFC,
 _S_CONTENT, _S_WIRE) = _SETTERS


def make_event(step: int, t: float, kind: Kind, src: str, dst: str, text: str, explain: str, port: int | None,
               tls: TLSMode, dir: Direction | None, conn: int | None, rfc: str | None, content: bool) -> TraceEvent:
    """``TraceEvent(step, t, ..., content)`` (``wire`` None), built without its keyword-by-keyword __init__."""
    event: TraceEvent = _NEW_EVENT(TraceEvent)
    _S_STEP(event, step)
    _S_T(event, t)
    _S_KIND(event, kind)
    _S_SRC(event, src)
    _S_DST(event, dst)
    _S_TEXT(event, text)
    _S_EXPLAIN(event, explain)
    _S_PORT(event, port)
    _S_TLS(event, tls)
    _S_DIR(event, dir)
    _S_CONN(event, conn)
    _S_RFC(event, rfc)
    _S_CONTENT(event, content)
    _S_WIRE(event, None)
    return event


class LiveTrace:
    """Actors, connections and a growing list of events, with subscribers."""

    def __init__(self, base: Trace, *, clock: Callable[[], float] = time.monotonic,
                 max_events: int = MAX_EVENTS) -> None:
        # ``base`` is an empty trace of the scenario: its metadata and actors.
        self.base = base
        self.actors: tuple[ActorInfo, ...] = base.actors
        self.connections: dict[int, ConnectionInfo] = {}
        self.events: list[TraceEvent] = []
        self.first_step = 0  # the step of events[0]; grows when old events are dropped
        self.max_events = max(1000, max_events)
        self._clock = clock
        self._start = clock()
        self._next_step = 0
        self._next_conn = 1
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._shown: dict[int, int] = {}  # open connection -> characters of lines kept so far
        self._last_step: dict[int, int] = {}  # connection -> the step of its last event
        self._ended: set[int] = set()  # ended connections still named by kept events
        self._explains: dict[str, str] = {}

    # --- what a player reads ----------------------------------------------------------------

    @property
    def scenario(self) -> str:
        return self.base.scenario

    @property
    def title(self) -> str:
        return self.base.title

    def elapsed(self) -> float:
        return self._clock() - self._start

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(event)`` for every new event; returns the unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def events_since(self, step: int) -> list[TraceEvent]:
        """The kept events with ``event.step >= step``."""
        with self._lock:
            start = max(0, step - self.first_step)
            return self.events[start:]

    def snapshot(self) -> Trace:
        """The trace so far, frozen: what ``smtpsim play`` or an export can take."""
        with self._lock:
            events = tuple(self.events)
            connections = tuple(self.connections.values())
        b = self.base
        return Trace(scenario=b.scenario, title=b.title, summary=b.summary, seed=b.seed, actors=self.actors,
                     events=events, connections=connections, goals=b.goals, debrief=b.debrief,
                     extra={"live": True, "first_step": self.first_step})

    # --- what the live servers write ----------------------------------------------------------

    def new_connection(self, client: str, server: str, port: int, protocol: Kind,
                       tls: TLSMode = TLSMode.NONE) -> int:
        with self._lock:
            conn_id = self._next_conn
            self._next_conn += 1
            self.connections[conn_id] = ConnectionInfo(conn_id, client, server, port, protocol, tls)
            self._shown[conn_id] = 0
        return conn_id

    def end_connection(self, conn_id: int) -> None:
        """The connection is closed: forget its bookkeeping; its table entry goes with its last event."""
        with self._lock:
            self._shown.pop(conn_id, None)
            if conn_id not in self._last_step:
                self.connections.pop(conn_id, None)
            else:
                self._ended.add(conn_id)  # pruned when old events are dropped

    def update_connection(self, conn_id: int, *, tls: TLSMode | None = None, client: str | None = None,
                          server: str | None = None) -> None:
        with self._lock:
            info = self.connections.get(conn_id)
            if info is None:
                return
            self.connections[conn_id] = ConnectionInfo(
                info.id, client or info.client, server or info.server, info.port, info.protocol,
                tls if tls is not None else info.tls,
            )

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
    ) -> TraceEvent:
        """Append one event (same fields as the simulation's recorder) and tell the subscribers.

        A protocol line of a connection whose share is used up is counted, not kept (nor sent to
        subscribers); the event is returned all the same.
        """
        limit = CONTENT_SHOWN if content else LINE_SHOWN
        if len(text) > limit:
            # Enough to read, not megabytes per event.
            text = f"{text[:limit]}{chr(13) + chr(10) if content else ' '}[... {len(text) - limit} more characters not shown]"
        with self._lock:
            explains = self._explains
            kept = explains.get(explain)
            if kept is not None:
                explain = kept
            elif len(explains) < _EXPLAINS_CACHED:
                explains[explain] = explain
            keep = True
            shown = self._shown.get(conn, -1) if conn is not None and dir is not None else -1  # -1: no share to count
            if shown >= 0 and conn is not None:
                if shown >= CONNECTION_SHOWN:
                    keep = shown == CONNECTION_SHOWN  # the first line over the share becomes one note
                    self._shown[conn] = shown + 1
                    kind, dir, content = Kind.NOTE, None, False
                    text = (f"the trace keeps {CONNECTION_SHOWN // (1 << 20)} MiB of lines per connection: "
                            "the rest of this connection's lines are not kept")
                    explain = ("A live trace must not let one client fill memory: past this share, the lines of "
                               "this connection still go to the servers, but the trace does not keep them.")
                else:
                    self._shown[conn] = min(CONNECTION_SHOWN, shown + len(text) + EVENT_COST)
            step = self._next_step
            t = round(self._clock() - self._start, 6)
            if not keep:
                return make_event(step, t, kind, src, dst, text, explain, None, TLSMode.NONE, None, conn, None, False)
            event = make_event(step, t, kind, src, dst, text, explain, port, tls, dir, conn, rfc, content)
            self._next_step = step + 1
            events = self.events
            events.append(event)
            if conn is not None:
                self._last_step[conn] = step
            if len(events) > self.max_events:
                drop = len(events) - self.max_events + self.max_events // 10
                del events[:drop]
                self.first_step += drop
                self._prune()
            if not self._subscribers:
                return event  # nobody watches (a bench, a headless run): no copy of an empty list
            subscribers = tuple(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:  # a broken viewer must never stop the servers
                with self._lock:
                    if callback in self._subscribers:
                        self._subscribers.remove(callback)
        return event

    def _prune(self) -> None:
        """Drop the table entries of ended connections none of whose events is kept (lock held)."""
        gone = [c for c in self._ended if self._last_step.get(c, -1) < self.first_step]
        for conn_id in gone:
            self._ended.discard(conn_id)
            self._last_step.pop(conn_id, None)
            self.connections.pop(conn_id, None)
