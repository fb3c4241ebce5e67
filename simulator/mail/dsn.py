"""Delivery Status Notifications (RFC 3464), carried in multipart/report (RFC 6522).

A DSN is a normal message sent with the null reverse-path ``MAIL FROM:<>``
(RFC 5321 §4.5.5) so that it can never cause another bounce.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from simulator.mail.headers import rfc5322_date

if TYPE_CHECKING:
    from email.message import Message
    from email.mime.text import MIMEText


class DSNAction(StrEnum):
    """RFC 3464 §2.3.3: what the reporting MTA did with the recipient."""

    FAILED = "failed"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    RELAYED = "relayed"
    EXPANDED = "expanded"


# RFC 3464 §2.1.2: "smtp" is the diagnostic-type of a reply an SMTP server sent; a
# diagnostic the reporting MTA made up itself (a DNS failure, no answer) gets an
# experimental "X-" type, as Postfix's "X-Postfix".
SMTP_DIAGNOSTIC = "smtp"
LOCAL_DIAGNOSTIC = "X-Smtpsim"


@dataclass(frozen=True)
class RecipientStatus:
    """One recipient's per-recipient fields (RFC 3464 §2.3)."""

    recipient: str
    action: DSNAction
    status: str  # an RFC 3463 code, e.g. 5.1.1
    remote_mta: str | None  # the MTA that reported the status, when one did (never the reporting MTA)
    diagnostic: str | None  # the reply it gave, e.g. "550 5.1.1 ...", or the local reason
    last_attempt: float | None = None
    will_retry_until: float | None = None
    diagnostic_type: str = SMTP_DIAGNOSTIC


def original_headers(content: bytes) -> str:
    head = content.split(b"\r\n\r\n", 1)[0]
    return head.decode("utf-8", "replace").replace("\r\n", "\n") + "\n"


def build_dsn(
    *,
    reporting_mta: str,
    original_sender: str,
    original_content: bytes,
    arrival: float,
    recipients: list[RecipientStatus],
    t: float,
    message_id: str,
    boundary: str,
) -> bytes:
    """A complete DSN message, CRLF line ends, ready for DATA."""
    # The MIME classes on the first bounce, not on import: a run without one never needs them.
    from email.message import Message
    from email.mime.multipart import MIMEMultipart
    from email.policy import SMTP

    failed = [r for r in recipients if r.action is DSNAction.FAILED]
    delayed = [r for r in recipients if r.action is DSNAction.DELAYED]
    report = MIMEMultipart("report", boundary=boundary, report_type="delivery-status", policy=SMTP)
    report["From"] = f"Mail Delivery System <MAILER-DAEMON@{reporting_mta}>"
    report["To"] = original_sender
    report["Subject"] = (
        "Undelivered Mail Returned to Sender" if failed else "Delayed Mail (still being retried)"
    )
    report["Date"] = rfc5322_date(t)
    report["Message-ID"] = message_id
    # RFC 3834: automatic messages say so, so that auto-responders stay quiet.
    report["Auto-Submitted"] = "auto-replied"
    report.attach(_text_part(_human_text(reporting_mta, failed, delayed), "plain"))

    status = Message(policy=SMTP)
    status.set_type("message/delivery-status")
    per_message = Message(policy=SMTP)
    per_message["Reporting-MTA"] = f"dns; {reporting_mta}"
    per_message["Arrival-Date"] = rfc5322_date(arrival)
    blocks: list[Message | str] = [per_message]
    for r in recipients:
        block = Message(policy=SMTP)
        block["Final-Recipient"] = f"rfc822; {r.recipient}"
        block["Action"] = r.action
        block["Status"] = r.status
        if r.remote_mta:
            block["Remote-MTA"] = f"dns; {r.remote_mta}"
        if r.diagnostic:
            block["Diagnostic-Code"] = f"{r.diagnostic_type}; {r.diagnostic}"
        if r.last_attempt is not None:
            block["Last-Attempt-Date"] = rfc5322_date(r.last_attempt)
        if r.will_retry_until is not None:
            block["Will-Retry-Until"] = rfc5322_date(r.will_retry_until)
        blocks.append(block)
    status.set_payload(blocks)
    del status["MIME-Version"]  # only the top level carries it (RFC 2045 §4)
    report.attach(status)
    report.attach(_text_part(original_headers(original_content), "rfc822-headers"))
    return report.as_bytes(policy=SMTP)


def _text_part(text: str, subtype: str) -> MIMEText:
    from email.mime.text import MIMEText
    from email.policy import SMTP

    # ASCII stays 7bit, so the transcript shows readable text, not base64.
    charset = "us-ascii" if text.isascii() else "utf-8"
    part = MIMEText(text, subtype, charset, policy=SMTP)
    del part["MIME-Version"]  # only the top level carries it (RFC 2045 §4)
    return part


def _human_text(reporting_mta: str, failed: list[RecipientStatus], delayed: list[RecipientStatus]) -> str:
    lines = [f"This is the mail system at host {reporting_mta}.", ""]
    if failed:
        lines += [
            "I'm sorry to have to inform you that your message could not",
            "be delivered to one or more recipients. It's attached below.",
            "",
        ]
        for r in failed:
            reason = r.diagnostic or r.status
            where = f" (said {r.remote_mta})" if r.remote_mta else ""
            lines.append(f"<{r.recipient}>: {reason}{where}")
    if delayed:
        if failed:
            lines.append("")
        lines += [
            "Your message could not be delivered yet to the recipients below.",
            "The mail system will keep trying; you do not need to send it again.",
            "",
        ]
        for r in delayed:
            lines.append(f"<{r.recipient}>: {r.diagnostic or r.status}")
    return "\n".join(lines) + "\n"
