"""Which questions ask each lesson's learning goals.

One entry per lesson, one row per goal in the order of the lesson's
``goals``; a row lists the questions that ask that goal, as (kind, a text the
question's stem or key contains). tests/quiz/test_goals.py checks that every
shipped lesson has a row for each of its goals and that each row finds a
question among that lesson's own questions, so a new goal needs a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.quiz.model import Question, QuestionKind as K


@dataclass(frozen=True)
class Asks:
    kind: K
    text: str = ""  # found in the stem (question and exhibit) or the key; "" for any question of the kind

    def matches(self, q: Question) -> bool:
        return q.kind is self.kind and (self.text in q.stem or self.text in q.answer)


GOAL_MAP: dict[str, tuple[tuple[Asks, ...], ...]] = {
    "spoofed-sender": (
        (Asks(K.AUTHORED, "What is the SPF result"), Asks(K.SPF_RESULT)),
        (Asks(K.AUTHORED, "applies DMARC do"), Asks(K.AUTH_CHECK, "550 5.7.1")),
        (Asks(K.AUTHORED, "Who would receive the bounce"),),
    ),
    "dkim-broken": (
        (Asks(K.AUTHORED, "appends a disclaimer"),),
        (Asks(K.AUTHORED, "appends a disclaimer"),),
        (Asks(K.AUTHORED, "fails DKIM, but SPF passes"), Asks(K.ALIGNMENT)),
    ),
    "forwarding-breaks-spf": (
        (Asks(K.AUTHORED, "Why does SPF fail at the next MX"),),
        (Asks(K.AUTHORED, "DKIM passed for d=example.org"),),
        (Asks(K.AUTHORED, "What does DMARC decide"), Asks(K.ALIGNMENT)),
    ),
    "auth-pass": (
        (Asks(K.AUTHORED, "s=sim2026"),),
        (Asks(K.AUTHORED, "two strings"), Asks(K.SPF_RESULT)),
        (Asks(K.AUTHORED, "Why did DMARC pass"), Asks(K.AUTH_CHECK, "Authentication-Results")),
    ),
    "reverse-dns": (
        (Asks(K.RECORD_PURPOSE, "PTR"), Asks(K.AUTHORED, "in-addr.arpa")),
        (Asks(K.RECORD_PURPOSE, "A or AAAA"), Asks(K.AUTHORED, "forward-confirmed")),
        (Asks(K.CLIENT_CHECK, "550 5.7.25"), Asks(K.ENHANCED_CODE, "5.7.25"), Asks(K.NDR, "550 5.7.25")),
    ),
    "dnsbl-listed": (
        (Asks(K.AUTHORED, "against the blocklist"),),
        (Asks(K.CLIENT_CHECK, "127.0.0.2"), Asks(K.AUTHORED, "127.0.0.2")),
        (Asks(K.CLIENT_CHECK, "554 5.7.1"), Asks(K.NDR, "554 5.7.1")),
    ),
    "open-relay-denied": (
        (Asks(K.CLIENT_CHECK, "had not logged in"), Asks(K.AUTHORED, "has not logged in")),
        (Asks(K.CLIENT_CHECK, "550 5.7.1"), Asks(K.ENHANCED_CODE, "5.7.1")),
        (Asks(K.CLIENT_CHECK, "hand new mail over"), Asks(K.AUTHORED, "port 587 or 465")),
    ),
    "submission-starttls": (
        (Asks(K.ROLE, "MSA"), Asks(K.ROLE, "MDA")),  # every hop: who plays which part
        (Asks(K.TLS_MODE, "port 587"), Asks(K.NEXT_COMMAND, "STARTTLS")),
        (Asks(K.AUTHORED, "`To:` header"),),  # envelope vs headers
    ),
    "submission-implicit-tls": (
        (Asks(K.TLS_MODE, "port 465"),),
        (Asks(K.AUTHORED, "strip STARTTLS"),),
        (Asks(K.AUTHORED, "RFC 8314"),),
    ),
    "pop3-retrieval": (
        (Asks(K.AUTHORED, "POP3 usually"),),
        (Asks(K.TLS_MODE, "port 110"), Asks(K.PORT, "STLS")),
    ),
    "imap-push": (
        (Asks(K.AUTHORED, "+ idling"), Asks(K.AUTHORED, "waiting in IDLE")),
        (Asks(K.AUTHORED, "gone from INBOX"),),
        (Asks(K.AUTHORED, "Papierkorb"),),
    ),
    "auth-failure": (
        (Asks(K.REPLY_CODE, "wrong password"), Asks(K.ENHANCED_CODE, "5.7.8")),
        (Asks(K.AUTHORED, "535 5.7.8"),),
    ),
    "user-unknown": (
        (Asks(K.REPLY_CODE, "no mailbox by that name"), Asks(K.ENHANCED_CODE, "5.1.1")),
        (Asks(K.NDR, "550 5.1.1"),),
        (Asks(K.NULL_SENDER), Asks(K.AUTHORED, "In a DSN")),
    ),
    "mx-failover": (
        (Asks(K.MX_ORDER),),
        (Asks(K.RETRY, "SYN"),),
        (Asks(K.AUTHORED, "MX 20"),),
    ),
    "implicit-mx": (
        (Asks(K.DNS_RECORD, "A or AAAA"),),
        (Asks(K.DNS_ANSWER, "ANSWER: 0"),),
    ),
    "null-mx": (
        (Asks(K.DNS_ANSWER, "MX 0 ."),),
        (Asks(K.NDR, "null MX"), Asks(K.ENHANCED_CODE, "5.1.10")),
    ),
    "nxdomain": (
        (Asks(K.DNS_ANSWER, "NXDOMAIN"), Asks(K.DNS_RECORD, "NXDOMAIN")),
        (Asks(K.ENHANCED_CODE, "5.1.2"), Asks(K.TEMPORARY_OR_PERMANENT, "NXDOMAIN")),
    ),
    "dns-temporary-failure": (
        (Asks(K.DNS_ANSWER, "SERVFAIL"), Asks(K.TEMPORARY_OR_PERMANENT, "SERVFAIL")),
        (Asks(K.RETRY, "30 minutes"),),
    ),
    "greylisting": (
        (Asks(K.RETRY, "greylisting"), Asks(K.REPLY_CODE, "greylisting")),
        (Asks(K.ENHANCED_CODE, "4.7.1"), Asks(K.TEMPORARY_OR_PERMANENT, "451 4.7.1")),
    ),
    "mailbox-full": (
        (Asks(K.TEMPORARY_OR_PERMANENT, "452 4.2.2"), Asks(K.REPLY_CODE, "over quota")),
        (Asks(K.AUTHORED, "552 5.2.2"),),
    ),
    "message-too-large": (
        (Asks(K.REPLY_CODE, "SIZE"),),
        (Asks(K.TEMPORARY_OR_PERMANENT, "552 5.3.4"), Asks(K.NDR, "552 5.3.4")),
    ),
    "retry-expired": (
        (Asks(K.RETRY, "Action: delayed"), Asks(K.RETRY, "give up")),
        (Asks(K.RETRY, "give up"), Asks(K.RETRY, "30 minutes")),
    ),
    "remote-bounce": (
        (Asks(K.NDR, "`250`"),),
        (Asks(K.AUTHORED, "find its way"),),
    ),
    "partial-delivery": (
        (Asks(K.AUTHORED, "three `RCPT TO`"),),
        (Asks(K.NDR),),
    ),
    "starttls-stripped": (
        (Asks(K.TLS_ATTACK, "deleted one line"),),
        (Asks(K.TLS_ATTACK, "port 587"), Asks(K.TLS_ATTACK, "port 25"), Asks(K.AUTHORED, "strip")),
        (Asks(K.AUTHORED, "MTA-STS"),),
    ),
    "bad-certificate": (
        (Asks(K.TLS_ATTACK, "different host name"),),
        (Asks(K.TLS_ATTACK, "expired"), Asks(K.AUTHORED, "still protect")),
    ),
}


def goal_questions(lesson: str, goal: int, questions: list[Question]) -> list[Question]:
    """The questions among ``questions`` that ask goal number ``goal`` of ``lesson``."""
    row = GOAL_MAP[lesson][goal]
    return [q for q in questions if any(a.matches(q) for a in row)]
