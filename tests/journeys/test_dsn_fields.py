"""Every DSN a scenario delivers, parsed back with ``email`` and checked field by field against the trace.

RFC 3464: Arrival-Date is when the message arrived at the reporting MTA
(§2.2.5); Last-Attempt-Date the time of the last attempt before that report
(§2.3.7); Remote-MTA only when a remote MTA reported the status, never the
reporting MTA itself (§2.3.5); the "smtp" diagnostic-type only for a reply an
SMTP server sent (§2.1.2, §2.3.6). RFC 3463 X.4.7: after a give-up, the code
of the actual problem where it is known.
"""

from __future__ import annotations

import email
import email.utils
from datetime import timedelta
from email import policy
from email.message import Message

import pytest

from simulator.mail.headers import EPOCH
from simulator.trace import Kind, Trace, TraceEvent

BOUNCING = ["user-unknown", "nxdomain", "null-mx", "message-too-large", "retry-expired", "remote-bounce",
            "partial-delivery"]


def _dsns(trace: Trace) -> list[tuple[TraceEvent, Message]]:
    """Each DSN the sender fetched over IMAP, with the event that carried it."""
    out = []
    for e in trace.events:
        if e.content and e.dst == "alice" and e.kind is Kind.IMAP:
            msg = email.message_from_bytes(e.text.encode(), policy=policy.default)
            if msg.get_content_type() == "multipart/report":
                out.append((e, msg))
    return out


def _fields(dsn: Message) -> tuple[Message, dict[str, Message]]:
    status = next(p for p in dsn.walk() if p.get_content_type() == "message/delivery-status")
    blocks = status.get_payload()
    assert isinstance(blocks, list)
    return blocks[0], {" ".join(b["Final-Recipient"].split(";", 1)[1].split()): b for b in blocks[1:]}


def _date(value: str) -> float:
    """A DSN date as simulated seconds (whole seconds: the header has no more)."""
    return (email.utils.parsedate_to_datetime(value) - EPOCH) / timedelta(seconds=1)


def _flat(value: str | None) -> str:
    return " ".join((value or "").split())


def _hostname(trace: Trace, actor: str) -> str:
    return next(a.hostname for a in trace.actors if a.id == actor)


def _note(trace: Trace, before: float, prefix: str) -> TraceEvent:
    """The last DSN note starting with ``prefix`` at or before ``before``."""
    return [e for e in trace.events if e.kind is Kind.BOUNCE and e.text.startswith(prefix) and e.t <= before][-1]


@pytest.mark.parametrize("name", BOUNCING)
def test_every_dsn_field_matches_what_the_trace_shows(trace, name: str) -> None:
    t = trace(name)
    dsns = _dsns(t)
    assert dsns, "the scenario bounces: the sender must fetch a DSN"
    for carrier, dsn in dsns:
        delayed = dsn["Subject"].startswith("Delayed")
        note = _note(t, carrier.t, "delay warning for" if delayed else "DSN for")
        reporter = note.src
        per_message, blocks = _fields(dsn)
        # §2.2.2: the reporting MTA is the host that wrote the report.
        assert per_message["Reporting-MTA"] == f"dns; {_hostname(t, reporter)}"
        # §2.2.5: when the message arrived there, i.e. when the reporting MTA took it.
        arrived = _arrival(t, reporter, note.t)
        assert _date(per_message["Arrival-Date"]) == int(arrived)
        for rcpt, block in blocks.items():
            assert rcpt in note.text
            assert block["Action"] == ("delayed" if delayed else "failed")
            # §2.3.7: the last attempt before this report, not the first and not after it.
            last_try = _last_attempt_start(t, reporter, rcpt, note.t)
            assert int(last_try) <= _date(block["Last-Attempt-Date"]) <= note.t
            reply = _remote_reply(t, rcpt, last_try, note.t)
            if reply is not None:
                # §2.3.5/§2.3.6: a remote MTA answered: it is named, and its reply is the smtp diagnostic.
                assert block["Remote-MTA"] == f"dns; {_hostname(t, reply.src)}"
                assert _flat(block["Diagnostic-Code"]).startswith(f"smtp; {reply.text}")
                assert block["Status"] == reply.text.split()[1]
            else:
                # Decided by the reporting MTA itself: no Remote-MTA, and not an "smtp" diagnostic.
                assert block["Remote-MTA"] is None
                assert not _flat(block["Diagnostic-Code"]).lower().startswith("smtp;")
            if delayed:
                expires = _date(block["Will-Retry-Until"])
                assert expires == int(arrived + t_queue(name).give_up_after)


def t_queue(name: str):
    from simulator.scenario.library import open_scenario

    return open_scenario(name).queue


def _arrival(t: Trace, reporter: str, before: float) -> float:
    """When ``reporter`` accepted the reported message: its "queued" note, or (an MX) its 250 after DATA."""
    queued = [e for e in t.events if e.kind is Kind.QUEUE and e.src == reporter and e.t <= before
              and e.text.startswith("queued ") and "null sender" not in e.text]
    if queued:
        return queued[0].t
    accepted = [e for e in t.events if e.kind is Kind.SMTP and e.src == reporter and e.dir is not None
                and e.dir.value == "S" and e.text.startswith("250 2.0.0 Ok: queued as") and e.t <= before]
    return accepted[-1].t


def _last_attempt_start(t: Trace, reporter: str, rcpt: str, before: float) -> float:
    """The start of the reporter's last attempt for ``rcpt``: its last MX query for the domain
    (or, for a bounce after acceptance, the final delivery failure)."""
    domain = rcpt.rsplit("@", 1)[1]
    queries = [e for e in t.events if e.kind is Kind.DNS and e.src == reporter and e.t <= before
               and e.text == f";{domain}.\tIN\tMX"]
    if queries:
        return queries[-1].t
    failed = [e for e in t.events if e.kind is Kind.BOUNCE and e.src == reporter and e.t <= before
              and e.text.startswith(f"final delivery to {rcpt} failed")]
    return failed[-1].t


def _remote_reply(t: Trace, rcpt: str, start: float, end: float) -> TraceEvent | None:
    """The 4xx/5xx an MX sent to the transaction for ``rcpt`` during the last attempt
    (to MAIL, to its RCPT, to DATA or after the final dot)."""
    replies = []
    command = ""
    for e in t.events:
        if not start <= e.t <= end or e.kind is not Kind.SMTP or e.port != 25:
            continue
        if e.dir is not None and e.dir.value == "C":
            command = e.text
        elif e.text[:1] in "45" and (command.startswith(("MAIL FROM:", f"RCPT TO:<{rcpt}>", "DATA"))
                                     or command == "."):
            replies.append(e)
    return replies[-1] if replies else None


def test_a_give_up_reports_the_actual_problem_not_4_4_7(trace) -> None:
    t = trace("retry-expired")
    warning, final = (_fields(dsn)[1]["bob@example.net"] for _, dsn in _dsns(t))
    # The MX never answered: X.4.1 "No answer from host" (RFC 3463), kept at the give-up (X.4.7 note).
    assert warning["Status"] == final["Status"] == "4.4.1"
    assert "delivery time expired" in _flat(final["Diagnostic-Code"])
    # Days apart: each report names its own last attempt (RFC 3464 §2.3.7).
    assert _date(final["Last-Attempt-Date"]) - _date(warning["Last-Attempt-Date"]) > 4 * 86400
