"""compose() writes plain messages itself; they must be what the email package writes."""

from __future__ import annotations

import email
import re
from email.header import Header
from email.message import Message
from email.policy import compat32

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.mail.compose import compose
from simulator.mail.headers import rfc5322_date

WIRE = compat32.clone(linesep="\r\n")


def _reference(sender, recipients, subject, body, t, extra_headers=(), user_agent="smtpsim-mua/0.1") -> bytes:
    """The message built with the standard email package, field by field (independent of compose)."""
    def enc(value: str) -> str | Header:
        return value if value.isascii() else Header(value, "utf-8")

    msg: Message = Message(policy=WIRE)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = enc(subject)
    msg["Date"] = rfc5322_date(t)
    msg["User-Agent"] = user_agent
    for name, value in extra_headers:
        msg[name] = enc(value)
    msg["MIME-Version"] = "1.0"
    text = body if body.endswith("\n") else body + "\n"
    msg.set_payload(text, "us-ascii" if text.isascii() else "utf-8")
    return msg.as_bytes(policy=WIRE)


ascii_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=120)
header_text = st.one_of(
    ascii_text.filter(lambda s: "\r" not in s and "\n" not in s),
    st.text(alphabet=" ab,;:.-<>@\"()\t", max_size=100),
    st.text(max_size=40).filter(lambda s: "\r" not in s and "\n" not in s),  # non-ASCII too
)
body_text = st.one_of(ascii_text, st.text(alphabet="ab .\r\nF\tFrom", max_size=200), st.text(max_size=60))


@settings(max_examples=400, deadline=None)
@given(subject=header_text, body=body_text, sender=header_text,
       extra=st.lists(st.tuples(st.sampled_from(["X-Mailer", "Reply-To", "Cc", "X-Long-Header-Name-Here"]),
                                header_text), max_size=2),
       t=st.floats(min_value=0, max_value=1e6))
def test_compose_is_what_the_email_package_writes(subject, body, sender, extra, t):
    args = dict(sender=sender, recipients=("bob@example.net", "carol@example.net"), subject=subject, body=body, t=t,
                extra_headers=tuple(extra))
    try:
        expected = _reference(**args)
    except Exception as exc:  # e.g. a form feed the package reads as a line break: the same error
        with pytest.raises(type(exc)):
            compose(**args)
        return
    assert compose(**args) == expected


def test_a_plain_message_reads_back_with_the_stdlib_parser():
    raw = compose(sender="alice@example.org", recipients=("bob@example.net",), subject="Lunch on Friday?",
                  body="Hi Bob,\n\n.. and bring the book.\n", t=0.0)
    msg = email.message_from_bytes(raw)
    assert msg["Subject"] == "Lunch on Friday?" and msg["To"] == "bob@example.net"
    assert msg["Date"] == "Sat, 28 Nov 2026 09:00:00 +0000"
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "us-ascii"
    assert msg.get_payload() == "Hi Bob,\r\n\r\n.. and bring the book.\r\n"
    assert all(line.endswith(b"\r") or not line for line in raw.split(b"\n")[:-1])  # CRLF throughout
    assert re.search(rb"[^\r]\n", raw) is None


def test_a_long_subject_is_folded_as_the_email_package_folds_it():
    subject = "word " * 30
    args = dict(sender="a@example.org", recipients=("b@example.net",), subject=subject.strip(), body="x", t=1.0)
    raw = compose(**args)
    assert raw == _reference(**args) and b"\r\n " in raw.split(b"\r\n\r\n")[0]
