"""Every IMAP parser, fed the same bytes split at any points, gives the same result: the command
framer (synchronizing and LITERAL+ literals), the trace narrator (both directions, literals on
both), the scripted client's response reader. The message parsers never fail on any bytes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.protocols.imap._envelope import envelope, parse_addresses
from simulator.protocols.imap._framing import Command, CommandFramer, LiteralAnnounced, RawLine, TooLong
from simulator.protocols.imap._mime import bodystructure, parse_entity
from simulator.protocols.imap.client import IMAPClient, IMAPClientConfig
from simulator.protocols.imap import IMAPTLS
from simulator.protocols.errors import ProtocolError
from simulator.trace.narrate.imap import IMAPNarrator

COMMAND_PIECES = [
    b"a1 LOGIN {5}\r\nalice {10}\r\nwonderland\r\n", b"a2 APPEND INBOX (\\Seen) {11+}\r\nSubject: x\n\r\n",
    b"a3 NOOP\r\n", b"a4 SELECT INBOX\n", b"a5 APPEND Sent {0+}\r\n\r\n", b"DONE\r\n", b"x" * 50, b"\r\n",
    b"a6 FETCH 1 BODY[HEADER.FIELDS (FROM)]\r\n", b"{3}\r\n", b"abc", b"a7 X {2+}\r\n\r\n\r\n",
]
RESPONSE_PIECES = [
    b"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n", b"a001 OK done\r\n", b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n",
    b"+ idling\r\n", b"* 3 EXISTS\r\n", b"* 1 EXPUNGE\r\n", b'* LIST (\\HasNoChildren \\Trash) "." Trash\r\n',
    b"* 2 FETCH (FLAGS (\\Seen))\r\n", b"a002 OK [APPENDUID 4 7] done\r\n", b"* BYE bye\r\n",
]


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True) if b > a]


def frame(chunks: list[bytes]) -> list[object]:
    """Run a framer the way a permissive server would: accept every literal, read AUTHENTICATE-like
    raw lines never; record what came out."""
    framer = CommandFramer()
    out: list[object] = []
    for chunk in chunks:
        framer.feed(chunk)
        while (item := framer.next_item()) is not None:
            if isinstance(item, LiteralAnnounced):
                out.append(("literal", item.size, item.synchronizing))
                if item.size <= 64:
                    framer.accept_literal(item)
                else:
                    framer.skip_literal(item.size) if not item.synchronizing else framer.drop_command()
            elif isinstance(item, Command):
                out.append(("command", item.parts))
            elif isinstance(item, TooLong | RawLine):
                out.append(("other", item))
    return out


byte_streams = st.lists(st.sampled_from(COMMAND_PIECES), max_size=12).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(byte_streams, st.binary(max_size=300)), cuts=st.lists(st.integers(min_value=0), max_size=10))
def test_framer_gives_the_same_items_however_the_bytes_are_split(data: bytes, cuts: list[int]) -> None:
    assert frame(split(data, cuts)) == frame([data])


def narrate(chunks: list[bytes], side: str) -> list[tuple[str, str, str | None]]:
    narrator = IMAPNarrator()
    lines = []
    for chunk in chunks:
        produced = narrator.client(chunk) if side == "client" else narrator.server(chunk)
        lines += [(line.text, line.explain, line.rfc) for line in produced]
    return lines


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client=byte_streams, server=st.lists(st.sampled_from(RESPONSE_PIECES), max_size=12).map(b"".join),
       cuts=st.lists(st.integers(min_value=0), max_size=10))
def test_narrator_reads_the_same_lines_however_the_bytes_are_split(client: bytes, server: bytes,
                                                                   cuts: list[int]) -> None:
    assert narrate(split(client, cuts), "client") == narrate([client], "client")
    assert narrate(split(server, cuts), "server") == narrate([server], "server")


def run_client(chunks: list[bytes]) -> tuple[bytes, list[object]]:
    client = IMAPClient(IMAPClientConfig("alice", "wonderland", IMAPTLS.IMPLICIT, idle=True))
    out, events = b"", []
    try:
        for chunk in chunks:
            events += client.receive_data(chunk)
            out += client.data_to_send()
    except ProtocolError as exc:  # the only exception allowed; the same wherever it comes
        # The same failure wherever the bytes were cut; the events of that call are not returned.
        return out + client.data_to_send(), [type(exc).__name__]
    return out, events


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.lists(st.sampled_from(RESPONSE_PIECES), max_size=12).map(b"".join),
       cuts=st.lists(st.integers(min_value=0), max_size=10))
def test_client_reads_the_same_responses_however_the_bytes_are_split(data: bytes, cuts: list[int]) -> None:
    assert run_client(split(data, cuts)) == run_client([data] if data else [])


MESSAGE_PIECES = [
    b"From: a@b\r\n", b"To: x:;, <@r:c@d>, \"q \\\" w\" <e@f>\r\n", b"Content-Type: multipart/mixed; boundary=B\r\n",
    b"Content-Type: message/rfc822\r\n", b"\r\n", b"--B\r\n", b"--B--\r\n", b"text\r\n", b"=?x?q?a?=\r\n",
    b"(comment (nested)) <g@h>\r\n", b"\xff\xfe\r\n", b"Content-Disposition: attachment; filename*=utf-8''%C3%A9\r\n",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.lists(st.sampled_from(MESSAGE_PIECES), max_size=20).map(b"".join), st.binary(max_size=400)))
def test_structure_envelope_and_addresses_never_fail(data: bytes) -> None:
    entity = parse_entity(data)
    structure = bodystructure(entity)
    assert structure.startswith(b"(") and structure.endswith(b")")
    assert envelope(entity.info).startswith(b"(")
    parse_addresses(data.decode("ascii", "surrogateescape"))
