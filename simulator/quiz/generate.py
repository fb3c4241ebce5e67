"""The question generators, in one list: each reads a trace and asks about what happened in it.

Every keyed answer is taken from the trace (the step is recorded on the
question) and checked against an RFC fact; distractors come from fixed pools
of plainly wrong answers, so a distractor can never also be right. The
generators live by subject in ``gen_connections``, ``gen_smtp``, ``gen_dns``
and ``gen_delivery``; their item-writing rules are in ``itemcheck``.
"""

from __future__ import annotations

from simulator.quiz.gen_connections import (
    port_questions,
    read_protocol_questions,
    role_questions,
    tls_attack_questions,
    tls_questions,
)
from simulator.quiz.gen_auth import auth_questions
from simulator.quiz.gen_checks import client_check_questions
from simulator.quiz.gen_delivery import ndr_questions, null_sender_questions, retry_questions
from simulator.quiz.gen_dns import dns_answer_questions, dns_record_questions, mx_order_questions
from simulator.quiz.gen_smtp import (
    enhanced_code_questions,
    next_command_questions,
    reply_code_questions,
    temporary_or_permanent_questions,
)
from simulator.quiz.helpers import COMMON_CODES, PORT_USES, SMTP_VERBS, Generator, mx_records, pick

# Predict mode (simulator/quiz/predict.py) draws its choices the same way.
_pick = pick

GENERATORS: tuple[Generator, ...] = (
    port_questions, tls_questions, read_protocol_questions, role_questions, tls_attack_questions,
    reply_code_questions, next_command_questions, enhanced_code_questions, temporary_or_permanent_questions,
    dns_record_questions, dns_answer_questions, mx_order_questions,
    ndr_questions, null_sender_questions, retry_questions, client_check_questions, auth_questions,
)

__all__ = ["COMMON_CODES", "GENERATORS", "PORT_USES", "SMTP_VERBS", "Generator", "mx_records", "pick"]
