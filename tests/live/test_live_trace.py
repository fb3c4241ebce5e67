"""The live trace builds its events without TraceEvent's keyword __init__ (simulator/live/trace.py,
``make_event``): the events must be the very objects TraceEvent(...) makes, field for field."""

from __future__ import annotations

import dataclasses
import json

from simulator.live.trace import LiveTrace, make_event
from simulator.trace.events import Direction, Kind, TLSMode, Trace, TraceEvent
from simulator.trace.jsonl import to_line


def _fields(event: TraceEvent) -> dict[str, object]:
    # Every field, including the ones left out of comparisons (``wire``).
    return {f.name: getattr(event, f.name) for f in dataclasses.fields(TraceEvent)}


def test_make_event_is_what_the_constructor_makes() -> None:
    args = dict(step=7, t=1.25, kind=Kind.SMTP, src="mua", dst="msa", text="MAIL FROM:<a@example.org>",
                explain="starts a transaction", port=587, tls=TLSMode.STARTTLS, dir=Direction.CLIENT, conn=3,
                rfc="RFC 5321 §4.1.1.2", content=False)
    made = make_event(**args)  # type: ignore[arg-type]
    expected = TraceEvent(**args)  # type: ignore[arg-type]
    assert type(made) is TraceEvent
    assert _fields(made) == _fields(expected)
    assert made.wire is None
    assert made == expected and hash(made) == hash(expected)
    assert to_line(made) == to_line(expected)
    # Still frozen: nothing can change it after it is made.
    try:
        made.text = "changed"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("an event made by make_event could be changed")


def test_emitted_events_have_every_field_the_constructor_would_set() -> None:
    ticks = iter([0.0, 0.5, 1.0000004, 2.0])  # the start, then one reading per event
    trace = LiveTrace(Trace("s", "t", "", 1, (), ()), clock=lambda: next(ticks))
    conn = trace.new_connection("mua", "msa", 587, Kind.SMTP)
    seen: list[TraceEvent] = []
    trace.subscribe(seen.append)
    trace.emit(Kind.SMTP, "mua", "msa", "EHLO laptop", "introduces itself", port=587, tls=TLSMode.STARTTLS,
               dir=Direction.CLIENT, conn=conn, rfc="RFC 5321 §4.1.1.1")
    trace.emit(Kind.NOTE, "msa", "msa", "a note", "why")
    trace.emit(Kind.SMTP, "mua", "msa", "Subject: hi\r\n\r\nbody", "the message", port=587, dir=Direction.CLIENT,
               conn=conn, content=True)
    expected = [
        TraceEvent(step=0, t=0.5, kind=Kind.SMTP, src="mua", dst="msa", text="EHLO laptop", explain="introduces itself",
                   port=587, tls=TLSMode.STARTTLS, dir=Direction.CLIENT, conn=conn, rfc="RFC 5321 §4.1.1.1"),
        TraceEvent(step=1, t=1.0, kind=Kind.NOTE, src="msa", dst="msa", text="a note", explain="why"),
        TraceEvent(step=2, t=2.0, kind=Kind.SMTP, src="mua", dst="msa", text="Subject: hi\r\n\r\nbody",
                   explain="the message", port=587, dir=Direction.CLIENT, conn=conn, content=True),
    ]
    assert [_fields(e) for e in trace.events] == [_fields(e) for e in expected]
    assert seen == trace.events
    assert [json.loads(to_line(e)) for e in trace.snapshot().events] == [e.to_json() for e in expected]


def test_the_constructor_does_nothing_make_event_skips() -> None:
    # make_event sets the slots itself; that is the same object only while TraceEvent's __init__
    # does nothing but set them (no __post_init__ checks or conversions to miss).
    assert not hasattr(TraceEvent, "__post_init__")
