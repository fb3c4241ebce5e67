"""Generated questions agree with the traces they came from."""

import functools

import pytest

from simulator.quiz import build_quiz
from simulator.quiz.model import Difficulty, Question
from simulator.scenario import list_scenarios
from simulator.trace import Direction, Kind, TLSMode

# RFC 3463 names for the codes the shipped scenarios produce (checked against §3.3-3.9).
RFC3463_WORDS = {
    "X.1.1": "mailbox does not exist", "X.1.2": "destination system", "X.1.10": "null MX",
    "X.2.2": "full", "X.3.4": "too big", "X.4.7": "expired", "X.7.1": "not authorized",
    "X.7.8": "credentials", "X.5.1": "invalid command", "X.7.0": "security",
}


@functools.cache
def quiz(count=200, seed=1):
    return build_quiz(list_scenarios(), count, seed)


def rederive(q: Question, trace) -> str:
    """The right answer, worked out again from the trace without the generator's tables."""
    ev = trace.events
    at = ev[q.step]
    if q.kind == "port":
        conn = trace.connection(at.conn)
        # The question names the protection, so exactly one port fits (587 vs 465, 143 vs 993).
        named = "implicit TLS" in q.question
        assert named == (conn.tls is TLSMode.IMPLICIT) or conn.port == 25
        return next(a for a in q.choices if a.split(" ")[0] == str(at.port))
    if q.kind == "tls-mode":
        assert at.kind is Kind.TLS and "established" in at.text  # the step shows the handshake done
        final = [e.tls for e in ev if e.conn == at.conn][-1]
        word = {TLSMode.NONE: "plain", TLSMode.STARTTLS: "STARTTLS", TLSMode.IMPLICIT: "implicit"}[final]
        return next(a for a in q.choices if a.startswith(word))
    if q.kind == "reply-code":
        command = [e for e in ev[: at.step] if e.conn == at.conn and e.dir is Direction.CLIENT][-1]
        assert command.text[:20] in q.question.replace("…", "")
        return at.text[:3]
    if q.kind == "next-command":
        reply = [e for e in ev[: at.step] if e.conn == at.conn and e.dir is Direction.SERVER][-1]
        assert reply.text[:20] in q.question
        return at.text.split(" ")[0].upper()
    if q.kind == "mx-order":
        query = [e for e in ev[: at.step] if e.kind is Kind.DNS and e.dir is Direction.CLIENT][-1]
        records = []
        for e in ev[query.step + 1:]:
            if e.kind is not Kind.DNS:
                break
            f = e.text.split("\t")
            if len(f) == 5 and f[3] == "MX":
                records.append((int(f[4].split()[0]), f[4].split()[1].rstrip(".")))
        best = min(records)[1]
        assert at.text.endswith(f" {best}.")  # the step is the winning MX record
        return best
    if q.kind == "enhanced-code":
        code = at.text.split(" ")[1]
        assert code in q.question
        key = "X." + code.split(".", 1)[1]
        words = RFC3463_WORDS[key]
        (match,) = [c for c in q.choices if words.lower() in c.lower()]
        return match
    if q.kind == "temporary-or-permanent":
        return next(c for c in q.choices if c.startswith({"4": "Temporary", "5": "Permanent"}[at.text[0]]))
    if q.kind == "ndr":
        assert at.kind is Kind.BOUNCE
        to = at.text.rsplit("<", 1)[1].rstrip(">")
        return f"{trace.actor(at.src).hostname}, to {to}"
    if q.kind == "null-sender":
        assert at.text.replace(" ", "").upper().startswith("MAILFROM:<>")
        return next(c for c in q.choices if "bounce" in c)
    if q.kind == "read-protocol":
        conn = trace.connection(at.conn)
        assert f"port {conn.port}" in q.question
        tls = [e.tls for e in ev if e.conn == at.conn][-1]
        protection = "over implicit TLS" if tls is TLSMode.IMPLICIT else "upgraded with"
        (match,) = [c for c in q.choices if c.startswith(conn.protocol.value.upper()) and protection in c]
        return match
    raise AssertionError(f"no re-derivation for {q.kind}")


def test_every_generated_answer_agrees_with_its_trace():
    checked = 0
    for q, trace in quiz():
        if q.kind == "authored":
            continue
        assert rederive(q, trace) == q.answer, q
        checked += 1
    assert checked > 50


def test_every_kind_the_issue_names_is_generated():
    kinds = {q.kind for q, _ in quiz()}
    assert {"port", "tls-mode", "reply-code", "next-command", "mx-order", "enhanced-code",
            "temporary-or-permanent", "ndr", "null-sender", "read-protocol", "authored"} <= kinds


def test_choices_are_distinct_at_least_three_and_contain_the_answer_once():
    for q, _ in quiz():
        assert len(q.choices) >= 3 and len(set(q.choices)) == len(q.choices)
        assert q.choices.count(q.answer) == 1
        assert q.explanation and (q.rfc or q.kind == "authored")


def test_no_distractor_is_also_right_for_codes_and_ports():
    for q, trace in quiz():
        if q.kind in ("reply-code", "port"):
            numbers = [c.split(" ")[0] for c in q.choices]
            assert len(set(numbers)) == len(numbers)


def test_twenty_distinct_questions_and_same_seed_same_quiz():
    a = [q for q, _ in build_quiz(list_scenarios(), 20, 1)]
    b = [q for q, _ in build_quiz(list_scenarios(), 20, 1)]
    c = [q for q, _ in build_quiz(list_scenarios(), 20, 2)]
    assert len(a) == 20 and len({q.question for q in a}) == 20
    assert a == b
    assert a != c


def test_difficulty_filter():
    picked = build_quiz(list_scenarios()[:4], 10, 1, difficulty=Difficulty.EASY)
    assert picked and all(q.difficulty is Difficulty.EASY for q, _ in picked)


def test_authored_questions_come_from_the_scenario_file():
    authored = [q for q, _ in quiz() if q.kind == "authored"]
    assert any("RFC 8314" in q.answer for q in authored)


def test_question_refuses_an_answer_outside_its_choices():
    with pytest.raises(ValueError):
        Question("s", "k", Difficulty.EASY, "q?", ("a", "b", "c"), "d", "because", "RFC 1")
