"""The item-writing rules of issue 10, checked over the whole pooled bank.

The bank is what an instructor gets by exporting every lesson into one
Moodle bank: each question must stand alone there.
"""

from __future__ import annotations

import re

import pytest

from simulator.quiz import build_quiz
from simulator.quiz.bank import figures
from simulator.quiz.itemcheck import answer_each_other, distinctive, gives_away, key_is_longest, share, stands_out, words
from simulator.quiz.model import QuestionKind as K
from simulator.scenario.topics import Topic
from simulator.scenario import list_scenarios
from tests.quiz.bankkit import lesson_questions, lessons, questions

MAX_GIVE_AWAYS = 0.02
MAX_KIND_SHARE = 0.35
LONGEST_KEY_MARGIN = 0.08


def test_the_bank_is_big_enough_to_pool():
    assert len(questions()) >= 90


def test_at_most_two_percent_give_aways():
    # A keyed answer that shares a distinctive word with the stem that no distractor has.
    flagged = [q.question for q in questions() if gives_away(q)]
    assert share(questions(), gives_away) <= MAX_GIVE_AWAYS, flagged


def test_at_most_two_percent_stand_outs():
    # The same cue spread over words: the key echoes the stem more than every distractor.
    flagged = [q.question for q in questions() if stands_out(q)]
    assert share(questions(), stands_out) <= MAX_GIVE_AWAYS, flagged


def test_one_stem_one_key():
    keys: dict[str, set[str]] = {}
    for lesson in lessons():  # before the bank removes copies: every lesson's own questions
        for q in lesson_questions(lesson.name):
            keys.setdefault(q.stem, set()).add(q.answer)
    assert {stem: k for stem, k in keys.items() if len(k) > 1} == {}


def test_no_kind_over_35_percent():
    shares = figures(questions()).kinds
    assert max(shares.values()) <= MAX_KIND_SHARE, shares


def test_the_key_is_not_systematically_the_longest_choice():
    qs = questions()
    chance = sum(1 / len(q.choices) for q in qs) / len(qs)
    assert share(qs, key_is_longest) <= chance + LONGEST_KEY_MARGIN
    # ... nor within a kind that has several phrase-choice questions.
    for kind in (K.TLS_MODE, K.TEMPORARY_OR_PERMANENT, K.NDR, K.RETRY, K.TLS_ATTACK, K.AUTHORED, K.DNS_ANSWER):
        of_kind = [q for q in qs if q.kind is kind]
        assert share(of_kind, key_is_longest) <= 0.5, kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_questions_of_one_quiz_never_answer_each_other(seed):
    picked = [q for q, _ in build_quiz(list_scenarios(), 40, seed)]
    assert len(picked) == 40
    pairs = [(a.question, b.question) for i, a in enumerate(picked) for b in picked[i + 1:] if answer_each_other(a, b)]
    assert pairs == []


def test_the_bank_does_hold_questions_that_would_answer_each_other():
    # So the quiz test above is not passing by luck: the builder had something to keep apart.
    qs = questions()
    assert any(answer_each_other(a, b) for a in qs for b in qs if a is not b)


# -- coverage -----------------------------------------------------------------------------------------
def test_every_port_a_student_must_know_is_a_keyed_answer():
    keyed = {q.answer for q in questions() if q.kind in (K.PORT, K.AUTHORED)}
    assert {"25", "587", "465", "110", "995", "143", "993"} <= keyed


def test_the_roles_are_asked():
    keyed = {q.answer for q in questions() if q.kind is K.ROLE}
    assert keyed == {"MUA", "MSA", "MTA", "MDA"}


@pytest.mark.parametrize("lesson", ["implicit-mx", "nxdomain", "dns-temporary-failure", "null-mx", "mx-failover"])
def test_the_dns_lessons_ask_about_dns(lesson):
    asked = [q for q in lesson_questions(lesson) if Topic.DNS_RECORDS in q.topics]
    assert asked, lesson


def test_the_record_types_are_asked():
    keyed = {q.answer for q in questions() if q.kind is K.DNS_RECORD}
    assert {"MX", "A or AAAA", "SOA"} <= keyed


def test_every_topic_of_every_lesson_is_asked_in_it():
    for lesson in lessons():
        assert lesson.topics, f"{lesson.name} has no topics"
        asked = {t for q in lesson_questions(lesson.name) for t in q.topics}
        assert set(lesson.topics) <= asked, (lesson.name, set(lesson.topics) - asked)


def test_every_question_carries_topics_from_the_one_list():
    for q in questions():
        assert q.topics and all(isinstance(t, Topic) for t in q.topics), q.question


# -- feedback -----------------------------------------------------------------------------------------
def test_feedback_explains_the_keyed_answer():
    # The first sentence of the explanation names the key: a bare key word for word, a phrase by
    # one of the words that set it apart from the distractors, or (when the choices differ only in
    # how the same words combine) by all of its words. The EHLO questions of the old bank explained
    # the last capability line instead: "The server answered `250 8BITMIME`. 8BITMIME: ...".
    for q in questions():
        first = re.split(r"(?<=[.!?])\s", q.explanation, maxsplit=1)[0]
        if q.answer.strip("`").replace(" ", "").isalnum() and len(q.answer) <= 9:
            assert first.startswith(q.answer.strip("`")) or first.startswith(q.answer), (q.answer, first)
        elif distinctive(q):
            assert q.answer in first or distinctive(q) & words(first), (q.answer, first)
        else:
            assert words(q.answer) <= words(first), (q.answer, first)


def test_the_old_ehlo_feedback_would_fail_the_feedback_rule():
    first = "The server answered `250 8BITMIME`."
    assert not first.startswith("250")


# -- ids ----------------------------------------------------------------------------------------------
def test_ids_are_unique_and_follow_the_content_not_the_draw():
    ids = [q.id for q in questions(1)]
    assert len(set(ids)) == len(ids)
    # Another seed draws other distractors in another order: the same questions keep their ids.
    assert {q.id for q in questions(2)} == set(ids)
    by_id = {q.id: q for q in questions(2)}
    assert any(by_id[q.id].choices != q.choices for q in questions(1))


def test_no_key_rests_on_a_label_sources_disagree_about():
    # Course tables call 587 "SMTPS" or "SMTP (TLS)", others call 465 "SMTPS" (issue 10): the choices
    # use RFC facts (numbers, what happens on the port); only explanations name the labels.
    for q in questions():
        for choice in q.choices:
            assert "SMTPS" not in choice.upper() and "SMTP (TLS)" not in choice.upper(), (q.question, choice)
