"""What the sender's mail client composes, with the standard email package."""

from __future__ import annotations

import re
from email.header import Header
from email.message import Message
from email.policy import compat32

from simulator.mail.headers import rfc5322_date

# compat32 with CRLF: the email package's fast path, and SMTP's line ending.
WIRE = compat32.clone(linesep="\r\n")


# A header line the email package writes unchanged: printable ASCII words, single spaces between
# them, short enough that nothing is folded (compat32 folds at 78 characters).
_PLAIN_VALUE = re.compile(r"[!-~]+(?: [!-~]+)*\Z")
_PLAIN_NAME = re.compile(r"[!-9;-~]+\Z")
_MAX_LINE = 78
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _plain(headers: list[tuple[str, str]], body: str) -> bool:
    return body.isascii() and all(
        value.isascii() and len(name) + 2 + len(value) <= _MAX_LINE
        and _PLAIN_NAME.match(name) is not None and _PLAIN_VALUE.match(value) is not None
        for name, value in headers
    )


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
    headers = [("From", sender), ("To", ", ".join(recipients)), ("Subject", subject),
               ("Date", rfc5322_date(t)), ("User-Agent", user_agent), *extra_headers]
    text = body if body.endswith("\n") else body + "\n"
    if _plain(headers, text):
        # What the email package writes for this case, without it (a run composes every message;
        # this was a tenth of bench/scale.py). tests/mail/test_compose.py compares the two.
        head = "".join(f"{name}: {value}\r\n" for name, value in headers)
        return (f"{head}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n"
                f"Content-Transfer-Encoding: 7bit\r\n\r\n{_NEWLINES.sub(chr(13) + chr(10), text)}").encode("ascii")
    msg: Message[str, str | Header] = Message(policy=WIRE)
    for i, (name, value) in enumerate(headers):
        # From, To, Date and User-Agent as given; Subject and any extra header RFC 2047-encoded if need be.
        msg[name] = _header(value) if i == 2 or i >= 5 else value
    msg["MIME-Version"] = "1.0"
    msg.set_payload(text, "us-ascii" if text.isascii() else "utf-8")
    return msg.as_bytes(policy=WIRE)
