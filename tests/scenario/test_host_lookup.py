"""`Scenario.host` and `hosts_with_role` look up tables: they must find what a scan of `hosts` in order finds."""

import dataclasses

import pytest

from simulator.scenario.library import open_scenario, scenario_names


@pytest.mark.parametrize("name", scenario_names())
def test_every_host_is_found_by_its_id(name: str) -> None:
    scenario = open_scenario(name)
    for host in scenario.hosts:
        assert scenario.host(host.id) is next(h for h in scenario.hosts if h.id == host.id)


def test_an_unknown_id_is_a_key_error() -> None:
    scenario = open_scenario(scenario_names()[0])
    with pytest.raises(KeyError):
        scenario.host("no-such-host")


def test_a_copy_with_other_hosts_looks_up_its_own() -> None:
    # The table belongs to one Scenario object: dataclasses.replace() must not carry it over.
    scenario = open_scenario(scenario_names()[0])
    first = scenario.host(scenario.hosts[0].id)
    renamed = dataclasses.replace(first, id="renamed")
    other = dataclasses.replace(scenario, hosts=(renamed, *scenario.hosts[1:]))
    assert other.host("renamed") is renamed
    with pytest.raises(KeyError):
        other.host(first.id)


@pytest.mark.parametrize("name", scenario_names())
def test_hosts_with_a_role_are_those_a_scan_finds_in_order(name: str) -> None:
    from simulator.scenario.model import Role

    scenario = open_scenario(name)
    for role in Role:
        assert scenario.hosts_with_role(role) == tuple(h for h in scenario.hosts if h.role is role)
