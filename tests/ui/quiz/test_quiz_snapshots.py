"""What the exam looks like: a question, the feedback on a wrong answer, the results, the review.

A real quiz (``build_quiz(list_scenarios()[:4], 10, seed=1)``), animations off,
the countdown on a clock that stands still (it shows 10:00). Regenerate with
``.venv/bin/pytest tests/ui/quiz --snapshot-update`` and look at every SVG
before accepting it (docs/ui.md says how).
"""

from __future__ import annotations

import pytest

from tests.ui.quiz.quizkit import key_of, make_quiz_app, real_quiz, wrong_choice

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SMALL = (80, 24)
BIG = (160, 48)
WRONG_AT = {0, 1, 4, 6}  # an authored question and three generated ones
FEEDBACK_AT = 4  # a generated question, so its feedback shows trace lines


def _app(theme: str = "textual-dark"):
    app = make_quiz_app(real_quiz(), timer_minutes=10)
    app.theme = theme
    return app


def _keys(upto: int, last_wrong: bool = False) -> list[str]:
    """Answer questions 0..upto-1 (wrong at WRONG_AT), moving on after each; then the next one."""
    picked = real_quiz()
    keys = []
    for i, (q, _) in enumerate(picked[:upto]):
        keys += [key_of(q, wrong_choice(q) if i in WRONG_AT else q.answer), "n"]
    if last_wrong:
        q = picked[upto][0]
        keys.append(key_of(q, wrong_choice(q)))
    return keys


def test_question(snap_compare):
    assert snap_compare(_app(), terminal_size=SMALL)


@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x48"])
def test_feedback_after_a_wrong_answer(snap_compare, size):
    # Question 5 asks about an enhanced status code from the auth-failure trace.
    assert real_quiz()[FEEDBACK_AT][0].step is not None
    assert snap_compare(_app(), terminal_size=size, press=_keys(FEEDBACK_AT, last_wrong=True))


def test_feedback_light_theme(snap_compare):
    assert snap_compare(_app("textual-light"), terminal_size=SMALL, press=_keys(FEEDBACK_AT, last_wrong=True))


def test_results(snap_compare):
    assert snap_compare(_app(), terminal_size=SMALL, press=_keys(len(real_quiz())))


def test_review(snap_compare):
    assert snap_compare(_app(), terminal_size=BIG, press=[*_keys(len(real_quiz())), "r"])
