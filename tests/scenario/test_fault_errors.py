"""A fault that names something missing says the file, the fault and the missing thing."""

import pytest

from simulator.scenario import ScenarioError
from simulator.scenario.library import resolve_scenario
from simulator.scenario.loader import parse_scenario

BASE = resolve_scenario("submission-starttls").read_text()


def error(fault: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(BASE + "\n[[faults]]\n" + fault, source="lab.toml")
    return str(info.value)


def test_missing_host():
    assert error('kind = "host-down"\nhost = "mx9"\n') == (
        'lab.toml: faults[0] (host-down).host: expected the id of a host in [hosts], found "mx9" (no such host)'
    )


def test_host_with_the_wrong_role():
    assert error('kind = "greylisting"\nhost = "dns"\n') == (
        'lab.toml: faults[0] (greylisting).host: expected a host with role mta, found "dns" (its role is dns)'
    )


def test_missing_mailbox():
    assert error('kind = "user-unknown"\nmailbox = "zed@example.net"\n') == (
        'lab.toml: faults[0] (user-unknown).mailbox: expected an address listed under [accounts], '
        'found "zed@example.net" (no such mailbox)'
    )


def test_missing_zone_record():
    assert error('kind = "servfail"\ndomain = "example.com"\n') == (
        'lab.toml: faults[0] (servfail).domain: expected a domain with a zone under [dns.zones], '
        'found "example.com" (no such zone)'
    )


def test_missing_link():
    assert error('kind = "starttls-stripped"\nlink = "alice-mx9"\n') == (
        'lab.toml: faults[0] (starttls-stripped).link: expected "HOST-HOST" naming two hosts in [hosts], '
        'found "alice-mx9" (no such link)'
    )


def test_unknown_kind_lists_the_known_ones():
    msg = error('kind = "meteor-strike"\nhost = "msa"\n')
    assert msg.startswith("lab.toml: faults[0].kind: expected one of ") and 'found "meteor-strike"' in msg
    assert "greylisting" in msg and "null-mx" in msg


def test_target_missing():
    assert error('kind = "greylisting"\n') == (
        "lab.toml: faults[0] (greylisting).host: expected the host this fault attaches to, found nothing"
    )


def test_bad_parameter_value():
    assert error('kind = "loss"\nlink = "msa-mx-net"\nrate = 1.5\n') == (
        "lab.toml: faults[0] (loss).rate: expected a loss rate from 0 to below 1, found 1.5"
    )


def test_parameter_of_another_kind_is_unknown():
    msg = error('kind = "greylisting"\nhost = "mx-net"\nrate = 0.1\n')
    assert msg.startswith("lab.toml: faults[0] (greylisting).rate: expected one of ")


def test_bad_attempts():
    assert error('kind = "greylisting"\nhost = "mx-net"\nattempts = 0\n') == (
        "lab.toml: faults[0] (greylisting).attempts: expected a whole number >= 1, found 0"
    )


def test_queue_policy_is_validated():
    with pytest.raises(ScenarioError) as info:
        parse_scenario(BASE + "\n[queue]\nretry = -5\n", source="lab.toml")
    assert str(info.value) == "lab.toml: queue.retry: expected a number >= 1, found -5"


def test_a_misspelt_fault_kind_is_an_error_naming_file_and_key():
    message = error('kind = "remote-bonce"\nmailbox = "bob@example.net"\n')
    assert message.startswith('lab.toml: faults[0].kind: expected one of ')
    assert "remote-bounce" in message and 'found "remote-bonce"' in message


def test_code_that_asks_for_a_misspelt_fault_fails_instead_of_meaning_no_fault():
    from simulator.delivery.faults import FaultBook
    from simulator.scenario.faults import FaultKind

    book = FaultBook((), lambda: 0.0)
    assert book.hit(FaultKind.REMOTE_BOUNCE, "bob@example.net") is None
    with pytest.raises(ValueError):
        book.hit("remote-bonce", "bob@example.net")  # type: ignore[arg-type]
