"""Derived replies are shared (``replies._with_text`` and friends): equal to building them afresh, and bounded."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from simulator.protocols.smtp import replies as R

_TEXT = st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=20)
_BASE = st.sampled_from([R.SENDER_OK, R.BAD_SEQUENCE, R.ARG_SYNTAX, R.SYNTAX_ERROR, R.greeting("mx.example.net")])


@given(base=_BASE, texts=st.lists(_TEXT, min_size=1, max_size=3))
def test_with_text_is_what_replacing_the_text_gives(base: R.Reply, texts: list[str]) -> None:
    want = R.Reply(base.code, base.enhanced, texts[0] if len(texts) == 1 else tuple(texts))
    got = base.with_text(*texts)
    assert got == want and got.to_bytes() == want.to_bytes() == dataclasses.replace(
        base, text=want.text).to_bytes()
    assert base.with_text(*texts) is got  # shared


@given(base=_BASE, enhanced=st.sampled_from([None, "2.0.0", "5.5.1", "4.7.1"]))
def test_with_enhanced_is_what_replacing_the_code_gives(base: R.Reply, enhanced: str | None) -> None:
    if enhanced is not None and int(enhanced[0]) != base.code // 100:
        return  # a disagreeing code is refused either way
    got = base.with_enhanced(enhanced)
    assert (got.code, got.enhanced, got.text) == (base.code, enhanced, base.text)


def test_greeting_and_ehlo_builders_give_the_rfc_shapes() -> None:
    assert R.greeting("mx.example.net").to_bytes() == b"220 mx.example.net ESMTP smtpsim\r\n"
    ehlo = R.ehlo_ok("mx.example.net", ["PIPELINING", "SIZE 100"])
    assert ehlo.to_bytes() == b"250-mx.example.net\r\n250-PIPELINING\r\n250 SIZE 100\r\n"  # RFC 5321 §4.1.1.1
    assert R.ehlo_ok("mx.example.net", ("PIPELINING", "SIZE 100")) is ehlo


def test_the_shared_replies_are_bounded() -> None:
    for i in range(R.REPLIES_CACHED + 200):
        R.SENDER_OK.with_text(f"<u{i}@example.net>: ok")
        R.greeting(f"mx{i}.example.net")
    for cached in (R._with_text, R.greeting):
        info = cached.cache_info()
        assert info.maxsize == R.REPLIES_CACHED and info.currsize <= R.REPLIES_CACHED
