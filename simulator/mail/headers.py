"""The headers each actor adds, with simulated dates.

Simulated time 0 is a fixed instant, so traces stay byte-identical between
runs; headers show it as a real date because that is what students will meet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

EPOCH = datetime(2026, 11, 28, 9, 0, 0, tzinfo=timezone.utc)


def sim_datetime(t: float) -> datetime:
    return EPOCH + timedelta(seconds=t)


def rfc5322_date(t: float) -> str:
    """``Sat, 28 Nov 2026 09:00:00 +0000`` (RFC 5322 §3.3)."""
    return _remembered(_DATES, t, format_datetime)


def imap_date(t: float) -> str:
    """IMAP's date-time form, ``28-Nov-2026 09:00:00 +0000`` (RFC 3501 §9)."""
    return _remembered(_IMAP_DATES, t, _imap_form)


def _imap_form(when: datetime) -> str:
    return when.strftime("%d-%b-%Y %H:%M:%S +0000")


# The dates show whole seconds only: one string per second of simulated time and form (bounded).
_DATES: dict[tuple[int, int], str] = {}
_IMAP_DATES: dict[tuple[int, int], str] = {}
_DATES_KEPT = 4096


def _remembered(dates: dict[tuple[int, int], str], t: float, form: Callable[[datetime], str]) -> str:
    delta = timedelta(seconds=t)
    key = (delta.days, delta.seconds)
    date = dates.get(key)
    if date is None:
        date = form(EPOCH + delta)
        if len(dates) < _DATES_KEPT:
            dates[key] = date
    return date


def received_header(
    *,
    from_helo: str,
    from_host: str,
    from_ip: str,
    by_host: str,
    with_protocol: str,
    queue_id: str,
    recipient: str | None,
    t: float,
    tls: str | None = None,
    auth_user: str | None = None,
) -> str:
    """A ``Received:`` trace field as RFC 5321 §4.4 lays it out (value only).

    ``with_protocol`` comes from RFC 3848 (ESMTP, ESMTPS, ESMTPSA ...); the
    TLS comment is what Postfix and others add so readers can see the hop was
    encrypted. ``auth_user``: the login of a submission, in a comment as
    Postfix writes it (``smtpd_sasl_authenticated_header``), so a reader can
    tell who sent it whatever the From: field says.
    """
    parts = [f"from {from_helo} ({from_host} [{from_ip}])"]
    if tls:
        parts.append(f"\t({tls})")
    if auth_user:
        parts.append(f"\t(Authenticated sender: {_comment_safe(auth_user)})")
    parts.append(f"\tby {by_host} (smtpsim) with {with_protocol} id {queue_id}")
    tail = f"\tfor <{recipient}>; " if recipient else "\t; "
    parts.append(tail + rfc5322_date(t))
    return "\r\n".join(parts)


def _comment_safe(text: str) -> str:
    # Inside an RFC 5322 comment: no parentheses or backslashes to unbalance it, no line breaks.
    return "".join(c if c.isprintable() and c not in "()\\" else "?" for c in text)


def prepend_header(content: bytes, name: str, value: str) -> bytes:
    """Trace headers go on top (RFC 5321 §4.4); content keeps its CRLFs."""
    return f"{name}: {value}\r\n".encode() + content


def has_header(content: bytes, name: str) -> bool:
    head = content.split(b"\r\n\r\n", 1)[0].lower()
    needle = name.lower().encode() + b":"
    return head.startswith(needle) or b"\r\n" + needle in head


def header_value(content: bytes, name: str) -> str:
    """The first value of a header field in raw content ("" when absent)."""
    head = content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    needle = name.lower() + ":"
    lines = head.split("\r\n")
    for i, line in enumerate(lines):
        if line.lower().startswith(needle):
            value = line[len(needle):]
            for cont in lines[i + 1:]:
                if not cont[:1] in (" ", "\t"):
                    break
                value += cont
            return value.strip()
    return ""


def complete_submission(
    content: bytes,
    *,
    helo: str | None,
    client_host: str,
    client_ip: str,
    msa_host: str,
    with_protocol: str,
    recipients: tuple[str, ...],
    queue_id: str,
    message_id: Callable[[], str],
    t: float,
    auth_user: str | None = None,
) -> bytes:
    """What an MSA does to a submitted message before queueing it.

    RFC 6409 §8 lets the MSA add Message-ID and Date where the client left
    them out; every server that takes a message adds its Received line on top
    (RFC 5321 §4.4). ``message_id`` is called only when one is needed.
    """
    if not has_header(content, "Message-ID"):
        content = prepend_header(content, "Message-ID", message_id())
    if not has_header(content, "Date"):
        content = prepend_header(content, "Date", rfc5322_date(t))
    return prepend_header(content, "Received", received_header(
        from_helo=helo or client_host, from_host=client_host, from_ip=client_ip, by_host=msa_host,
        with_protocol=with_protocol, queue_id=queue_id,
        recipient=recipients[0] if len(recipients) == 1 else None, t=t, auth_user=auth_user,
    ))
