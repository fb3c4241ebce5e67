"""The client's memory of replies it has read (``_reading.whole_replies``): as reading them afresh, bounded.

The reference is the client with the memory switched off (its line-by-line reader, which predates
the cache); both are fed the same chunks and must agree on every event, every byte they send and
what they leave buffered.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.protocols.smtp import OutgoingMessage, SMTPClient, SMTPClientConfig, TLSPolicy
from simulator.protocols.smtp import _reading
from simulator.protocols.smtp import client as client_module

MESSAGES = [OutgoingMessage("a@example.org", ("b@example.net", "c@example.net"), b"Subject: x\r\n\r\nhi\r\n")]

# Lines a server might send, good and bad: codes in and out of range, enhanced codes that agree
# with the code or not, continuation and last lines, a bare LF ending, a CR inside, no separator.
_CODE = st.sampled_from(["220", "221", "235", "250", "334", "354", "421", "451", "454", "535", "550", "999", "12x"])
_SEP = st.sampled_from([" ", "-", ""])
_TEXT = st.sampled_from(["", "mx.example.net ESMTP", "2.1.0 Ok", "5.1.1 no such user", "4.7.1 later",
                         "STARTTLS", "PIPELINING", "SIZE 1000", "AUTH PLAIN LOGIN", "2.0.0 Ok: queued as 1A",
                         "bad\rcr", "é"])
_END = st.sampled_from(["\r\n", "\n"])
_LINE = st.builds(lambda c, s, t, e: f"{c}{s}{t}{e}", _CODE, _SEP, _TEXT, _END)
_CHUNK = st.lists(_LINE, min_size=1, max_size=5).map(lambda lines: "".join(lines).encode()) | st.binary(max_size=20)


def _client(tls: TLSPolicy) -> SMTPClient:
    config = SMTPClientConfig("client.example.org", tls, username="a@example.org", password="pw", pipelining=True)
    return SMTPClient(config, MESSAGES)


def _state(c: SMTPClient) -> tuple[object, ...]:
    return (c.state, bytes(c._buf), list(c._partial), c.results, c.message_results, c.session_failure,
            c.capabilities, c.authenticated, c.tls_unavailable)


def _feed_both(monkeypatch: pytest.MonkeyPatch, cached: SMTPClient, fresh: SMTPClient, chunk: bytes) -> None:
    """One chunk to each client, ``fresh`` without the cache: the same events, bytes out and state."""
    got = cached.receive_data(chunk)
    with monkeypatch.context() as m:
        m.setattr(client_module, "whole_replies", lambda data: None)
        want = fresh.receive_data(chunk)
    assert got == want
    assert cached.data_to_send() == fresh.data_to_send()
    assert _state(cached) == _state(fresh)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(_CHUNK, min_size=1, max_size=12),
       tls=st.sampled_from([TLSPolicy.NONE, TLSPolicy.OPPORTUNISTIC, TLSPolicy.REQUIRE_STARTTLS]))
def test_the_client_reads_the_same_with_and_without_the_cache(monkeypatch: pytest.MonkeyPatch,
                                                               chunks: list[bytes], tls: TLSPolicy) -> None:
    cached, fresh = _client(tls), _client(tls)
    for chunk in chunks:
        _feed_both(monkeypatch, cached, fresh, chunk)
        if cached.state.name == "TLS_HANDSHAKE":
            assert cached.tls_established() == fresh.tls_established()
            assert cached.data_to_send() == fresh.data_to_send()


def test_a_whole_session_takes_the_cached_path() -> None:
    # Hand-written replies in whole chunks, as a server sends them: each chunk is remembered.
    _reading.whole_replies.cache_clear()
    c = _client(TLSPolicy.NONE)
    for chunk in (b"220 mx.example.net ESMTP\r\n", b"250-mx.example.net\r\n250 PIPELINING\r\n"):
        c.receive_data(chunk)
    assert _reading.whole_replies.cache_info().currsize == 2
    assert c.data_to_send().startswith(b"EHLO client.example.org\r\nMAIL FROM:<a@example.org>")


def test_incomplete_or_malformed_chunks_are_not_read_by_the_cache() -> None:
    assert _reading.whole_replies(b"250-first line\r\n") is None  # the reply goes on
    assert _reading.whole_replies(b"250 done\r\n250 more") is None  # a line without its end
    assert _reading.whole_replies(b"hello\r\n") is None  # no code
    assert _reading.whole_replies(b"999 out of range\r\n") is None
    chunk = b"250-a\r\n250 2.1.0 b\r\n221 2.0.0 bye\r\n"
    parsed = _reading.whole_replies(chunk)
    assert parsed is not None and [(r.code, r.enhanced, r.text_lines, end) for r, _, end in parsed] == [
        (250, None, ("a", "2.1.0 b"), len(b"250-a\r\n250 2.1.0 b\r\n")),  # enhanced: from the first line (RFC 2034 §4)
        (221, "2.0.0", ("bye",), len(chunk))]


def test_the_cache_is_bounded() -> None:
    _reading.whole_replies.cache_clear()
    for i in range(_reading.WHOLE_REPLIES_CACHED + 500):
        _reading.whole_replies(f"250 2.0.0 Ok: queued as {i:X}\r\n".encode())
    assert _reading.whole_replies.cache_info().currsize == _reading.WHOLE_REPLIES_CACHED


# Scripted sessions the random chunks rarely reach: each is fed to both clients, chunk by chunk.
_SCRIPTS = {
    # Plaintext after the 220 to STARTTLS must be dropped (response injection, RFC 3207 §5).
    "injection after STARTTLS": (TLSPolicy.OPPORTUNISTIC, [
        b"220 mx.example.net ESMTP\r\n", b"250-mx.example.net\r\n250 STARTTLS\r\n",
        b"220 2.0.0 go ahead\r\n250 2.1.0 injected\r\n"]),
    # The server closes with 421 halfway through a chunk: what follows stays unread.
    "421 mid-chunk": (TLSPolicy.NONE, [b"220 mx.example.net\r\n421 4.3.2 bye\r\n250 after\r\n"]),
    # A refused greeting: the client quits, and bytes after the 221 stay unread.
    "bytes after 221": (TLSPolicy.NONE, [
        b"220 mx.example.net\r\n", b"554 no\r\n", b"221 bye\r\n250 extra\r\n"]),
    "a whole pipelined transaction": (TLSPolicy.NONE, [
        b"220 mx.example.net\r\n", b"250-mx.example.net\r\n250 PIPELINING\r\n",
        b"250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no\r\n354 go\r\n", b"250 2.0.0 queued\r\n221 2.0.0 bye\r\n"]),
}


@pytest.mark.parametrize("name", sorted(_SCRIPTS))
def test_scripted_sessions_read_the_same_with_and_without_the_cache(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    tls, chunks = _SCRIPTS[name]
    cached, fresh = _client(tls), _client(tls)
    for chunk in chunks:
        _reading.whole_replies.cache_clear()
        assert _reading.whole_replies(chunk) is not None  # each is whole: the cached path reads it
        _feed_both(monkeypatch, cached, fresh, chunk)
    if name == "injection after STARTTLS":
        assert cached.state.name == "TLS_HANDSHAKE" and bytes(cached._buf) == b""
