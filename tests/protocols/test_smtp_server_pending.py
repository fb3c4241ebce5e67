"""An SMTP server whose policy's answer waits on I/O: no reply, and nothing more read, until it comes.

The policy answers the final dot with a ``Pending``; the machine emits
``AnswerPending`` and stays silent. Commands the client pipelined after the
dot (RFC 2920) stay unread until the driver runs the work and resumes; then
the replies come in order: the message's first, then those commands'.
"""

from __future__ import annotations

import errno

from simulator.protocols.common import AnswerPending
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp import MessageReceived, Role, ServerPolicy, SMTPServer, SMTPServerConfig
from simulator.protocols.smtp.policy import Pending

HOST = "mx.example.net"


class Later(ServerPolicy):
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.settled: list[object] = []

    def accept_message(self, envelope, content):
        def work() -> None:
            self.written.append(content)

        def settle(error):
            self.settled.append(error)
            return R.queued("ABC123") if error is None else R.SYSTEM_STORAGE_FULL

        return Pending(work, settle)


def _session(policy: Later) -> tuple[SMTPServer, list]:
    s = SMTPServer(SMTPServerConfig(HOST, Role.MTA, local_domains=frozenset({"example.net"})), policy)
    s.start()
    s.receive_data(b"EHLO client.example.org\r\n")
    s.data_to_send()
    events = s.receive_data(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
                            b"Subject: x\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n")
    return s, events


def _codes(out: bytes) -> list[str]:
    return [line[:3].decode() for line in out.split(b"\r\n") if line[:3].isdigit() and line[3:4] == b" "]


def test_the_reply_to_the_dot_waits_and_pipelined_commands_wait_with_it() -> None:
    policy = Later()
    s, events = _session(policy)
    [pending] = [e for e in events if isinstance(e, AnswerPending)]
    assert _codes(s.data_to_send()) == ["250", "250", "354"]  # MAIL, RCPT, DATA; nothing for the dot yet
    assert policy.written == [] and not s.closed  # NOOP and QUIT not read either
    pending.work()
    events = pending.resume(None)
    assert policy.written == [b"Subject: x\r\n\r\nbody\r\n"]
    out = s.data_to_send()
    assert _codes(out) == ["250", "250", "221"]  # the message, then NOOP, then QUIT: in order
    assert b"250 2.0.0 Ok: queued as ABC123" in out
    assert any(isinstance(e, MessageReceived) and e.content == b"Subject: x\r\n\r\nbody\r\n" for e in events)
    assert s.closed


def test_a_failed_write_answers_what_the_policy_settles_on() -> None:
    policy = Later()
    s, events = _session(policy)
    [pending] = [e for e in events if isinstance(e, AnswerPending)]
    s.data_to_send()
    pending.resume(OSError(errno.ENOSPC, "No space left on device"))
    out = s.data_to_send()
    assert out.startswith(b"452 4.3.1 ")  # RFC 3463 §3.4: X.3.1 mail system full
    assert isinstance(policy.settled[0], OSError)


def test_a_connection_lost_while_waiting_still_settles_and_sends_nothing() -> None:
    policy = Later()
    s, events = _session(policy)
    [pending] = [e for e in events if isinstance(e, AnswerPending)]
    s.data_to_send()
    s.connection_lost()
    pending.work()
    assert pending.resume(None) == []
    assert policy.settled == [None] and s.data_to_send() == b""
