"""Every learning goal of every lesson is asked by at least one of that lesson's questions."""

from __future__ import annotations

import pytest

from simulator.quiz.goals import GOAL_MAP, goal_questions
from tests.quiz.bankkit import lesson_questions, lessons


def test_the_map_covers_exactly_the_shipped_lessons():
    assert set(GOAL_MAP) == {s.name for s in lessons()}


@pytest.mark.parametrize("lesson", sorted(GOAL_MAP))
def test_each_goal_of_the_lesson_maps_to_a_question_it_asks(lesson):
    scenario = next(s for s in lessons() if s.name == lesson)
    rows = GOAL_MAP[lesson]
    # A goal added (or dropped) in the scenario file needs its row here, and a question.
    assert len(rows) == len(scenario.goals), f"{lesson}: {len(scenario.goals)} goals, {len(rows)} rows in GOAL_MAP"
    asked = list(lesson_questions(lesson))
    for i, goal in enumerate(scenario.goals):
        assert goal_questions(lesson, i, asked), f"{lesson}: no question asks goal {i + 1}: {goal}"


def test_a_row_that_matches_nothing_is_caught():
    lesson = "submission-starttls"
    unrelated = [q for q in lesson_questions("nxdomain")]
    assert not goal_questions(lesson, 2, unrelated)
