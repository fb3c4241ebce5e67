"""``to_line`` writes each JSON line itself; it must be exactly what json's encoder writes."""

from __future__ import annotations

import json

import pytest

from simulator.trace.events import Direction, Kind, TLSMode, TraceEvent
from simulator.trace.jsonl import from_jsonl, to_jsonl, to_line

TRICKY = [
    "",
    "plain",
    'a "quoted" word',
    "back\\slash",
    "tab\there, CR\rLF\n, NUL\x00, BEL\x07, DEL\x7f",
    "non-ASCII: Grüße, 日本語, emoji \U0001f4e7",
    "line and paragraph separators: \u2028 \u2029",
    "a lone surrogate \ud800",
    "</script>",
]


def _stdlib(event: TraceEvent) -> str:
    # What `smtpsim run --json` has always written: json.dumps with these options.
    return json.dumps(event.to_json(), ensure_ascii=False, separators=(", ", ": "))


def _events() -> list[TraceEvent]:
    out = []
    for i, text in enumerate(TRICKY):
        out.append(TraceEvent(i, 0.1 * i, Kind.SMTP, "alice", "msa", text, TRICKY[-1 - i], port=587,
                              tls=TLSMode.STARTTLS, dir=Direction.CLIENT, conn=3, rfc=text or None,
                              content=bool(i % 2)))
    out.append(TraceEvent(99, 0.0, Kind.NOTE, "world", "", "note", "why"))  # every optional field unset
    out.append(TraceEvent(100, 12345.678901, Kind.DNS, "msa", "dns", "q", "e", dir=Direction.SERVER,
                          tls=TLSMode.IMPLICIT, wire=b"\x00\x01"))
    out.append(TraceEvent(101, 1e-7, Kind.TCP, "a", "b", "x", "y"))  # json writes 1e-07
    out.append(TraceEvent(102, 3, Kind.TCP, "a", "b", "x", "y"))  # an int time stays an int
    out.append(TraceEvent(103, float("nan"), Kind.TCP, "a", "b", "x", "y"))  # NaN as json writes it
    out.append(TraceEvent(104, float("inf"), Kind.TCP, "a", "b", "x", "y"))
    return out


@pytest.mark.parametrize("event", _events(), ids=lambda e: str(e.step))
def test_a_line_is_what_the_stdlib_encoder_writes(event: TraceEvent) -> None:
    assert to_line(event) == _stdlib(event)


def test_every_kind_and_mode_is_written_as_its_value() -> None:
    for kind in Kind:
        for tls in TLSMode:
            event = TraceEvent(1, 1.5, kind, "a", "b", "t", "e", tls=tls)
            line = to_line(event)
            assert line == _stdlib(event)
            data = json.loads(line)
            assert (data["kind"], data["tls"]) == (kind.value, tls.value)


def test_lines_read_back_to_the_same_events() -> None:
    events = [e for e in _events() if e.t == e.t]  # NaN never equals itself
    assert from_jsonl(to_jsonl(events)) == events


def test_a_whole_run_streams_what_the_stdlib_encoder_writes_for_its_events() -> None:
    from simulator.run import run_scenario, stream_jsonl
    from simulator.scenario.library import open_scenario

    scenario = open_scenario("submission-starttls")
    lines: list[str] = []
    stream_jsonl(scenario, lines.append)
    assert lines == [_stdlib(event) for event in run_scenario(scenario).events]


def test_remembered_parts_of_a_line_are_what_the_stdlib_encoder_writes() -> None:
    # The run of fields from "kind" to "text" and the "rfc"/"content" tail are written once per
    # value and remembered: the second line of each pair comes from that memory.
    for i, word in enumerate(TRICKY):
        for port, conn in ((25, 7), (None, None), (587, 1)):
            for _ in range(2):
                event = TraceEvent(i, 0.5, Kind.SMTP, word, TRICKY[-1 - i], "t", "e", port=port, conn=conn,
                                   dir=Direction.SERVER if port else None, rfc=word or None, content=port == 25)
                assert to_line(event) == _stdlib(event)


def test_the_remembered_parts_are_bounded() -> None:
    from simulator.trace import jsonl

    for i in range(jsonl._EXPLAINED_MAX + 100):
        to_line(TraceEvent(i, 0.5, Kind.TCP, f"host{i}", "b", "x", f"why {i}", rfc=f"RFC {i}"))
    assert max(len(jsonl._MIDDLE), len(jsonl._TAIL), len(jsonl._EXPLAINED)) <= jsonl._EXPLAINED_MAX


def test_remembered_times_are_written_as_json_writes_them() -> None:
    # Each time's text is remembered; zero and minus zero are equal but written differently.
    for t in (2.5, 2.5, 0.0, -0.0, 0.0, -0.0, 1e-7, 1e-7, 123456.000001, 123456.000001):
        event = TraceEvent(1, t, Kind.TCP, "a", "b", "x", "y")
        assert to_line(event) == _stdlib(event)
