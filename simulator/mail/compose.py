"""What the sender's mail client composes, with the standard email package."""

from __future__ import annotations

from email.header import Header
from email.message import Message
from email.policy import compat32

from simulator.mail.headers import rfc5322_date

# compat32 with CRLF: the email package's fast path, and SMTP's line ending.
WIRE = compat32.clone(linesep="\r\n")


def _header(value: str) -> str | Header:
    # Non-ASCII header text must be encoded-words (RFC 2047).
    return value if value.isascii() else Header(value, "utf-8")


def compose(
    *,
    sender: str,
    recipients: tuple[str, ...],
    subject: str,
    body: str,
    t: float,
    extra_headers: tuple[tuple[str, str], ...] = (),
    user_agent: str = "smtpsim-mua/0.1",
) -> bytes:
    """A message as a MUA would submit it: CRLF line endings, no Message-ID.

    The MSA adds the Message-ID (RFC 6409 §8.3), which lets the trace show
    which actor adds which header.
    """
    msg: Message[str, str | Header] = Message(policy=WIRE)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = _header(subject)
    msg["Date"] = rfc5322_date(t)
    msg["User-Agent"] = user_agent
    for name, value in extra_headers:
        msg[name] = _header(value)
    msg["MIME-Version"] = "1.0"
    text = body if body.endswith("\n") else body + "\n"
    msg.set_payload(text, "us-ascii" if text.isascii() else "utf-8")
    return msg.as_bytes(policy=WIRE)
