"""The teaching tools through Textual's pilot: lessons, the fault panel (f), compare (v),
predict mode (x), the lesson path in the picker, and ``play --fault``."""

from __future__ import annotations

import pytest

from simulator.scenario import list_scenarios
from simulator.scenario.library import open_scenario
from simulator.scenario.toggles import available_toggles
from simulator.trace.events import Direction, Kind
from simulator.ui.app import SmtpsimApp, run_app
from simulator.ui.screens.compare import CompareScreen
from simulator.ui.screens.faults import FaultScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.player import PlayerScreen
from simulator.ui.screens.predict import PredictScreen
from simulator.ui.widgets.banner import FaultBanner
from simulator.ui.widgets.explanation import Explanation
from simulator.ui.widgets.faultswitch import FaultSwitch
from simulator.ui.widgets.lesson import LessonCard
from simulator.ui.widgets.statusbar import StatusBar
from tests.ui.conftest import make_app, real_trace, run_done

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SMALL = (80, 24)
BIG = (160, 48)


def _index(trace, test) -> int:
    return next(i for i, e in enumerate(trace.events) if test(e))


async def _switch(pilot, name: str) -> None:
    """Flip one fault's switch in the open fault panel, as a person would (focus, space)."""
    pilot.app.screen.query_one(f"#fault-{name}", FaultSwitch).focus()
    await pilot.press("space")
    await pilot.pause()


# -- lessons ---------------------------------------------------------------------------------------
async def test_the_goals_show_at_the_first_step_and_the_debrief_at_the_last():
    trace = real_trace("greylisting")
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        card = app.screen.query_one(LessonCard)
        assert card.display and card.kind == "goals"
        assert trace.goals[0] in card.text and trace.title in card.text
        await pilot.press("right")
        assert not card.display  # stepping on puts it away
        await pilot.press("home")
        assert card.kind == "goals"
        await pilot.press("escape")
        assert not card.display and app.player.index == 0
        await pilot.press("end")
        assert card.display and card.kind == "debrief"
        assert "past the greylisting delay" in card.text
        assert "30 minutes later" in card.text  # the file's stray spaces are gone
        await pilot.press("left", "right")
        assert card.kind == "debrief"  # back at the last step, back again


async def test_a_trace_without_lesson_text_shows_no_card(synthetic):
    app = make_app(synthetic)
    async with app.run_test(size=SMALL) as pilot:
        card = app.screen.query_one(LessonCard)
        assert not card.display
        await pilot.press("end")
        assert not card.display


# -- the fault panel --------------------------------------------------------------------------------
async def test_f_lists_the_faults_that_fit_with_label_and_summary():
    app = make_app(real_trace("user-unknown"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FaultScreen)
        toggles = available_toggles(open_scenario("user-unknown"))
        switches = list(app.screen.query(FaultSwitch))
        assert [s.id for s in switches] == [f"fault-{t.name}" for t in toggles]
        assert "fault-user-unknown" not in {s.id for s in switches}  # it is already this scenario's story
        assert not any(s.value for s in switches)
        summaries = [str(s.render()) for s in app.screen.query(".fault-summary")]
        assert toggles[0].summary in summaries[0]
        await pilot.press("escape")
        assert isinstance(app.screen, PlayerScreen)


async def test_the_banner_shows_the_faults_written_in_the_scenario_file():
    app = make_app(real_trace("mx-failover"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        banner = app.player.query_one(FaultBanner)
        assert banner.display and "mx1.example.net down" in banner.banner_text.plain
        await pilot.press("f")
        assert isinstance(app.screen, FaultScreen)
        intro = str(app.screen.query_one("#faults-intro").render())
        assert "Always on (in the scenario): mx1.example.net down" in intro
        await _switch(pilot, "mx-down")
        text = banner.banner_text.plain
        assert "FAULTS ON: mx-down" in text and "mx2.example.net down for 2 hours" in text
        assert "in the scenario: mx1.example.net down" in text


async def test_no_banner_for_a_scenario_without_faults():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert not app.player.query_one(FaultBanner).display


async def test_a_fault_reruns_at_once_and_keeps_the_step_while_the_runs_agree():
    app = make_app(real_trace("greylisting"))
    async with app.run_test(size=SMALL) as pilot:
        before = app.player.trace
        rcpt = _index(before, lambda e: e.port == 25 and e.text.startswith("RCPT TO"))
        app.player.jump(rcpt)
        await pilot.press("f")
        await _switch(pilot, "user-unknown")
        assert isinstance(app.screen, FaultScreen)  # the panel stays open: the run changes behind it
        player = app.player
        assert player.faults == ("user-unknown",)
        assert player.trace is not before
        assert any(e.text.startswith("550 5.1.1") for e in player.trace.events)
        assert player.index == rcpt  # identical up to here: the same step
        assert player.trace.events[rcpt].text == before.events[rcpt].text
        banner = player.query_one(FaultBanner)
        assert banner.display and "FAULTS ON: user-unknown" in banner.banner_text.plain
        assert "bob@example.net does not exist" in banner.banner_text.plain
        await pilot.press("escape")
        assert banner.display  # always in view while a fault is on


async def test_a_fault_keeps_the_moment_when_the_runs_differ_there_and_switching_it_off_restores():
    original = real_trace("greylisting")
    app = make_app(original)
    async with app.run_test(size=SMALL) as pilot:
        greylisted = _index(original, lambda e: e.text.startswith("451 4.7.1"))
        app.player.jump(greylisted)
        await pilot.press("f")
        await _switch(pilot, "user-unknown")
        now = app.player.trace.events[app.player.index]
        assert now.text.startswith("550 5.1.1")  # the same moment, in the other run
        assert now.t <= original.events[greylisted].t
        await _switch(pilot, "user-unknown")
        assert app.player.faults == ()
        assert app.player.trace.events == original.events
        assert app.player.index == greylisted
        banner = app.player.query_one(FaultBanner)
        assert banner.faults == ()  # no toggle on: the banner names only the scenario's own fault
        assert banner.banner_text.plain.startswith(" ⚠ FAULTS ON in the scenario: mx1.example.net greylists")


async def test_two_faults_and_the_debrief_says_the_run_differs():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f")
        await _switch(pilot, "starttls-stripped")
        await _switch(pilot, "mx-down")
        assert app.player.faults == ("mx-down", "starttls-stripped")  # in the panel's order
        assert "mallory" in {a.id for a in app.player.trace.actors}  # the attacker joined the run
        await pilot.press("escape", "end")
        card = app.player.query_one(LessonCard)
        assert card.kind == "debrief" and "Faults were on (mx-down, starttls-stripped)" in card.text


async def test_play_fault_starts_with_the_faults_on_and_checked(monkeypatch):
    started: list[SmtpsimApp] = []
    monkeypatch.setattr(SmtpsimApp, "run", lambda self, **kw: started.append(self) or 0)
    assert run_app(open_scenario("greylisting"), None, faults=["user-unknown"]) == 0
    app = started[0]
    app.animation_level = "none"
    async with app.run_test(size=SMALL) as pilot:
        await run_done(pilot)
        player = app.player
        assert player.faults == ("user-unknown",)
        assert any(e.text.startswith("550 5.1.1") for e in player.trace.events)
        assert "user-unknown" in player.query_one(FaultBanner).banner_text.plain
        await pilot.press("f")
        assert app.screen.query_one("#fault-user-unknown", FaultSwitch).value
        assert not app.screen.query_one("#fault-mx-down", FaultSwitch).value


def test_the_cli_hands_the_base_scenario_and_the_names_to_run_app(monkeypatch, capsys):
    from simulator.cli.main import _play

    calls = []
    monkeypatch.setattr("simulator.ui.app.run_app", lambda scenario, seed, faults=(), **_: calls.append(
        (scenario, seed, faults)) or 0)
    assert _play("greylisting", 7, ["user-unknown"]) == 0
    scenario, seed, faults = calls[0]
    assert scenario == open_scenario("greylisting") and seed == 7 and list(faults) == ["user-unknown"]
    assert _play("greylisting", None) == 0 and list(calls[1][2]) == []
    with pytest.raises(Exception, match="no-such-fault"):  # main() turns this into exit 2
        _play("greylisting", None, ["no-such-fault"])
    assert len(calls) == 2


# -- compare -----------------------------------------------------------------------------------------
async def test_v_compares_hop_by_hop_and_b_can_be_the_same_scenario_with_a_fault():
    app = make_app(real_trace("greylisting"))
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("v")
        await pilot.pause()  # the compare screen mounted (a loaded machine is slow to)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert screen.a_label == "greylisting" and screen.b_label == "greylisting"
        assert all(a == b for a, b in screen.rows)  # B starts as the scenario as written
        screen.query_one("#compare-faults FaultSwitch", FaultSwitch).focus()  # the first: mx-down
        await pilot.press("down", "space")  # user-unknown (greylisting is the file's own: not offered)
        await pilot.pause()
        assert screen.b_run == ("greylisting", ("user-unknown",))
        assert screen.b_label == "greylisting + user-unknown"
        b_details = [b.detail for _, b in screen.rows if b is not None]
        assert any("550 5.1.1" in d for d in b_details)
        assert any("451 4.7.1" in a.detail for a, _ in screen.rows if a is not None)
        head = str(screen.query_one("#compare-head").render())
        assert head.startswith(" A  greylisting ") and " B  greylisting + user-unknown" in head


async def test_compare_b_can_be_another_scenario_from_the_list():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("v")
        await pilot.pause()  # the compare screen mounted (a loaded machine is slow to)
        screen = app.screen
        screen.query_one("#compare-filter").focus()
        await pilot.press(*"implicit", "enter")
        await pilot.pause()
        assert screen.b_run == ("submission-implicit-tls", ())
        first_a, first_b = screen.rows[0]
        assert "587" in first_a.title and "465" in first_b.title  # side by side on one row
        assert "[#]" in str(screen.query_one("DataTable").get_row_at(0)[2])  # glyph and word


async def test_choosing_a_row_of_a_jumps_the_player_there_and_esc_does_not():
    app = make_app(real_trace("greylisting"))
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("v")
        await pilot.press("escape")
        assert isinstance(app.screen, PlayerScreen) and app.player.index == 0
        await pilot.press("v")
        screen = app.screen
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        hop = screen.rows[2][0]
        assert "mx-net:25" in hop.title and app.player.index == hop.step
        assert app.player.trace.events[app.player.index].text.startswith("SYN")


async def test_compare_from_the_command_palette():
    app = make_app(real_trace("greylisting"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Compare runs")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)


# -- predict -------------------------------------------------------------------------------------------
async def test_predict_asks_scores_right_and_wrong_and_reveals():
    trace = real_trace("greylisting")
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        greeting = _index(trace, lambda e: e.kind is Kind.SMTP and e.dir is Direction.SERVER)
        app.player.jump(greeting - 1)
        await pilot.press("x")
        assert app.player.predicting
        status = app.player.query_one(StatusBar)
        assert "predict 0/0" in status.status_text
        await pilot.press("right")
        assert isinstance(app.screen, PredictScreen)
        question = app.screen.prediction
        assert question.kind == "reply-code" and question.answer == "220"
        assert app.player.index == greeting - 1  # not yet
        await pilot.press(str(question.choices.index("220") + 1))
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen) and app.player.index == greeting
        explanation = " ".join(app.player.query_one(Explanation).text.split())
        assert "✓ Right: 220" in explanation and "Service ready" in explanation
        assert "predict 1/1" in status.status_text

        await pilot.press("right")  # EHLO comes next: answer it wrong, with the arrows and enter
        question = app.screen.prediction
        assert question.kind == "command" and question.answer == "EHLO"
        wrong = next(i for i, c in enumerate(question.choices) if c != "EHLO")
        await pilot.press(*["down"] * wrong, "enter")
        await pilot.pause()
        assert app.player.index == greeting + 1
        words = " ".join(app.player.query_one(Explanation).text.split())  # the panel wraps its lines
        assert f"✗ Not quite: you said {question.choices[wrong]}, it is EHLO" in words
        assert "predict 1/2" in status.status_text


async def test_predict_skips_what_makes_no_question_and_esc_backs_out():
    trace = real_trace("greylisting")
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        tls = _index(trace, lambda e: e.kind is Kind.TLS)
        app.player.jump(tls)
        await pilot.press("x", "right")  # a TLS record follows: no question, just the step
        assert isinstance(app.screen, PlayerScreen) and app.player.index == tls + 1
        app.player.jump(2)  # before the greeting
        await pilot.press("right")
        assert isinstance(app.screen, PredictScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PlayerScreen) and app.player.index == 2
        assert app.player.score.asked == 0
        await pilot.press("x", "right")  # predict off: stepping never asks
        assert isinstance(app.screen, PlayerScreen) and app.player.index == 3
        assert "predict" not in app.player.query_one(StatusBar).status_text


async def test_a_step_is_asked_once_and_playing_stops_for_a_question():
    trace = real_trace("greylisting")
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        app.player.jump(2)
        await pilot.press("x", "right")
        await pilot.press(str(app.screen.prediction.choices.index("220") + 1))
        await pilot.pause()
        await pilot.press("left", "right")  # back over an answered step: no second question
        assert isinstance(app.screen, PlayerScreen) and app.player.index == 3
        await pilot.press("plus", "plus", "plus", "plus", "space")  # x8 from the greeting: EHLO is next
        await pilot.pause(0.4)
        assert isinstance(app.screen, PredictScreen)
        assert not app.player.playing and app.player.index == 3


# -- the picker: the lesson path -------------------------------------------------------------------------
async def test_the_picker_groups_the_scenarios_by_level_in_lesson_order():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("s")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        listing = picker.query_one("#picker-list")
        headings = [listing.get_option_at_index(i).prompt.plain for i in range(listing.option_count)
                    if listing.get_option_at_index(i).disabled]
        assert [h[:2] for h in headings] == ["1.", "2.", "3."]
        scenarios = list_scenarios()
        by_level = [s.name for level in ("basics", "failures", "attacks") for s in scenarios if s.level == level]
        assert picker.shown == by_level
        assert listing.highlighted is not None and not listing.get_option_at_index(listing.highlighted).disabled
        await pilot.press(*"grey")
        assert picker.shown == ["greylisting"]
        headings = [listing.get_option_at_index(i).prompt.plain for i in range(listing.option_count)
                    if listing.get_option_at_index(i).disabled]
        assert len(headings) == 1 and headings[0].startswith("2.")


async def test_the_footer_shows_the_new_keys_at_80_columns_and_every_key_when_wide():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        def shown() -> set[str]:
            return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}

        assert {"faults", "compare", "toggle_predict", "help", "quit", "scenarios"} <= shown()
        assert "toggle_theme" not in shown()  # help and the palette still have it
        await pilot.press("t")
        assert app.theme == "textual-light"  # ... and the key still works
        await pilot.resize_terminal(*BIG)
        await pilot.pause()
        assert {"faults", "compare", "toggle_predict", "toggle_theme", "first", "faster"} <= shown()
