"""The one topic list, and the ``topics`` keys of the scenario format that use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.quiz.model import QuestionKind
from simulator.scenario.topics import Topic, parse_topic
from simulator.scenario import ScenarioError, parse_scenario
from tests.quiz.bankkit import lessons

ROOT = Path(__file__).resolve().parents[2]
LAB = """
[scenario]
title = "t"
summary = "s"
{topics}

[hosts.alice]
role = "mua"
hostname = "a.example.org"
ip = "192.0.2.10"
account = "alice@example.org"

[hosts.msa]
role = "msa"
hostname = "smtp.example.org"
ip = "192.0.2.25"

[hosts.dns]
role = "dns"
hostname = "ns.example.org"
ip = "192.0.2.53"

[accounts]
"alice@example.org" = {{ password = "pw" }}

[[messages]]
from = "alice@example.org"
to = ["bob@example.net"]
{quiz}
"""
QUIZ = """
[[quiz]]
question = "Which port?"
choices = ["25", "587", "465"]
answer = "587"
explanation = "587: submission."
{topics}
"""


def lab(topics: str = "", quiz_topics: str | None = None) -> str:
    quiz = "" if quiz_topics is None else QUIZ.format(topics=quiz_topics)
    return LAB.format(topics=topics, quiz=quiz)


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="lab.toml")
    return str(info.value)


def test_the_list_names_what_issue_18_asks_for():
    assert {t.value for t in Topic} >= {"ports", "tls-modes", "roles", "dns-records", "delivery",
                                        "temporary-vs-permanent", "retries", "authentication", "attacks"}
    assert all(t.label for t in Topic)
    assert parse_topic("ports") is Topic.PORTS and parse_topic("port") is None


def test_every_kind_of_question_has_topics():
    assert all(kind.topics for kind in QuestionKind if kind is not QuestionKind.AUTHORED)


def test_lesson_and_question_topics_load():
    s = parse_scenario(lab('topics = ["ports", "tls-modes"]', 'topics = ["ports"]'), source="lab.toml")
    assert s.topics == (Topic.PORTS, Topic.TLS_MODES)
    assert s.quiz[0].topics == (Topic.PORTS,)


def test_an_authored_question_without_topics_takes_the_lessons():
    from simulator.quiz.build import questions_for
    from simulator.run import run_scenario
    import random

    s = parse_scenario(lab('topics = ["retries"]', ""), source="lab.toml")
    (authored,) = [q for q in questions_for(s, run_scenario(s), random.Random(1)) if q.kind is QuestionKind.AUTHORED]
    assert authored.topics == (Topic.RETRIES,)


def test_an_unknown_topic_names_file_key_expected_and_found():
    message = error_of(lab('topics = ["ports", "portz"]'))
    assert message.startswith("lab.toml: scenario.topics[1]: expected one of ports, tls-modes")
    assert message.endswith('found "portz"')
    assert "quiz[0].topics[0]" in error_of(lab("", 'topics = ["DNS"]'))


def test_topics_must_be_a_list_of_strings_each_once():
    assert "scenario.topics: expected a list of strings, found 7" in error_of(lab("topics = 7"))
    assert "scenario.topics[1]: expected each topic once" in error_of(lab('topics = ["ports", "ports"]'))


def test_a_misspelt_scenario_key_is_refused_not_ignored():
    message = error_of(lab('topic = ["ports"]'))
    assert 'scenario.topic: expected one of' in message and 'found unknown key "topic"' in message


def test_every_shipped_lesson_and_authored_question_carries_topics():
    for lesson in lessons():
        assert lesson.topics, lesson.name
        for q in lesson.quiz:
            assert q.topics, (lesson.name, q.question)


def test_docs_list_every_topic():
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for topic in Topic:
        assert f"`{topic.value}`" in doc, topic
    assert re.search(r"\| `topics` \|", doc)


def test_predictions_carry_topics_too():
    from simulator.quiz.predict import predict_question
    from tests.quiz.bankkit import trace_of

    trace = trace_of("submission-starttls")
    asked = [p for p in (predict_question(trace, i) for i in range(len(trace.events))) if p is not None]
    assert {p.kind for p in asked} >= {"reply-code", "command", "port", "host", "mx"}
    assert all(p.topics and all(isinstance(t, Topic) for t in p.topics) for p in asked)
