"""Predict the next step (simulator/quiz/predict.py): the question each kind of event makes.

Plain Python: every keyed answer is checked against the event it asks about,
read here again without the module's tables.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import pytest

from simulator.quiz.generate import COMMON_CODES, PORT_USES, SMTP_VERBS
from simulator.quiz.predict import IMAP_VERBS, POP3_VERBS, Prediction, PredictScore, predict_question
from simulator.scenario import list_scenarios
from simulator.trace.events import Direction, Kind, Trace
from tests.ui.conftest import real_trace
from tests.ui.synthetic import journey

NAMES = [s.name for s in list_scenarios()]


@functools.cache
def questions(name: str) -> tuple[Trace, dict[int, Prediction]]:
    trace = real_trace(name)
    found = {i: predict_question(trace, i) for i in range(len(trace.events))}
    return trace, {i: q for i, q in found.items() if q is not None}


def _first(trace: Trace, test) -> int:
    return next(i for i, e in enumerate(trace.events) if test(e))


def expected(trace: Trace, q: Prediction) -> str:
    """The right answer, read from the trace again."""
    event = trace.events[q.step]
    if q.kind == "reply-code":
        return event.text[:3]
    if q.kind == "command":
        words = event.text.split()
        return (words[1] if event.kind is Kind.IMAP else words[0]).upper()
    if q.kind == "port":
        return str(event.port)
    if q.kind == "host":
        return trace.actor(trace.connection(event.conn).server).hostname
    if q.kind == "mx":
        # The queue's note after the answer says which host it tries first.
        note = next(e for e in trace.events[q.step:] if e.kind is Kind.QUEUE and e.text.startswith("MX order:"))
        return note.text.split(": ", 1)[1].split(" ")[0]
    raise AssertionError(q.kind)


def test_a_server_reply_asks_for_its_code():
    trace = real_trace("submission-starttls")
    greeting = _first(trace, lambda e: e.kind is Kind.SMTP and e.dir is Direction.SERVER)
    q = predict_question(trace, greeting)
    assert q is not None and q.kind == "reply-code"
    assert q.answer == "220" and "greet" in q.question
    assert set(q.choices) <= {str(c) for c in COMMON_CODES} | {q.answer}
    # The second line of a multi-line reply is not asked again.
    continuation = _first(trace, lambda e: e.dir is Direction.SERVER and e.text.startswith("250-"))
    assert predict_question(trace, continuation + 1) is None


def test_a_client_command_asks_which_command():
    trace = real_trace("submission-starttls")
    rcpt = _first(trace, lambda e: e.dir is Direction.CLIENT and e.text.startswith("RCPT TO"))
    q = predict_question(trace, rcpt)
    assert q is not None and q.kind == "command" and q.answer == "RCPT"
    assert "250 2.1.0" in q.question  # what the server just said
    assert "DATA" not in q.choices  # another recipient could have been right instead of DATA, and vice versa
    assert set(q.choices) <= set(SMTP_VERBS)
    after_tls = _first(trace, lambda e: e.dir is Direction.CLIENT and e.tls.value != "none" and e.text.startswith("EHLO"))
    assert "handshake" in predict_question(trace, after_tls).question


def test_a_syn_asks_which_port_and_names_protocol_and_tls_mode():
    trace = real_trace("starttls-stripped")  # carol submits on 465 after alice gave up on 587
    syn = _first(trace, lambda e: e.kind is Kind.TCP and e.text.startswith("SYN →") and e.port == 465)
    q = predict_question(trace, syn)
    assert q is not None and q.kind == "port" and q.answer == "465"
    assert "implicit TLS" in q.question and "465" not in q.question
    assert set(q.choices) <= {str(p) for p in PORT_USES}


def test_a_dns_answer_asks_which_mx_first():
    trace = real_trace("mx-failover")
    query = _first(trace, lambda e: e.kind is Kind.DNS and e.dir is Direction.CLIENT and "\tMX" in e.text)
    assert predict_question(trace, query) is None  # the question itself is not asked about
    q = predict_question(trace, query + 1)
    assert q is not None and q.kind == "mx"
    assert q.answer == "mx1.example.net"
    assert "MX 10 mx1.example.net" in q.question and "MX 20 mx2.example.net" in q.question
    assert "mx2.example.net" in q.choices  # the backup is the natural wrong answer


def test_other_events_are_not_asked():
    trace = real_trace("user-unknown")
    for i, event in enumerate(trace.events):
        if event.kind in (Kind.TLS, Kind.QUEUE, Kind.DELIVER, Kind.BOUNCE, Kind.NOTE) or event.content:
            assert predict_question(trace, i) is None, event
    assert predict_question(trace, 0) is None  # the first step is on screen already
    assert predict_question(trace, len(trace.events)) is None


def test_null_mx_and_no_mx_make_no_mx_question():
    for name in ("null-mx", "implicit-mx", "nxdomain"):
        trace = real_trace(name)
        first_answer = _first(trace, lambda e: e.kind is Kind.DNS and e.dir is Direction.SERVER)
        assert predict_question(trace, first_answer) is None, name


@pytest.mark.parametrize("name", NAMES)
def test_keyed_answers_agree_with_the_trace_and_distractors_are_fair(name):
    trace, found = questions(name)
    assert found, "every scenario asks something"
    for step, q in found.items():
        assert q.step == step
        assert q.answer == expected(trace, q), (step, q)
        assert 3 <= len(q.choices) <= 4
        assert len(set(q.choices)) == len(q.choices)
        assert q.choices.count(q.answer) == 1
        assert q.why
        if q.kind == "command":
            pool = {Kind.SMTP: SMTP_VERBS, Kind.IMAP: IMAP_VERBS, Kind.POP3: POP3_VERBS}[trace.events[step].kind]
            assert set(q.choices) <= set(pool)
            # Verbs a client may send at almost any time are never offered as wrong answers.
            assert not {"RSET", "QUIT", "NOOP", "CAPA", "CAPABILITY", "LOGOUT"} & (set(q.choices) - {q.answer})


def test_every_kind_is_asked_somewhere():
    kinds = {q.kind for name in NAMES for q in questions(name)[1].values()}
    assert kinds == {"reply-code", "command", "port", "host", "mx"}


def test_a_relay_syn_asks_which_host():
    trace = real_trace("mx-failover")
    syns = [i for i, e in enumerate(trace.events) if e.kind is Kind.TCP and e.text.startswith("SYN → port 25")]
    first, second = (predict_question(trace, i) for i in syns[:2])
    assert first.kind == second.kind == "host"
    assert first.answer == "mx1.example.net" and second.answer == "mx2.example.net"  # failover
    assert "25" in first.question and first.answer not in first.question


def test_the_same_step_gives_the_same_question():
    trace = journey()
    for i in range(len(trace.events)):
        assert predict_question(trace, i) == predict_question(trace, i)


def test_the_score_counts_right_and_asked_and_remembers_answers():
    trace = real_trace("submission-starttls")
    _, found = questions("submission-starttls")
    first, second = list(found.values())[:2]
    score = PredictScore()
    assert score.text == "0/0"
    assert score.record(first, first.answer) is True
    wrong = next(c for c in second.choices if c != second.answer)
    assert score.record(second, wrong) is False
    assert score.text == "1/2"
    assert score.answers[second.step] == (second, wrong)
    score.forget_steps()
    assert score.answers == {} and score.text == "1/2"
    assert trace.events[first.step]


def test_a_prediction_refuses_unfair_choices():
    with pytest.raises(ValueError):
        Prediction(1, "port", "?", ("25", "25", "587"), "25", "")
    with pytest.raises(ValueError):
        Prediction(1, "port", "?", ("25", "465", "587"), "993", "")


def test_a_pipelined_command_is_asked_after_the_client_s_own_line():
    full = journey()
    mail = _first(full, lambda e: e.text.startswith("MAIL FROM"))
    events = full.events[: mail + 1] + full.events[mail + 2:]  # the 250 to MAIL not yet back
    events = tuple(replace(e, step=i) for i, e in enumerate(events))
    trace = replace(full, events=events)
    q = predict_question(trace, mail + 1)
    assert q is not None and q.answer == "RCPT"
    assert "has just sent `MAIL FROM:<alice@example.org>`" in q.question
