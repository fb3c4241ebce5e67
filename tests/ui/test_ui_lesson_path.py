"""The lesson path from the player: ``s`` after a debrief opens the next lesson, and the
picker's filter + Enter opens the scenario a person typed (regressions from issue 10)."""

from __future__ import annotations

import tomllib

import pytest

from simulator.paths import scenarios_dir
from simulator.ui.app import SmtpsimApp
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.player import PlayerScreen
from simulator.ui.widgets.lesson import LessonCard
from tests.ui.conftest import make_app, real_trace

pytestmark = [pytest.mark.ui, pytest.mark.timeout(90)]
SMALL = (80, 24)


def lesson_order() -> list[str]:
    """Worked out from the files: level (basics, failures, attacks), then each one's order."""
    levels = ["basics", "failures", "attacks"]
    found = []
    for path in scenarios_dir().glob("*.toml"):
        meta = tomllib.loads(path.read_text(encoding="utf-8"))["scenario"]
        found.append((levels.index(meta.get("level", "basics")), meta.get("order", 100), path.stem))
    return [name for *_, name in sorted(found)]


def title_of(name: str) -> str:
    return tomllib.loads((scenarios_dir() / f"{name}.toml").read_text(encoding="utf-8"))["scenario"]["title"]


async def _open(pilot, app) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, PlayerScreen)


@pytest.mark.parametrize("name", ["submission-starttls", "pop3-retrieval", "dns-temporary-failure"])
async def test_s_at_the_end_of_a_lesson_opens_the_next_one(name):
    order = lesson_order()
    following = order[order.index(name) + 1]
    app = make_app(real_trace(name))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("end")
        await pilot.pause()
        card = app.screen.query_one(LessonCard)
        assert card.kind == "debrief"
        # The promise names the lesson it keeps.
        assert f"Next lesson: {title_of(following)}" in card.text
        assert "s: next lesson" in str(card.query_one("#lesson-box").border_subtitle)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.highlighted_name == following
        await _open(pilot, app)
        assert app.player.trace.scenario == following


async def test_after_the_last_lesson_the_card_promises_no_next_one():
    last = lesson_order()[-1]
    app = make_app(real_trace(last))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("end")
        await pilot.pause()
        card = app.screen.query_one(LessonCard)
        assert card.kind == "debrief" and "Next lesson" not in card.text
        subtitle = str(card.query_one("#lesson-box").border_subtitle)
        assert "next lesson" not in subtitle and "s: scenarios" in subtitle


@pytest.mark.parametrize(("typed", "expected"), [
    ("retry", "retry-expired"),  # dns-temporary-failure and greylisting say "retry" in their summaries
    ("greylisting", "greylisting"),
    ("bounce", "remote-bounce"),  # user-unknown's summary says "bounce" too
    ("nxdomain", "nxdomain"),
    ("implicit", "submission-implicit-tls"),  # implicit-mx comes later in the path, but "implicit" is in both names
    ("mx", "mx-failover"),
])
async def test_the_filter_and_enter_open_the_scenario_typed(typed, expected):
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        await pilot.press(*typed)
        await pilot.pause()
        assert expected in picker.shown
        assert picker.highlighted_name == expected
        await _open(pilot, app)
        assert app.player.trace.scenario == expected


async def test_play_pick_opens_the_picker_on_the_lesson_itself_and_esc_keeps_it():
    # `play --pick` (what each `smtpsim serve` tab runs without --lesson): nothing played yet, so the
    # highlight is on the open lesson, not the next one as `s` after a debrief has it.
    app = SmtpsimApp(real_trace("user-unknown"), loader=real_trace, pick=True)
    app.animation_level = "none"
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.highlighted_name == "user-unknown"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        assert app.player.trace.scenario == "user-unknown" and app.player.index == 0


async def test_play_pick_then_enter_opens_the_lesson_typed():
    app = SmtpsimApp(real_trace("submission-starttls"), loader=real_trace, pick=True)
    app.animation_level = "none"
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press(*"greylist")
        await _open(pilot, app)
        assert app.player.trace.scenario == "greylisting"
