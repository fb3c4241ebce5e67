"""The narrators keep bounded buffers whatever a client sends, and do linear work per byte (issue 16)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest

from simulator.trace.narrate.imap import IMAPNarrator
from simulator.trace.narrate.pop3 import POP3Narrator
from simulator.trace.narrate.smtp import SMTPNarrator

CHUNK = 65536
NARRATORS: dict[str, Callable[[], object]] = {
    "smtp": lambda: SMTPNarrator(submission=False), "imap": IMAPNarrator, "pop3": POP3Narrator,
}


def _retained(feed: Callable[[bytes], object], chunks: int, chunk: bytes) -> int:
    """Bytes still allocated after feeding ``chunks`` copies of ``chunk`` (the lines returned are dropped)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(chunks):
            feed(chunk)
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", NARRATORS)
@pytest.mark.parametrize("junk", [b"A" * CHUNK, b"NOOP\r" * (CHUNK // 5)], ids=["no-line-end", "bare-CR"])
def test_a_line_without_end_keeps_only_its_start(name: str, junk: bytes) -> None:
    narrator = NARRATORS[name]()
    narrator.client(b"a1 NOOP\r\n")
    assert _retained(narrator.client, 64, junk) < 32768  # 4 MiB sent, no LF: at most a line limit kept
    [line] = narrator.client(b"\r\n")
    assert line.text.startswith(junk[:50].decode()) and "more octets not shown" in line.text


def test_smtp_data_without_its_end_keeps_a_bounded_start() -> None:
    narrator = SMTPNarrator(submission=False)
    narrator.client(b"DATA\r\n")
    narrator.server(b"354 go ahead\r\n")
    assert _retained(narrator.client, 64, (b"y" * 998 + b"\r\n") * 64) < 200_000  # 4 MiB of body
    content, end = narrator.client(b"\r\n.\r\n")
    assert content.content and content.text.startswith("yyy") and "more octets not shown" in content.text
    assert end.text == "."


def test_smtp_data_end_marker_split_across_chunks_is_found() -> None:
    narrator = SMTPNarrator(submission=False)
    narrator.client(b"DATA\r\n")
    narrator.server(b"354 go ahead\r\n")
    assert narrator.client(b"Subject: x\r\n\r\nhello\r") == []
    assert [line.text for line in narrator.client(b"\n.")] == []
    assert [line.text for line in narrator.client(b"\r\nQUIT\r\n")] == ["Subject: x\r\n\r\nhello", ".", "QUIT"]


def test_an_imap_literal_keeps_a_bounded_start() -> None:
    narrator = IMAPNarrator()
    size = 4 * 1024 * 1024
    narrator.client(b"a1 APPEND INBOX {%d}\r\n" % size)
    assert _retained(narrator.client, size // CHUNK - 1, b"z" * CHUNK) < 200_000
    body, rest = narrator.client(b"z" * CHUNK + b"\r\na2 NOOP\r\n")
    assert body.content and "more octets not shown" in body.text and rest.text == "a2 NOOP"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", NARRATORS)
def test_a_megabyte_of_empty_lines_is_cut_in_linear_time(name: str) -> None:
    # Re-slicing the buffer per line made this quadratic: half a million lines of a megabyte each.
    narrator = NARRATORS[name]()
    flood = b"\r\n" * (512 * 1024)
    assert len(narrator.client(flood)) == 512 * 1024
    assert len(narrator.server(b"* OK ready\r\n" + flood)) >= 512 * 1024
