"""The progress screen (g) as it looks on the fifth evening: bars, the line, lessons, what next.

A fixed history (tests/progress/history.py) and a clock that stands still, so
the days and "today" never move. Regenerate with
``.venv/bin/pytest tests/ui/test_ui_progress_snapshots.py --snapshot-update``
and look at every SVG before accepting it (docs/ui.md says how).
"""

from __future__ import annotations

import pytest

from tests.progress.history import fill
from tests.ui.conftest import make_app, real_trace
from simulator.ui.quiz_app import QuizApp
from tests.ui.quiz.quizkit import FakeClock, hand_quiz, key_of, wrong_choice

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SMALL = (80, 24)
MEDIUM = (100, 40)
BIG = (160, 48)


def _player(tmp_path, theme: str = "textual-dark"):
    app = make_app(real_trace("greylisting"))
    app.recorder = fill(tmp_path / "p.db")
    app.theme = theme
    return app


@pytest.mark.parametrize("size", [SMALL, MEDIUM, BIG], ids=["80x24", "100x40", "160x48"])
def test_progress_screen(snap_compare, tmp_path, size):
    assert snap_compare(_player(tmp_path), terminal_size=size, press=["g"])


def test_progress_screen_light(snap_compare, tmp_path):
    assert snap_compare(_player(tmp_path, "textual-light"), terminal_size=MEDIUM, press=["g"])


def test_quiz_results_say_what_next(snap_compare, tmp_path):
    picked = hand_quiz(4)
    app = QuizApp(picked, clock=FakeClock(), recorder=fill(tmp_path / "p.db"))
    app.animation_level = "none"
    keys = []
    for i, (q, _) in enumerate(picked):
        keys += [key_of(q, q.answer if i % 2 else wrong_choice(q)), "n"]
    assert snap_compare(app, terminal_size=MEDIUM, press=keys)
