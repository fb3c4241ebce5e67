"""``smtpsim run S --json`` streams: the same bytes as the kept trace, and no trace kept."""

from __future__ import annotations

import pytest

from simulator.cli.main import main
from simulator.run import run_scenario, simulate, stream_jsonl, stream_scenario
from simulator.scenario.library import open_scenario, scenario_names
from simulator.trace.jsonl import to_jsonl


@pytest.mark.parametrize("name", scenario_names())
def test_streamed_json_is_byte_identical_to_the_kept_trace(name, capsys, tmp_path):
    assert main(["run", name, "--json"]) == 0  # streams: nothing else needs the trace
    streamed = capsys.readouterr().out
    # --pcap needs the whole trace, so this run keeps it and prints it afterwards.
    assert main(["run", name, "--json", "--pcap", str(tmp_path / "x.pcap")]) == 0
    kept = capsys.readouterr().out
    assert streamed == kept
    assert streamed == "".join(line + "\n" for line in to_jsonl(run_scenario(open_scenario(name)).events))


def test_streamed_with_a_seed_and_a_fault_matches_too(capsys, tmp_path):
    argv = ["run", "retry-expired", "--json", "--seed", "7"]
    assert main(argv) == 0
    streamed = capsys.readouterr().out
    assert main([*argv, "--pcap", str(tmp_path / "x.pcap")]) == 0
    assert capsys.readouterr().out == streamed


def test_a_streamed_run_keeps_no_events():
    seen = []
    world = simulate(open_scenario("submission-starttls"), None, seen.append)
    assert world.recorder.events == []
    assert world.trace().events == ()
    assert [e.step for e in seen] == list(range(len(seen)))  # numbered as a kept trace numbers them
    assert stream_scenario(open_scenario("submission-starttls"), lambda e: None) == len(seen)


def test_a_kept_trace_stores_each_repeated_explanation_once():
    trace = run_scenario(open_scenario("retry-expired"))
    by_text: dict[str, set[int]] = {}
    for event in trace.events:
        by_text.setdefault(event.explain, set()).add(id(event.explain))
        by_text.setdefault(event.text, set()).add(id(event.text))
    assert len(by_text) < len(trace.events)  # there is repetition to share
    assert all(len(ids) == 1 for ids in by_text.values())


def test_streamed_lines_are_the_kept_traces_lines_and_no_event_is_made():
    scenario = open_scenario("retry-expired")
    lines: list[str] = []
    world = simulate(scenario, 7, lines=lines.append)
    assert world.recorder.events == [] and world.trace().events == ()
    assert lines == list(to_jsonl(run_scenario(scenario, 7).events))
    assert stream_jsonl(scenario, lambda line: None, 7) == len(lines)
