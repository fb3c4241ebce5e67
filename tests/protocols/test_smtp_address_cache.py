"""Parsed paths and domains are remembered (``parse_path``, ``is_domain``): the same as parsing afresh, bounded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.protocols.smtp import address
from simulator.protocols.smtp.address import AddressError, _parse_path, is_domain, parse_path

_PIECES = st.sampled_from(["<", ">", "@", ".", ":", ",", "bob", "example.net", "-x", "\"q t\"", "é", "[192.0.2.1]",
                           "postmaster", "Postmaster", "a" * 70, "_u"])
_TEXT = st.lists(_PIECES, max_size=8).map("".join)


def _outcome(remembered: bool, text: str, null: bool, postmaster: bool) -> object:
    try:
        if remembered:
            return parse_path(text, allow_null=null, allow_postmaster=postmaster)
        return _parse_path(text, null, postmaster)  # the parser itself, never remembered
    except AddressError as exc:
        return (type(exc), str(exc))


@given(text=_TEXT, null=st.booleans(), postmaster=st.booleans())
def test_parse_path_twice_is_parsing_afresh(text: str, null: bool, postmaster: bool) -> None:
    want = _outcome(False, text, null, postmaster)
    assert _outcome(True, text, null, postmaster) == want
    assert _outcome(True, text, null, postmaster) == want  # the second from the memory


def test_an_error_is_raised_every_time() -> None:
    for _ in range(2):
        with pytest.raises(AddressError):
            parse_path("<bob@exa mple.net>")


def test_is_domain_still_follows_rfc_5321() -> None:
    # §4.1.2: sub-domain = Let-dig [Ldh-str]; labels of at most 63 octets.
    assert is_domain("mx.example.net") and is_domain("a-b.c")
    assert not is_domain("-a.example") and not is_domain("a_b.example") and not is_domain("a" * 64 + ".x")


def test_the_memories_are_bounded() -> None:
    for i in range(address.PARSED_CACHED + 100):
        parse_path(f"<u{i}@example.net>")
        is_domain(f"d{i}.example")
    assert len(address._PATHS) <= address.PARSED_CACHED
    assert is_domain.cache_info().currsize <= address.PARSED_CACHED
