"""The submission policy's From: reading (``policies._addresses``) is email.utils' own, remembered and bounded."""

from __future__ import annotations

from email.utils import getaddresses

from hypothesis import given
from hypothesis import strategies as st

from simulator.delivery import policies

_VALUE = st.lists(st.sampled_from(["Alice <alice@example.org>", "bob@example.net", '"A, B" <ab@example.org>',
                                   "(comment) c@example.org", "undisclosed-recipients:;", "", "<>", "x"]),
                  max_size=3).map(", ".join)


@given(value=_VALUE)
def test_addresses_are_what_getaddresses_finds(value: str) -> None:
    assert policies._addresses(value) == policies._addresses(value) == tuple(getaddresses([value]))


def test_the_memory_is_bounded() -> None:
    for i in range(600):
        policies._addresses(f"u{i}@example.org")
    info = policies._addresses.cache_info()
    assert info.maxsize is not None and info.currsize <= info.maxsize
