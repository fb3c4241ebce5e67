"""The report: lessons done, answers, accuracy per topic and per day, the weakest topics, the review outlook."""

from __future__ import annotations

from datetime import date, timedelta

from simulator.progress.model import LessonFinish, Source
from simulator.progress.report import Score, build_report
from simulator.scenario.library import lesson_path
from simulator.scenario.topics import Topic
from tests.progress.kit import T0, answer, question

DAY = timedelta(days=1)


def _report(answers, finishes=(), today=T0.date() + DAY):
    return build_report(answers, list(finishes), lesson_path(), today=today)


def test_percent_rounds_half_up_and_smoothing_is_laplace():
    assert Score(8, 1).percent == 13 and Score(8, 5).percent == 63 and Score(3, 2).percent == 67
    assert Score().percent is None and Score().smoothed == 0.5
    assert Score(1, 0).smoothed > Score(10, 2).smoothed  # one miss out of one says less than 8 of 10


def test_topics_days_and_weakest_worked_out_from_a_known_history():
    p1, p2, d1, r1 = (question(1, (Topic.PORTS,)), question(2, (Topic.PORTS, Topic.TLS_MODES)),
                      question(3, (Topic.DNS_RECORDS,)), question(4, (Topic.RETRIES,)))
    history = [
        answer(p1, False, T0), answer(p2, False, T0), answer(d1, False, T0), answer(r1, True, T0),  # day 1: 1/4
        answer(p1, True, T0 + DAY), answer(p2, True, T0 + DAY), answer(d1, False, T0 + DAY),  # day 2: 2/3
        answer(question(9, (Topic.PORTS,)), True, T0 + DAY, Source.PREDICT),  # day 2: 3/4 with it
    ]
    rep = _report(history)
    assert (rep.total.answered, rep.total.right) == (8, 4)
    assert rep.by_source[Source.PREDICT] == Score(1, 1)
    ports = rep.topic(Topic.PORTS)
    assert ports.score == Score(5, 3)  # p1 twice, p2 twice, the prediction
    assert [(d.day, d.score) for d in ports.days] == [(date(2025, 3, 4), Score(2, 0)), (date(2025, 3, 5), Score(3, 3))]
    assert ports.trend == 100 - 0
    assert rep.topic(Topic.RETRIES).trend is None  # one day only
    assert [(d.day, d.score) for d in rep.days] == [(date(2025, 3, 4), Score(4, 1)), (date(2025, 3, 5), Score(4, 3))]
    # DNS 0/2 (smoothed 1/4), TLS 1/2 (1/2), ports 3/5 (4/7); retries 1/1 is all right: not weak.
    assert rep.weakest == (Topic.DNS_RECORDS, Topic.TLS_MODES, Topic.PORTS)
    assert rep.topic(Topic.ATTACKS).score.answered == 0
    # Review on the 5th: d1 missed twice (box 1: due); r1 right on the 4th (box 2: due the 5th);
    # p1, p2 wrong then right on the 5th (box 2: due the 6th).
    assert rep.review.due_now == 2 and rep.review.learning == 4 and rep.review.learned == 0
    assert rep.review.next_due == date(2025, 3, 6)
    assert [q.id for q in rep.missed] == [d1.id]
    assert {q.id: q.answered for q in rep.questions} == {p1.id: 2, p2.id: 2, d1.id: 2, r1.id: 1,
                                                         question(9, (Topic.PORTS,)).id: 1}


def test_lessons_done_follow_the_lesson_path_and_count_each_finish():
    path = lesson_path()
    rep = _report([], [LessonFinish(path[2].name, T0), LessonFinish(path[2].name, T0 + DAY),
                       LessonFinish("my-own-file", T0)])
    assert rep.lessons_done == 1 and len(rep.lessons) == len(path)
    third = rep.lessons[2]
    assert third.done and third.times == 2 and third.last == date(2025, 3, 5)
    assert [lesson.name for lesson in rep.lessons] == [lesson.name for lesson in path]


def test_the_json_has_every_topic_of_the_list_by_its_value():
    data = _report([answer(question(1), True)]).to_json()
    assert [t["topic"] for t in data["topics"]] == [t.value for t in Topic]
    assert data["answers"] == {"answered": 1, "right": 1, "percent": 100, "questions": 1,
                               "by_source": {"quiz": {"answered": 1, "right": 1, "percent": 100}}}


def test_teaching_md_names_each_topic_as_the_progress_report_does():
    """docs/teaching.md's concept map and the progress output use the same topic names and values."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "teaching.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.*) \(`([\w-]+)`\)$", doc, re.MULTILINE)
    assert len(headings) >= 9
    squeeze = lambda text: re.sub(r"[^a-z0-9]", "", text.lower())  # noqa: E731
    for title, value in headings:
        topic = Topic(value)
        assert squeeze(title) == squeeze(topic.label), (title, topic.label)
