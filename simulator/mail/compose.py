"""What the sender's mail client composes, with the standard email package."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from simulator.mail.headers import rfc5322_date


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
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = rfc5322_date(t)
    msg["User-Agent"] = user_agent
    for name, value in extra_headers:
        msg[name] = value
    msg.set_content(body if body.endswith("\n") else body + "\n")
    return msg.as_bytes()
