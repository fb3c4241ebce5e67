"""Start-up and stepping the player does not pay for what it does not show.

The key bar (one line, the active screen's keys), the loading state while the
scenario runs on a worker after the first frame, and an ordinary step that
redraws only the panes whose content changed, with no layout of the screen.
"""

from __future__ import annotations

import threading

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from simulator.scenario.errors import ScenarioError
from simulator.scenario.library import open_scenario
from simulator.trace.events import Direction
from simulator.ui.app import SmtpsimApp, build_app
from simulator.ui.pending import PendingRun
from simulator.ui.screens.compare import CompareScreen
from simulator.ui.screens.player import PlayerScreen
from simulator.ui.widgets.banner import FaultBanner
from simulator.ui.widgets.eventlist import EventList
from simulator.ui.widgets.explanation import Explanation
from simulator.ui.widgets.keybar import KeyBar
from simulator.ui.widgets.lesson import LessonCard
from simulator.ui.widgets.notes import NotesPanel
from simulator.ui.widgets.statusbar import StatusBar
from simulator.ui.widgets.topology import Topology
from simulator.ui.widgets.transcript import Transcript
from tests.ui.conftest import make_app, real_trace, run_done

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


def _words(text: str) -> str:
    """A pane's text with its wrapping undone."""
    return " ".join(text.split())

SMALL, BIG = (80, 24), (160, 48)


# -- the key bar -----------------------------------------------------------------------------------
async def test_the_key_bar_shows_the_players_keys_and_then_the_compare_screens():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        bar = app.player.query_one(KeyBar)
        # Written out from the player's BINDINGS (show=True, the spare keys left out below 112 columns).
        for words in ("space play", "←→ step", "s scenarios", "f faults", "v versus", "x predict",
                      "? help", "q quit"):
            assert words in bar.text
        assert "theme" not in bar.text and "⇱⇲" not in bar.text and "chapter" not in bar.text
        assert bar.region.height == 1 and bar.region.y == SMALL[1] - 1  # one line, at the bottom

        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        compare_bar = app.screen.query_one(KeyBar)
        assert "esc back" in compare_bar.text and "tab next panel" in compare_bar.text
        assert "space play" not in compare_bar.text

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen) and "space play" in bar.text


async def test_the_key_bar_gives_every_key_room_on_a_wide_screen():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        bar = app.player.query_one(KeyBar)
        assert "^p palette" not in bar.text  # no room at 80 columns
        await pilot.resize_terminal(*BIG)
        await pilot.pause()
        for words in ("t theme", "c fold", "⇱⇲ ends", "-+ speed", "] chapter", "! failure", "^p palette"):
            assert words in bar.text
        assert "  " in bar.text.strip()  # roomy: two spaces between keys from 130 columns


class _Two(Screen[None]):
    """Two focusable panes, each with a key of its own, and a key bar."""

    def compose(self) -> ComposeResult:
        yield _Pane("a", "alpha", id="one")
        yield _Pane("b", "beta", id="two")
        yield KeyBar()


class _Pane(Static, can_focus=True):
    def __init__(self, key: str, words: str, *, id: str) -> None:
        super().__init__(words, id=id)
        self._bindings.bind(key, f"app.pressed('{words}')", words)


class _TwoApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.pressed_keys: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(_Two())

    def action_pressed(self, words: str) -> None:
        self.pressed_keys.append(words)


async def test_the_key_bar_follows_the_focus_and_a_click_presses_the_key():
    app = _TwoApp()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        bar = screen.query_one(KeyBar)
        screen.query_one("#one").focus()
        await pilot.pause()
        assert "a alpha" in bar.text and "beta" not in bar.text
        screen.query_one("#two").focus()
        await pilot.pause()
        assert "b beta" in bar.text and "alpha" not in bar.text
        x = bar.text.index("b beta")  # the line as drawn: a click on its key presses it
        await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert app.pressed_keys == ["beta"]
        await pilot.click(KeyBar, offset=(x + len("b beta") + 3, 0))  # past the last key: nothing
        await pilot.pause()
        assert app.pressed_keys == ["beta"]


# -- the loading state -------------------------------------------------------------------------------
async def test_the_player_says_it_is_running_then_shows_the_trace_and_steps():
    trace = real_trace("user-unknown")
    release = threading.Event()

    def run():
        assert release.wait(20)
        return trace

    app = SmtpsimApp(PendingRun("user-unknown", "User unknown", run), loader=None)
    app.animation_level = "none"
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.player
        assert screen.pending is not None and screen.trace.events == ()
        assert "Running scenario User unknown ..." in _words(screen.query_one(Explanation).text)
        assert "Running scenario User unknown" in screen.status.title
        await pilot.press("right", "end")  # keys while it runs: nothing to step through, nothing breaks
        assert screen.player.index == 0

        release.set()
        await run_done(pilot)
        assert screen.trace is trace and screen.status.total == len(trace.events)
        assert screen.query_one(LessonCard).kind == "goals"  # the first step, as a ready trace opens
        await pilot.press("right")
        await pilot.pause()
        assert screen.player.index == 1 and screen.status.step == 2
        assert trace.events[1].text.split()[0] in screen.query_one(Explanation).text


async def test_a_run_that_fails_says_why_and_the_player_stays():
    def run():
        raise ScenarioError("lab.toml", "hosts[0]", "expected a host, found nothing")

    app = SmtpsimApp(PendingRun("lab", "Lab", run), loader=None)
    async with app.run_test(size=SMALL) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.player
        assert screen.pending is None
        said = _words(screen.query_one(Explanation).text)
        assert "could not run" in said and "expected a host, found nothing" in said
        await pilot.press("right")
        assert screen.is_current


async def test_a_run_that_finishes_after_another_trace_came_is_dropped():
    late, picked = real_trace("user-unknown"), real_trace("submission-starttls")
    release = threading.Event()

    def run():
        assert release.wait(20)
        return late

    app = SmtpsimApp(PendingRun("user-unknown", "User unknown", run), loader=None)
    app.animation_level = "none"
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.player
        screen.load_trace(picked)  # from the picker, say, while the run is still on
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.trace is picked and screen.pending is None
        assert screen.status.total == len(picked.events)


def test_play_without_at_opens_on_the_pending_run_and_with_at_runs_first():
    scenario = open_scenario("user-unknown")
    later = build_app(scenario, None)
    assert isinstance(later._trace, PendingRun) and later._trace.title == scenario.title
    first = build_app(scenario, None, at="failure")
    assert not isinstance(first._trace, PendingRun)
    assert first._trace.events[first._start["start"]].text.startswith("550 5.1.1")


# -- an ordinary step ---------------------------------------------------------------------------------
def _count_renders(monkeypatch) -> dict[str, int]:
    """Calls of each pane's drawing methods (render for one-line widgets, render_line for Line API ones)."""
    counts: dict[str, int] = {}
    for cls, name in ((KeyBar, "render"), (StatusBar, "render"), (FaultBanner, "render"), (NotesPanel, "render"),
                      (Topology, "render_line"), (Transcript, "render_line"), (Explanation, "render_line"),
                      (EventList, "render_line")):
        original = getattr(cls, name)

        def counting(self, *args, _original=original, _name=cls.__name__):
            counts[_name] = counts.get(_name, 0) + 1
            return _original(self, *args)

        monkeypatch.setattr(cls, name, counting)
    return counts


async def _step_from(monkeypatch, at) -> tuple[int, int, dict[str, int], int]:
    """One step (→) in retry-expired from the first step past 10 where ``at(model, i)`` holds.

    Returns that step, the step after the key, each pane's drawing calls in that step (see
    _count_renders) and how many times the screen was laid out in it.
    """
    app = make_app(real_trace("retry-expired"), loader=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.player
        index = next(i for i in range(10, len(screen.model) - 1) if at(screen.model, i))
        screen.jump(index)
        await pilot.pause()
        counts = _count_renders(monkeypatch)
        layouts: list[int] = []
        original_layout = type(screen)._refresh_layout

        def counting_layout(self, *args, **kwargs):
            layouts.append(1)
            return original_layout(self, *args, **kwargs)

        monkeypatch.setattr(type(screen), "_refresh_layout", counting_layout)
        await pilot.press("right")
        await pilot.pause()
        return index, screen.player.index, counts, len(layouts)


async def test_an_ordinary_step_redraws_only_the_panes_that_changed_and_lays_out_nothing(monkeypatch):
    def multi_line_reply(model, i):
        # A server's multi-line reply, mid-trace: the next line has the same hop and the same direction.
        event = model.events[i]
        return event.dir is Direction.SERVER and event.text[:4].endswith("-") and model.hops[i] == model.hops[i + 1]

    index, after, counts, layouts = await _step_from(monkeypatch, multi_line_reply)
    assert after == index + 1
    assert layouts == 0
    # What changed: the step counter, the lit line, the explanation, the list's row.
    assert counts.get("StatusBar", 0) >= 1 and counts.get("Transcript", 0) >= 1
    assert counts.get("Explanation", 0) >= 1 and counts.get("EventList", 0) >= 1
    # What did not: the hop strip (same link), the keys, the hidden banner and notes.
    for pane in ("Topology", "KeyBar", "FaultBanner", "NotesPanel"):
        assert counts.get(pane, 0) == 0, pane


async def test_a_step_to_another_hop_does_redraw_the_topology(monkeypatch):
    _, _, counts, _ = await _step_from(monkeypatch, lambda model, i: model.hops[i] != model.hops[i + 1])
    assert counts.get("Topology", 0) >= 1


async def test_the_status_bar_draws_again_only_when_what_it_shows_changed(monkeypatch):
    app = make_app(real_trace("user-unknown"), loader=None)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        status = app.player.status
        refreshes: list[int] = []
        original = StatusBar.refresh

        def counting(self, *args, **kwargs):
            refreshes.append(1)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(StatusBar, "refresh", counting)
        status.update_state(title=status.title, step=status.step, playing=status.playing)  # the same again
        assert refreshes == []
        status.update_state(step=status.step + 1)
        assert refreshes == [1]
