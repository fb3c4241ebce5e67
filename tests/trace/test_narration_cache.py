"""The SMTP narrator's memory of chunks it has narrated: the same lines as narrating afresh, and bounded.

The reference is the narrator with the memory switched off (``NARRATED_CACHED = 0`` and both
memories emptied: every chunk is cut and explained again, as before the cache existed).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.run import stream_jsonl
from simulator.scenario.library import open_scenario, scenario_names
from simulator.trace.narrate import smtp as narrate_smtp
from simulator.trace.narrate.smtp import SMTPNarrator


def _state(n: SMTPNarrator) -> tuple[object, ...]:
    return (list(n._pending), n._in_data, n._auth_step, n._reply_first, n._size_declared)


_COMMANDS = st.sampled_from([
    "EHLO c.example", "HELO c.example", "STARTTLS", "AUTH PLAIN AGFAAHB3", "AUTH LOGIN", "dXNlcg==",
    "MAIL FROM:<a@example.org> SIZE=120", "MAIL FROM:<>", "RCPT TO:<b@example.net>", "DATA", "QUIT", "NOOP",
    "Subject: hi", "", ".", "x" * 600])
_REPLIES = st.sampled_from([
    "220 mx.example.net ESMTP", "250-mx.example.net", "250-STARTTLS", "250-SIZE 1000", "250 AUTH PLAIN LOGIN",
    "250 2.1.0 Ok", "354 go ahead", "334 ", "334 VXNlcm5hbWU6", "235 2.7.0 ok", "535 5.7.8 no", "250 2.0.0 queued",
    "552 5.3.4 too big", "451 4.7.1 later", "221 2.0.0 bye", "garbage", "250-" + "y" * 600])
_END = st.sampled_from(["\r\n", "\n", ""])
# A chunk: a few lines from one side, each with its ending (or none, to leave a line unfinished).
_CHUNK = st.tuples(st.booleans(), st.lists(st.tuples(st.one_of(_COMMANDS, _REPLIES), _END), min_size=0, max_size=4))


@settings(max_examples=300)
@given(chunks=st.lists(_CHUNK, min_size=1, max_size=14), submission=st.booleans())
def test_the_narrator_says_the_same_with_and_without_the_memory(chunks: list[tuple[bool, list[tuple[str, str]]]],
                                                                  submission: bool) -> None:
    remembering, fresh = SMTPNarrator(submission=submission), SMTPNarrator(submission=submission)
    for from_client, lines in chunks:
        data = "".join(text + end for text, end in lines).encode()
        got = (remembering.client if from_client else remembering.server)(data)
        saved = narrate_smtp.NARRATED_CACHED
        narrate_smtp.NARRATED_CACHED = 0
        try:
            # The fresh narrator never hits: it looks its chunks up in a memory of its own, always empty.
            server_seen, client_seen = narrate_smtp._SERVER_NARRATED, narrate_smtp._CLIENT_NARRATED
            narrate_smtp._SERVER_NARRATED, narrate_smtp._CLIENT_NARRATED = {}, {}
            want = (fresh.client if from_client else fresh.server)(data)
        finally:
            narrate_smtp.NARRATED_CACHED = saved
            narrate_smtp._SERVER_NARRATED, narrate_smtp._CLIENT_NARRATED = server_seen, client_seen
        assert got == want
        assert _state(remembering) == _state(fresh)


def _lines(name: str) -> list[str]:
    out: list[str] = []
    stream_jsonl(open_scenario(name), out.append)
    return out


def test_every_shipped_scenario_is_narrated_the_same_with_and_without_the_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Twice with the memory (the second run reads from what the first left), once without.
    names = scenario_names()
    remembered = {name: _lines(name) for name in names}
    again = {name: _lines(name) for name in names}
    monkeypatch.setattr(narrate_smtp, "NARRATED_CACHED", 0)
    monkeypatch.setattr(narrate_smtp, "_SERVER_NARRATED", {})
    monkeypatch.setattr(narrate_smtp, "_CLIENT_NARRATED", {})
    for name in names:
        assert remembered[name] == again[name] == _lines(name), name
    assert not narrate_smtp._SERVER_NARRATED and not narrate_smtp._CLIENT_NARRATED


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(narrate_smtp, "_SERVER_NARRATED", {})
    monkeypatch.setattr(narrate_smtp, "_CLIENT_NARRATED", {})
    n = SMTPNarrator(submission=False)
    for i in range(narrate_smtp.NARRATED_CACHED + 300):
        n.client(f"RCPT TO:<u{i}@example.net>\r\n".encode())
        n.server(f"250 2.0.0 Ok: queued as {i:X}\r\n".encode())
    assert len(narrate_smtp._CLIENT_NARRATED) == narrate_smtp.NARRATED_CACHED
    assert len(narrate_smtp._SERVER_NARRATED) == narrate_smtp.NARRATED_CACHED
    n.server(b"250 " + b"z" * narrate_smtp.NARRATED_MAX_BYTES + b"\r\n")  # too long to keep: narrated, not kept
    assert len(narrate_smtp._SERVER_NARRATED) == narrate_smtp.NARRATED_CACHED


def test_the_memory_keys_name_every_state_the_narrator_has() -> None:
    # The memories are keyed by the narrator's state; a new attribute would be state the keys leave
    # out (and a remembered chunk would then be told in the wrong state). Adding one must come with
    # a look at both keys in SMTPNarrator.client/server, and then this list.
    n = SMTPNarrator(submission=True)
    assert set(vars(n)) == {"_submission", "_client_is_mua", "_pending", "_in_data", "_auth_step", "_reply_first",
                            "_size_declared", "_cbuf", "_sbuf"}
