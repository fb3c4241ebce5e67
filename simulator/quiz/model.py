"""A quiz question, as every front end (terminal UI, JSON, GIFT, Markdown) reads it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from typing import Any

from simulator.quiz.difficulty import Difficulty
from simulator.scenario.topics import Topic


__all__ = ["Difficulty", "Question", "QuestionKind"]


class QuestionKind(str, Enum):
    """Which generator made a question (``authored``: written into a scenario file)."""

    PORT = "port"
    TLS_MODE = "tls-mode"
    READ_PROTOCOL = "read-protocol"
    ROLE = "role"
    REPLY_CODE = "reply-code"
    NEXT_COMMAND = "next-command"
    ENHANCED_CODE = "enhanced-code"
    TEMPORARY_OR_PERMANENT = "temporary-or-permanent"
    DNS_RECORD = "dns-record"
    DNS_ANSWER = "dns-answer"
    MX_ORDER = "mx-order"
    NDR = "ndr"
    NULL_SENDER = "null-sender"
    RETRY = "retry"
    TLS_ATTACK = "tls-attack"
    CLIENT_CHECK = "client-check"  # an MX's checks of its client: reverse DNS, blocklists, relaying
    RECORD_PURPOSE = "record-purpose"  # what a DNS record type is for (PTR, A/AAAA to confirm, TXT)
    SPF_RESULT = "spf-result"  # reading an SPF record: which term matches, what its qualifier says
    AUTH_CHECK = "auth-check"  # which of SPF, DKIM, DMARC failed in a story
    ALIGNMENT = "alignment"  # which passing results are aligned with the From: domain (DMARC)
    AUTHORED = "authored"

    @property
    def topics(self) -> tuple[Topic, ...]:
        """What questions of this kind are about (a question may add more)."""
        return _KIND_TOPICS[self]


_KIND_TOPICS: dict[QuestionKind, tuple[Topic, ...]] = {
    QuestionKind.PORT: (Topic.PORTS,),
    QuestionKind.TLS_MODE: (Topic.TLS_MODES, Topic.PORTS),
    QuestionKind.READ_PROTOCOL: (Topic.MAIL_ACCESS, Topic.PORTS),
    QuestionKind.ROLE: (Topic.ROLES,),
    QuestionKind.REPLY_CODE: (Topic.SMTP_DIALOGUE,),
    QuestionKind.NEXT_COMMAND: (Topic.SMTP_DIALOGUE,),
    QuestionKind.ENHANCED_CODE: (Topic.SMTP_DIALOGUE, Topic.DELIVERY),
    QuestionKind.TEMPORARY_OR_PERMANENT: (Topic.TEMPORARY_PERMANENT,),
    QuestionKind.DNS_RECORD: (Topic.DNS_RECORDS,),
    QuestionKind.DNS_ANSWER: (Topic.DNS_RECORDS, Topic.TEMPORARY_PERMANENT),
    QuestionKind.MX_ORDER: (Topic.DNS_RECORDS, Topic.DELIVERY),
    QuestionKind.NDR: (Topic.DELIVERY,),
    QuestionKind.NULL_SENDER: (Topic.DELIVERY,),
    QuestionKind.RETRY: (Topic.RETRIES, Topic.TEMPORARY_PERMANENT),
    QuestionKind.TLS_ATTACK: (Topic.ATTACKS, Topic.TLS_MODES),
    QuestionKind.CLIENT_CHECK: (Topic.ATTACKS, Topic.DNS_RECORDS),
    QuestionKind.RECORD_PURPOSE: (Topic.DNS_RECORDS,),
    QuestionKind.SPF_RESULT: (Topic.AUTHENTICATION, Topic.DNS_RECORDS),
    QuestionKind.AUTH_CHECK: (Topic.AUTHENTICATION,),
    QuestionKind.ALIGNMENT: (Topic.AUTHENTICATION,),
    QuestionKind.AUTHORED: (),
}


@dataclass(frozen=True)
class Question:
    """One multiple-choice question that stands alone, as in a pooled exam bank.

    ``question`` is the stem; ``exhibit`` holds the trace lines the stem
    shows (verbatim, ``C:``/``S:`` first), for a question that needs them.
    Inline protocol text in any field is marked with backticks; exports turn
    that into their own code markup.
    """

    scenario: str
    kind: QuestionKind
    difficulty: Difficulty
    question: str
    choices: tuple[str, ...]  # distinct, the answer among them
    answer: str
    explanation: str  # why the keyed answer is right
    rfc: str
    step: int | None = None  # the trace step that shows the answer (None for authored questions)
    exhibit: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()  # empty: the kind's topics

    def __post_init__(self) -> None:
        if not isinstance(self.kind, QuestionKind):
            object.__setattr__(self, "kind", QuestionKind(self.kind))  # ValueError for an unknown kind
        if not self.topics:
            object.__setattr__(self, "topics", self.kind.topics)
        if len(set(self.choices)) != len(self.choices) or len(self.choices) < 3:
            raise ValueError(f"a question needs at least 3 distinct choices: {self.choices!r}")
        if self.answer not in self.choices:
            raise ValueError(f"the answer {self.answer!r} is not among the choices")

    @property
    def stem(self) -> str:
        """What a student reads before the choices: the question and its exhibit."""
        return "\n".join((self.question, *self.exhibit))

    @property
    def id(self) -> str:
        """Stable across releases and positions: derived from the stem and the key only.

        The distractors and their order may change (they are drawn at random);
        the question stays the same question, so its history (issue 18) stays.
        """
        digest = hashlib.sha256(f"{self.stem}\x00{self.answer}".encode()).hexdigest()
        return digest[:12]

    @property
    def distractors(self) -> tuple[str, ...]:
        return tuple(c for c in self.choices if c != self.answer)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scenario": self.scenario,
            "kind": self.kind.value,
            "topics": [t.value for t in self.topics],
            "difficulty": self.difficulty.name.lower(),
            "question": self.question,
            "exhibit": list(self.exhibit),
            "choices": list(self.choices),
            "answer": self.answer,
            "explanation": self.explanation,
            "rfc": self.rfc,
            "step": self.step,
        }
