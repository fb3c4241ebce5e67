"""The instructor's fault toggles: worded once, and never a copy of a fault the file already has."""

from __future__ import annotations

import re

import pytest

from simulator.scenario.library import open_scenario, scenario_names
from simulator.scenario.toggles import available_toggles, describe_fault, with_toggles

NAMES = scenario_names()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9@.'-]+", text.lower())


def _shared_run(a: str, b: str, n: int = 3) -> set[tuple[str, ...]]:
    """Runs of ``n`` words that both texts contain."""
    def runs(words: list[str]) -> set[tuple[str, ...]]:
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
    return runs(_words(a)) & runs(_words(b))


@pytest.mark.parametrize("name", NAMES)
def test_a_toggles_summary_does_not_repeat_its_label(name):
    # "bob@example.net does not exist: the mailbox does not exist" said it twice.
    for toggle in available_toggles(open_scenario(name)):
        assert not _shared_run(toggle.label, toggle.summary), (toggle.name, toggle.label, toggle.summary)
        assert toggle.label.strip() and toggle.summary.strip()


@pytest.mark.parametrize("name", NAMES)
def test_no_toggle_repeats_a_fault_the_scenario_file_has(name):
    scenario = open_scenario(name)
    written = {(f.kind, frozenset(f.link) if f.link else f.subject) for f in scenario.faults}
    for toggle in available_toggles(scenario):
        for fault in toggle.faults:
            assert (fault.kind, frozenset(fault.link) if fault.link else fault.subject) not in written, toggle.name


def test_mx_down_in_mx_failover_takes_the_mx_still_up():
    scenario = open_scenario("mx-failover")
    assert any(f.kind == "host-down" and f.subject == "mx-net" for f in scenario.faults)  # mx1, down in the file
    toggle = next(t for t in available_toggles(scenario) if t.name == "mx-down")
    assert toggle.faults[0].subject == "mx-net2"
    assert toggle.label.startswith(f"{scenario.host('mx-net2').hostname} down")


def test_an_mx_down_for_good_is_not_offered_again_nor_greylisted():
    toggles = {t.name for t in available_toggles(open_scenario("retry-expired"))}
    assert not {"mx-down", "greylisting", "starttls-stripped"} & toggles
    assert {"user-unknown", "nxdomain", "bad-password"} <= toggles  # the rest still fit


def test_the_scenario_files_own_faults_in_words():
    words = {name: [describe_fault(s, f) for f in s.faults] for name in NAMES if (s := open_scenario(name)).faults}
    assert words["mx-failover"] == ["mx1.example.net down"]
    assert words["mailbox-full"] == ["bob@example.net's mailbox is full (first 2 tries)"]
    assert words["dns-temporary-failure"] == ["DNS fails for example.net (SERVFAIL) for an hour"]
    assert words["message-too-large"] == ["mx1.example.net takes messages up to 512 bytes"]
    assert "mx1.example.net's certificate has expired" in words["bad-certificate"]
    for texts in words.values():
        assert all(t and "{" not in t for t in texts)


def test_with_toggles_refuses_a_name_that_no_longer_fits():
    from simulator.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="mx-down"):
        with_toggles(open_scenario("retry-expired"), ["mx-down"])


def test_toggles_on_the_same_hosts_keep_what_each_switched_on():
    # dkim-key-missing makes the unsigned MSA sign (else there is no key to miss) and the MX check;
    # ptr-missing switches on the MX's reverse DNS check. Together, the MX does both.
    base = open_scenario("submission-starttls")
    assert base.host("msa").dkim_selector == "" and not base.host("mx-net").mail_auth
    for names in (["ptr-missing", "dkim-key-missing", "dmarc-reject"], ["dmarc-reject", "dkim-key-missing", "ptr-missing"]):
        scenario = with_toggles(base, names)
        assert scenario.host("msa").dkim_selector == "sim2026"
        mx = scenario.host("mx-net")
        assert mx.mail_auth and mx.reverse_dns
        assert {(f.kind.value, f.subject) for f in scenario.faults} >= {
            ("dkim-key-missing", "msa"), ("dmarc-reject", "example.org"), ("ptr-missing", "msa")}
