"""The player and the quiz remember: lessons finished, predictions, the picker's ticks, the progress screen."""

from __future__ import annotations

import pytest

from simulator.progress.model import Source
from simulator.progress.recorder import Recorder
from simulator.progress.store import open_store
from simulator.scenario.topics import Topic
from simulator.trace.events import Direction, Kind
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.player import PlayerScreen
from simulator.ui.screens.predict import PredictScreen
from simulator.ui.screens.progress import ProgressScreen
from tests.progress.history import LESSONS_DONE, fill
from tests.progress.kit import Clock
from tests.ui.conftest import make_app, real_trace
from tests.ui.synthetic import journey

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SIZE = (100, 32)


def _recorded(app, tmp_path) -> Recorder:
    app.recorder = Recorder(tmp_path / "p.db", "default", now=Clock())
    return app.recorder


async def test_a_lesson_played_to_its_debrief_is_recorded_once_and_ticked_in_the_picker(tmp_path):
    app = make_app(real_trace("greylisting"))
    rec = _recorded(app, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "right")
        await pilot.pause()
        assert not (tmp_path / "p.db").exists()  # nothing to record yet: the record is not even opened
        await pilot.press("end")
        await pilot.pause()
        await pilot.press("left", "end")  # back and forth at the end: still one finish
        await pilot.pause()
        with open_store(tmp_path / "p.db") as store:
            assert [f.lesson for f in store.lessons()] == ["greylisting"]
        await pilot.press("s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen) and picker.done == frozenset({"greylisting"})
        listing = picker.query_one("#picker-list")
        prompt = listing.get_option("greylisting").prompt.renderable.plain
        other = listing.get_option("user-unknown").prompt.renderable.plain
        assert prompt.startswith("✓ ") and not other.startswith("✓")
    rec.close()


async def test_a_trace_that_is_not_a_lesson_of_the_path_is_not_recorded(tmp_path):
    app = make_app(journey(scenario="my-own-lab"))
    _recorded(app, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await pilot.pause()
    assert not (tmp_path / "p.db").exists()


async def test_predictions_are_recorded_with_their_topic_and_verdict(tmp_path):
    trace = real_trace("greylisting")
    app = make_app(trace)
    rec = _recorded(app, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        greeting = next(i for i, e in enumerate(trace.events) if e.kind is Kind.SMTP and e.dir is Direction.SERVER)
        app.player.jump(greeting - 1)
        await pilot.press("x", "right")
        question = app.screen.prediction
        assert isinstance(app.screen, PredictScreen)
        await pilot.press(str(question.choices.index("220") + 1))  # right
        await pilot.pause()
        await pilot.press("right")  # EHLO: answered wrong
        second = app.screen.prediction
        await pilot.press(str(next(i for i, c in enumerate(second.choices) if c != second.answer) + 1))
        await pilot.pause()
        with open_store(tmp_path / "p.db") as store:
            got = [(a.source, a.kind, a.topics, a.answer, a.correct, a.scenario) for a in store.answers()]
        assert got == [(Source.PREDICT, "reply-code", (Topic.SMTP_DIALOGUE,), "220", True, "greylisting"),
                       (Source.PREDICT, "command", (Topic.SMTP_DIALOGUE,), "EHLO", False, "greylisting")]
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        smtp = app.screen.report.topic(Topic.SMTP_DIALOGUE)
        assert (smtp.score.answered, smtp.score.right) == (2, 1)
        await pilot.press("escape")
        assert isinstance(app.screen, PlayerScreen)
    rec.close()


async def test_g_shows_the_progress_of_the_fifth_evening(tmp_path):
    app = make_app(real_trace("greylisting"))
    app.recorder = fill(tmp_path / "p.db")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert screen.report.lessons_done == len(LESSONS_DONE)
        assert screen.report.weakest[0] is Topic.DNS_RECORDS
        head = screen.query_one("#progress-head").render().plain
        assert "Lessons finished: 5 of" in head and "DNS record types" in head
        await pilot.press("g")  # g again closes it
        assert isinstance(app.screen, PlayerScreen)
    app.recorder.close()


async def test_a_record_that_cannot_be_written_is_said_once_and_the_player_goes_on(tmp_path):
    (tmp_path / "blocker").write_text("a file where the folder should be")
    trace = real_trace("greylisting")
    app = make_app(trace)
    app.recorder = Recorder(tmp_path / "blocker" / "p.db", "default", now=Clock())
    said: list[str] = []
    original = app.notify
    app.notify = lambda message, **kw: (said.append(message), original(message, **kw))  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        greeting = next(i for i, e in enumerate(trace.events) if e.kind is Kind.SMTP and e.dir is Direction.SERVER)
        app.player.jump(greeting - 1)
        await pilot.press("x", "right")
        await pilot.press(str(app.screen.prediction.choices.index("220") + 1))
        await pilot.pause()
        await pilot.press("right", "1")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert app.player.index == len(trace.events) - 1  # it went on
        await pilot.press("g")
        await pilot.pause()
        head = app.screen.query_one("#progress-head").render().plain
        assert "cannot be opened" in head and "where its folder should be" in head
    assert len([m for m in said if "not being saved" in m]) == 1
    assert len(app.recorder.pending) == 3  # two predictions and the lesson, kept for a later try


async def test_without_a_recorder_nothing_is_written_and_g_says_so(tmp_path):
    app = make_app(real_trace("greylisting"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "g")
        await pilot.pause()
        assert "not recorded in this run" in app.screen.query_one("#progress-head").render().plain
