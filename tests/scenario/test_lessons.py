"""Every shipped scenario is a lesson: title, summary, 2-4 goals, a debrief, a place in the path."""

import re

import pytest

from simulator.scenario import list_scenarios

SCENARIOS = list_scenarios()


def test_at_least_fifteen_lessons_from_basics_to_attacks():
    assert len(SCENARIOS) >= 15
    levels = [s.level for s in SCENARIOS]  # list_scenarios() is in lesson order
    assert levels == sorted(levels, key=["basics", "failures", "attacks"].index)
    assert set(levels) == {"basics", "failures", "attacks"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_lesson_text(scenario):
    assert scenario.title and scenario.summary
    assert 2 <= len(scenario.goals) <= 4
    assert len(scenario.debrief) > 150
    for text in (scenario.summary, scenario.debrief, *scenario.goals):
        assert not re.search(r"\S {2,}\S", text), f"stray spaces in {text!r}"
        assert text.strip() == text or text.endswith("\n")


def test_what_is_true_today_about_465():
    lesson = next(s for s in SCENARIOS if s.name == "submission-implicit-tls")
    assert "RFC 8314" in lesson.debrief and "deprecated" in lesson.debrief
