"""docs/teaching.md cannot rot: every row is checked against the lessons and the question bank.

A concept table row is "lesson | step | the step shows | asked by". The lesson must
exist and carry the section's topic; trace step N of that lesson must contain the first
`quoted` text of the third cell (tabs read as spaces, as the player shows DNS lines);
every question kind of the last cell must exist and be generated from that lesson with
the section's topic among its topics.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.quiz.model import QuestionKind
from simulator.scenario.topics import Topic
from tests.quiz.bankkit import lesson_questions, lessons, trace_of

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "teaching.md"
# The concepts the brief names: each needs its own table.
REQUIRED = (Topic.PORTS, Topic.TLS_MODES, Topic.ROLES, Topic.DNS_RECORDS, Topic.DELIVERY,
            Topic.TEMPORARY_PERMANENT, Topic.RETRIES)


def rows() -> list[tuple[Topic, str, int, str, list[str]]]:
    """(topic, lesson, step, shown text, [kinds]) for every row of every concept table."""
    out = []
    topic = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## .*\(`([\w-]+)`\)$", line)
        if heading:
            topic = Topic(heading.group(1))
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if topic is None or not line.startswith("|") or len(cells) != 4 or cells[0] in ("lesson", "---"):
            continue
        lesson = cells[0].strip("`")
        shown = re.search(r"`([^`]+)`", cells[2]).group(1)
        kinds = re.findall(r"`([\w-]+)`", cells[3])
        out.append((topic, lesson, int(cells[1]), shown, kinds))
    return out


def test_every_required_concept_has_a_table():
    topics = {r[0] for r in rows()}
    assert set(REQUIRED) <= topics
    for topic in REQUIRED:
        assert sum(r[0] is topic for r in rows()) >= 2, topic


@pytest.mark.parametrize(("topic", "lesson", "step", "shown", "kinds"), rows(),
                         ids=[f"{r[0].value}-{r[1]}-{r[2]}" for r in rows()])
def test_every_row_is_true(topic, lesson, step, shown, kinds):
    names = {s.name: s for s in lessons()}
    assert lesson in names, f"no lesson {lesson}"
    assert topic in names[lesson].topics, f"{lesson} does not carry the topic {topic.value}"
    events = trace_of(lesson).events
    assert step < len(events), f"{lesson} has {len(events)} steps"
    text = events[step].text.replace("\t", " ")
    found = [e.step for e in events if shown in e.text.replace("\t", " ")]
    assert shown in text, f"{lesson} step {step} shows {text[:60]!r}; {shown!r} is at steps {found[:5]}"
    assert kinds, "a row names the question kinds that ask it"
    asked = lesson_questions(lesson)
    for kind in kinds:
        k = QuestionKind(kind)  # ValueError for a kind that does not exist
        assert any(q.kind is k and topic in q.topics for q in asked), \
            f"{lesson} generates no {kind} question about {topic.value}"


def test_the_doc_names_the_figures_command():
    text = DOC.read_text(encoding="utf-8")
    assert "python -m simulator.quiz.bank" in text
