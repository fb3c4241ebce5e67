"""The trace cache: same run, same trace; any change to what the run depends on is a miss; damage is a miss."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from simulator.run import cached_run, run_scenario
from simulator.scenario.library import open_scenario
from simulator.scenario.toggles import available_toggles, with_toggles
from simulator.trace import cache


@pytest.fixture
def scenario():
    return open_scenario("submission-starttls")


def test_a_cached_trace_equals_the_run_and_keeps_the_wire_bytes(scenario, tmp_path):
    ran = run_scenario(scenario)
    first = cached_run(scenario, directory=tmp_path)  # a miss: runs and stores
    assert len(list(tmp_path.glob("*.json"))) == 1
    again = cached_run(scenario, directory=tmp_path)  # a hit
    assert first == ran and again == ran
    # DNS events carry their wire bytes (for packet captures); equality ignores them, so check them.
    assert [e.wire for e in again.events] == [e.wire for e in ran.events]
    assert any(e.wire for e in ran.events)


def test_a_hit_does_not_run_the_scenario(scenario, tmp_path, monkeypatch):
    cached_run(scenario, directory=tmp_path)
    import simulator.run

    def boom(*args, **kwargs):
        raise AssertionError("ran again")

    monkeypatch.setattr(simulator.run, "run_scenario", boom)
    assert cached_run(scenario, directory=tmp_path).scenario == scenario.name


def test_seed_faults_and_content_change_the_key_the_file_name_does_not(scenario):
    key = cache.trace_key(scenario)
    assert cache.trace_key(scenario, scenario.seed) == key  # None means the scenario's own seed
    assert cache.trace_key(scenario, scenario.seed + 1) != key
    toggle = available_toggles(scenario)[0]
    assert cache.trace_key(with_toggles(scenario, [toggle.name])) != key
    assert cache.trace_key(dataclasses.replace(scenario, latency=scenario.latency * 2)) != key
    assert cache.trace_key(dataclasses.replace(scenario, name="renamed")) != key  # the trace shows the name
    assert cache.trace_key(dataclasses.replace(scenario, source="/elsewhere/copy.toml")) == key  # a copy: a hit
    assert cache.trace_key(open_scenario("submission-starttls")) == key  # loaded again: the same


def test_the_key_does_not_depend_on_the_process(scenario, tmp_path):
    # Hash randomisation differs per process: a key made from set order would differ too.
    import subprocess
    import sys

    code = ("from simulator.scenario.library import open_scenario; from simulator.trace.cache import trace_key; "
            "print(trace_key(open_scenario('greylisting')))")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(n)}).stdout.strip() for n in (1, 2, 3)}
    assert len(keys) == 1


def test_a_code_change_is_a_miss(scenario, monkeypatch):
    key = cache.trace_key(scenario)
    monkeypatch.setattr(cache, "code_stamp", lambda: "0.0.0:changed")
    assert cache.trace_key(scenario) != key


@pytest.mark.parametrize("damage", [
    b"", b"{", b"\xff\xfe not text", b"[]", b'{"format": 1}', b'{"format": 999, "key": "K", "trace": {}}',
])
def test_a_damaged_file_is_a_miss_and_is_removed(scenario, tmp_path, damage):
    key = cache.trace_key(scenario)
    path = tmp_path / f"{key}.json"
    path.write_bytes(damage.replace(b'"K"', json.dumps(key).encode()))
    assert cache.load(key, tmp_path) is None
    assert not path.exists()
    assert cached_run(scenario, directory=tmp_path) == run_scenario(scenario)  # and the run still happens


def test_a_truncated_entry_is_a_miss(scenario, tmp_path):
    key = cache.trace_key(scenario)
    cache.store(key, run_scenario(scenario), tmp_path)
    path = tmp_path / f"{key}.json"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert cache.load(key, tmp_path) is None


def test_an_entry_with_a_bad_field_is_a_miss(scenario, tmp_path):
    key = cache.trace_key(scenario)
    cache.store(key, run_scenario(scenario), tmp_path)
    path = tmp_path / f"{key}.json"
    data = json.loads(path.read_text())
    data["trace"]["events"][0]["kind"] = "carrier-pigeon"
    path.write_text(json.dumps(data))
    assert cache.load(key, tmp_path) is None


def test_an_unwritable_cache_only_costs_the_run(scenario, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    assert cache.store("k", run_scenario(scenario), blocked / "traces") is False
    assert cached_run(scenario, directory=blocked / "traces") == run_scenario(scenario)


def test_the_cache_lives_in_the_user_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "smtpsim" / "traces"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec: relative paths are ignored
    assert cache.cache_dir() == cache.Path.home() / ".cache" / "smtpsim" / "traces"
