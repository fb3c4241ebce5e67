"""Fuzzing every parser that takes network bytes, in bounded time, as part of the normal suite.

Each target (``_fuzz_targets.py``) gets its real-session seeds (``_fuzz_seeds.py``) as they are,
then mutated by hypothesis with a fixed seed (``derandomize``): bytes flipped, inserted, deleted,
repeated, sessions spliced, cut at other points. A few seconds per target; ``run_atheris.py``
runs the same targets coverage-guided for as long as you like. Then large inputs check that
memory stays bounded: the targets assert on the parsers' buffers after every piece.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _fuzz_seeds import seeds
from _fuzz_targets import TARGETS

EXAMPLES = int(os.environ.get("SMTPSIM_FUZZ_EXAMPLES", "250"))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_seed_passes(name: str) -> None:
    corpus = seeds(name)
    assert corpus, name
    for data in corpus:
        TARGETS[name](data)


_mutation = st.tuples(st.sampled_from(["flip", "insert", "delete", "repeat", "splice", "cut"]),
                      st.integers(0, 2**16), st.integers(0, 2**16), st.binary(max_size=24))


def _mutate(data: bytes, other: bytes, ops: list[tuple[str, int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for op, a, b, junk in ops:
        at = a % (len(out) + 1)
        if op == "flip" and out:
            out[at % len(out)] ^= 1 << (b % 8)
        elif op == "insert":
            out[at:at] = junk
        elif op == "delete":
            del out[at:at + b % 64]
        elif op == "repeat":
            out[at:at] = out[at:at + b % 64] * (1 + b % 5)
        elif op == "splice":
            out[at:] = other[b % (len(other) + 1):]
        elif op == "cut":
            out[:2] = bytes([a % 256, b % 256])  # other set-up octets: another mode, other cuts
    return bytes(out)


def _fuzz(name: str):
    corpus = seeds(name)

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.sampled_from(corpus), st.sampled_from(corpus), st.lists(_mutation, min_size=1, max_size=8))
    def run(data: bytes, other: bytes, ops: list[tuple[str, int, int, bytes]]) -> None:
        TARGETS[name](_mutate(data, other, ops))

    return run


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_mutated_sessions_break_no_invariant(name: str) -> None:
    _fuzz(name)()


@pytest.mark.parametrize("name", sorted(TARGETS))
@settings(max_examples=max(EXAMPLES // 2, 20), derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.binary(max_size=2048))
def test_random_bytes_break_no_invariant(name: str, data: bytes) -> None:
    TARGETS[name](data)


# --- large inputs: memory stays bounded ---------------------------------------------------------------

_BIG = 2 * 1024 * 1024
_LARGE = {
    "no line end": b"A" * _BIG,
    "pseudo-random octets": bytes((i * 1103515245 + 12345) >> 16 & 0xFF for i in range(_BIG)),
    "bare LF lines": b"x" * 600 + b"\n" + b"NOOP\n" * (_BIG // 40),
    "huge literal announced": b"a1 LOGIN {4294967295}\r\n" + b"B" * _BIG,
    "endless DATA": b"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n" + b"line\r\n" * (_BIG // 48),
}


@pytest.mark.parametrize("what", sorted(_LARGE))
@pytest.mark.parametrize("name", ["smtp-server", "imap-server", "pop3-server"])
def test_a_large_input_leaves_the_buffers_bounded(name: str, what: str) -> None:
    # Whole, and in 64 KiB reads as a socket delivers them; logged in or not (the first set-up octet).
    for head in (b"\x00\x00", b"\x03\x03", b"\x01\x03"):
        TARGETS[name](head + _LARGE[what])
