"""The MUA keys of the IMAP lesson: ``idle`` and ``after_reading``, checked with one clear message."""

import pytest

from simulator.scenario import ScenarioError, parse_scenario

from test_loader import MINIMAL

ACCOUNT = 'account = "alice@example.org"'


def with_keys(extra: str) -> str:
    return MINIMAL.replace(ACCOUNT, ACCOUNT + "\n" + extra)


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="lab.toml")
    return str(info.value)


def test_defaults_keep_the_checking_client() -> None:
    alice = parse_scenario(MINIMAL).host("alice")
    assert (alice.idle, alice.after_reading) == (False, "keep")


def test_idle_and_trash_are_read() -> None:
    alice = parse_scenario(with_keys('idle = true\nafter_reading = "trash"')).host("alice")
    assert (alice.idle, alice.after_reading) == (True, "trash")


def test_idle_must_be_a_boolean() -> None:
    assert error_of(with_keys('idle = "yes"')) == 'lab.toml: hosts.alice.idle: expected true or false, found "yes"'


def test_after_reading_is_keep_or_trash() -> None:
    assert error_of(with_keys('after_reading = "delete"')) == (
        'lab.toml: hosts.alice.after_reading: expected "keep" or "trash", found "delete"')


def test_idle_needs_imap() -> None:
    assert error_of(with_keys('read_protocol = "pop3"\nidle = true')) == (
        'lab.toml: hosts.alice.idle: expected read_protocol = "imap" (IDLE and Trash are IMAP\'s), found "pop3"')
