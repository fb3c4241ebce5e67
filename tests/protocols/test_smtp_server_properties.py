"""Property tests for the SMTP server: any bytes, any chunking.

Whatever arrives, the server only ever raises ProtocolError subclasses, every
reply line is "NNN-text" or "NNN text" + CRLF (RFC 5321 §4.2), and how the
bytes were split into receive_data() calls never changes the replies.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.protocols.errors import LocalProtocolError, ProtocolError
from simulator.protocols.smtp import ReplySent, Role, ServerPolicy, ServerState, SMTPServer, SMTPServerConfig

# pytest puts tests/protocols on sys.path (rootdir-relative, no __init__.py).
from _smtp_support import HOST, REPLY_LINE, plain

_COMMANDS = [
    b"EHLO c.example", b"HELO c.example", b"MAIL FROM:<a@example.net>", b"MAIL FROM:<>",
    b"RCPT TO:<b@example.org>", b"RCPT TO:<x@far.example>", b"DATA", b".", b"..x", b"RSET",
    b"NOOP", b"QUIT", b"VRFY a", b"EXPN b", b"HELP", b"STARTTLS", b"AUTH PLAIN", b"AUTH LOGIN",
    b"*", b"YWxpY2U=", plain("alice", "secret").encode(), b"MAIL FROM:<a@example.net> SIZE=99999999",
]
_pieces = st.one_of(
    st.sampled_from(_COMMANDS).map(lambda c: c + b"\r\n"),
    st.sampled_from([b"\r\n", b"\n", b"\r", b".", b"\r\n.\r\n", b"\n.\n", b"x" * 600]),
    st.binary(max_size=40),
)
_streams = st.lists(_pieces, max_size=30).map(b"".join)


def _run(config: SMTPServerConfig, data: bytes, cuts: list[int]) -> bytes:
    s = SMTPServer(config, ServerPolicy({"alice": "secret"}))
    s.start()
    out = s.data_to_send()
    bounds = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for start, end in zip(bounds, bounds[1:]):
        if s.closed:
            break
        try:
            s.receive_data(data[start:end])
        except LocalProtocolError:
            assert s.state is ServerState.STARTTLS  # only feeding a pending handshake raises
            s.tls_established()
        out += s.data_to_send()
    return out


_CONFIGS = [
    SMTPServerConfig(HOST, Role.MTA, local_domains=frozenset({"example.org"}), starttls_available=False),
    SMTPServerConfig(HOST, Role.MSA, implicit_tls=True, max_message_size=2000),
    SMTPServerConfig(HOST, Role.MSA, require_tls=True),
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_streams, cuts=st.lists(st.integers(min_value=0), max_size=12), which=st.integers(0, 2))
def test_any_bytes_in_any_chunking_give_well_formed_replies(data: bytes, cuts: list[int], which: int) -> None:
    try:
        out = _run(_CONFIGS[which], data, cuts)
    except ProtocolError:
        return  # the only errors allowed
    for line in out.split(b"\r\n")[:-1]:
        assert REPLY_LINE.match(line + b"\r\n"), line
    assert out.endswith(b"\r\n")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_streams, cuts=st.lists(st.integers(min_value=0), max_size=12), which=st.integers(0, 1))
def test_the_same_bytes_split_differently_give_the_same_replies(data: bytes, cuts: list[int], which: int) -> None:
    # STARTTLS is unavailable (config 0) or already done (config 1), so chunking
    # cannot decide what gets discarded after a STARTTLS.
    whole = _run(_CONFIGS[which], data, [])
    assert _run(_CONFIGS[which], data, cuts) == whole
    assert _run(_CONFIGS[which], data, list(range(len(data)))) == whole  # byte by byte


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_streams, which=st.integers(0, 2))
def test_every_reply_but_the_greeting_and_hello_carries_a_same_class_enhanced_code(data: bytes, which: int) -> None:
    # RFC 2034 §3/§4: once ENHANCEDSTATUSCODES is supported, every 2xx/4xx/5xx reply carries an
    # enhanced code whose class matches, except the greeting and the replies to HELO/EHLO.
    s = SMTPServer(_CONFIGS[which], ServerPolicy({"alice": "secret"}))
    events = s.start()
    try:
        events += s.receive_data(data)
    except LocalProtocolError:
        assert s.state is ServerState.STARTTLS  # the rest waits for a handshake: fine
    for event in events:
        if not isinstance(event, ReplySent) or event.command in ("", "EHLO", "HELO"):
            continue
        reply = event.reply
        if reply.is_intermediate:
            assert reply.enhanced is None  # 3xx never carry one (RFC 2034 §4)
        else:
            assert reply.enhanced is not None and reply.enhanced[0] == str(reply.code)[0], reply
