"""A zone that parsed once is not parsed again (dnspython is a large import before the player's
first frame); a zone that failed, or that changed, is always checked."""

from __future__ import annotations

import dns.zone
import pytest

from simulator.scenario import ScenarioError, parse_scenario
from tests.scenario.test_loader import MINIMAL

GOOD = MINIMAL + '\n[dns.zones]\n"example.net" = "@ IN MX 10 mx1\\nmx1 IN A 203.0.113.25"\n'
BAD = MINIMAL + '\n[dns.zones]\n"example.net" = "@ IN MX ten mx1"\n'


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The origins dnspython is asked to parse."""
    seen: list[str] = []
    real = dns.zone.from_text

    def counting(text, *args, **kwargs):
        seen.append(kwargs.get("origin", ""))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(dns.zone, "from_text", counting)
    return seen


def test_a_zone_that_parsed_is_not_parsed_again(parses, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = parse_scenario(GOOD, source="lab.toml")
    assert parses == ["example.net."]
    assert len(list((tmp_path / "smtpsim" / "zones").iterdir())) == 1
    again = parse_scenario(GOOD, source="lab.toml")
    assert parses == ["example.net."] and again.zones == first.zones  # the same zone text, not parsed


def test_a_changed_zone_is_parsed_again(parses, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parse_scenario(GOOD, source="lab.toml")
    parse_scenario(GOOD.replace("203.0.113.25", "203.0.113.26"), source="lab.toml")
    assert parses == ["example.net.", "example.net."]


def test_a_bad_zone_is_never_remembered(parses, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for _ in range(2):
        with pytest.raises(ScenarioError, match="expected a valid zone in master-file syntax"):
            parse_scenario(BAD, source="lab.toml")
    assert not (tmp_path / "smtpsim" / "zones").exists()


def test_a_cache_that_cannot_be_written_only_means_parsing_each_time(parses, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    parse_scenario(GOOD, source="lab.toml")
    parse_scenario(GOOD, source="lab.toml")
    assert parses == ["example.net.", "example.net."]
