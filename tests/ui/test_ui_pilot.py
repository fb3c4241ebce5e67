"""Every key, the event list and the topology, driven through Textual's pilot at 80x24."""

from __future__ import annotations

import pytest

from simulator.scenario import ScenarioError, list_scenarios
from simulator.trace.events import Kind, Trace
from simulator.ui.screens.help import HelpScreen
from simulator.ui.screens.picker import PickerScreen
from simulator.ui.screens.player import PlayerScreen
from simulator.ui.tracemodel import format_clock
from simulator.ui.widgets.eventlist import EventList
from simulator.ui.widgets.explanation import Explanation
from simulator.ui.widgets.statusbar import StatusBar
from simulator.ui.widgets.topology import Topology
from simulator.ui.widgets.transcript import Transcript
from tests.ui.conftest import make_app, real_trace
from tests.ui.synthetic import big, journey

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SMALL = (80, 24)


def _short(n: int) -> Trace:
    full = journey()
    return Trace(full.scenario, full.title, full.summary, full.seed, full.actors, full.events[:n], full.connections)


def _state(app) -> tuple[int, bool, float]:
    screen = app.player
    return screen.index, screen.playing, screen.speed


async def test_right_and_n_step_on_and_the_transcript_shows_the_line():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert app.player.index == 0
        await pilot.press("right")
        assert app.player.index == 1
        await pilot.press("n")
        assert app.player.index == 2
        event = app.player.trace.events[2]
        transcript = app.screen.query_one(Transcript)
        assert event.text in transcript.current_text
        assert "C:" in transcript.current_text  # the ACK comes from the client
        assert "step 3/" in app.screen.query_one(StatusBar).status_text


async def test_left_and_p_step_back_and_stop_at_the_start():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("right", "right", "right")
        await pilot.press("left")
        assert app.player.index == 2
        await pilot.press("p", "p", "p")
        assert app.player.index == 0


async def test_home_and_end():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("end")
        last = len(app.player.trace.events) - 1
        assert app.player.index == last
        transcript = app.screen.query_one(Transcript)
        assert app.player.trace.events[last].text in transcript.current_text
        await pilot.press("home")
        assert app.player.index == 0


async def test_plus_and_minus_change_the_speed_within_bounds():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("plus")
        assert app.player.speed == 2.0
        await pilot.press("plus", "plus", "plus", "plus")
        assert app.player.speed == 8.0
        status = app.screen.query_one(StatusBar).status_text
        assert "x8" in status
        for _ in range(8):
            await pilot.press("minus")
        assert app.player.speed == 0.25


async def test_space_plays_to_the_end_and_pauses():
    app = make_app(_short(5))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("plus", "plus", "plus", "plus")  # x8: a tick every 0.075 s
        await pilot.press("space")
        assert app.player.playing
        assert "playing" in app.screen.query_one(StatusBar).status_text
        await pilot.pause(1.0)
        assert _state(app) == (4, False, 8.0)
        assert "paused" in app.screen.query_one(StatusBar).status_text


async def test_space_pauses_while_playing():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        assert app.player.playing
        await pilot.press("space")
        assert not app.player.playing
        at = app.player.index
        await pilot.pause(0.8)
        assert app.player.index == at


async def test_s_opens_the_picker_filters_and_opens_another_scenario():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("right", "right")
        await pilot.press("s")
        assert isinstance(app.screen, PickerScreen)
        picker = app.screen
        assert len(picker.shown) >= 3
        await pilot.press(*"implicit 465")
        assert picker.shown == ["submission-implicit-tls"]  # under its level's heading
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        assert app.player.trace.scenario == "submission-implicit-tls"
        assert app.player.index == 0
        assert "implicit TLS (port 465)" in app.screen.query_one(StatusBar).title
        assert "465" in app.screen.query_one(EventList).row_text(0)


async def test_picker_escape_keeps_the_scenario():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PlayerScreen)
        assert app.player.trace.scenario == "submission-starttls"


async def test_picker_shows_a_load_error_instead_of_a_traceback():
    def broken(name: str) -> Trace:
        raise ScenarioError(name, "hosts.msa", "expected a role, found nothing")

    app = make_app(journey(), loader=broken)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("s")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert "expected a role" in app.screen.load_error
        await pilot.press("escape")
        assert app.player.trace.scenario == "submission-starttls"


async def test_question_mark_opens_help_and_escape_closes_it():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert len(app.screen_stack) == 3  # default, player, help
        await pilot.press("escape")
        assert isinstance(app.screen, PlayerScreen)


async def test_t_toggles_the_theme():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"
        await pilot.press("t")
        assert app.theme == "textual-dark"


async def test_c_unfolds_and_folds_message_content():
    trace = journey()
    content = next(i for i, e in enumerate(trace.events) if e.content)
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        app.player.jump(content)
        await pilot.pause()
        transcript = app.screen.query_one(Transcript)
        assert "message content" in transcript.current_text
        assert "Subject: Lunch on Friday?" not in transcript.visible_text()
        await pilot.press("c")
        assert transcript.unfolded
        assert "Subject: Lunch on Friday?" in transcript.visible_text()
        await pilot.press("c")
        assert not transcript.unfolded
        assert "Subject: Lunch on Friday?" not in transcript.visible_text()


async def test_q_quits():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 0


async def test_event_list_enter_jumps_to_the_cursor_row():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        events = app.screen.query_one(EventList)
        assert events.has_focus
        await pilot.press("down", "down", "down")
        assert app.player.index == 0  # moving the cursor alone does not jump
        await pilot.press("enter")
        assert app.player.index == 3


async def test_clicking_an_event_row_jumps_there():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("end")
        events = app.screen.query_one(EventList)
        top = events.scroll_offset.y
        await pilot.click(EventList, offset=(10, 2))  # border row, then the second row
        assert app.player.index == top + 1
        assert events.cursor == top + 1


async def test_clicking_an_actor_on_the_strip_goes_to_its_next_step():
    trace = journey()
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        topology = app.screen.query_one(Topology)
        first, _, _ = next(hit for hit in topology._hits if hit[2] == "mx-net")
        await pilot.click(Topology, offset=(first + 1 + 1, 0))  # +1 for the padding
        expected = next(i for i, e in enumerate(trace.events) if "mx-net" in (e.src, e.dst))
        assert app.player.index == expected


async def test_clicking_an_actor_box_on_a_big_screen():
    trace = journey()
    app = make_app(trace)
    async with app.run_test(size=(160, 48)) as pilot:
        topology = app.screen.query_one(Topology)
        assert topology.size.height == 7  # boxes, not the strip
        first, last, _ = next(hit for hit in topology._hits if hit[2] == "bob")
        await pilot.click(Topology, offset=((first + last) // 2 + 1, 2))
        expected = next(i for i, e in enumerate(trace.events) if "bob" in (e.src, e.dst))
        assert app.player.index == expected


async def test_compact_class_follows_the_size():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        assert app.screen.has_class("-compact")
        assert app.screen.query_one(Topology).size.height == 2
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not app.screen.has_class("-compact")


async def test_every_action_is_in_the_command_palette():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title, _help, _action in PlayerScreen.COMMANDS_TABLE:
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Last step")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.player.index == len(app.player.trace.events) - 1


async def test_the_envelope_lands_when_animations_are_off():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("right")
        assert app.screen.query_one(Topology).envelope == 1.0


async def test_a_ten_thousand_step_trace_steps_and_jumps():
    trace = big(10_000)
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("end")
        assert app.player.index == 9_999
        transcript = app.screen.query_one(Transcript)
        assert trace.events[9_999].text.split()[0] in transcript.current_text
        await pilot.press("left", "left")
        assert app.player.index == 9_997
        assert app.screen.query_one(EventList).cursor == 9_997


async def test_opening_a_real_scenario_never_reruns_the_engine_when_stepping(monkeypatch):
    runs = []

    def counting(name: str) -> Trace:
        runs.append(name)
        return real_trace(name)

    app = make_app(real_trace("user-unknown"), loader=counting)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("end", "home", "right", "left")
        assert runs == []
        bounce = next(i for i, e in enumerate(app.player.trace.events) if e.kind is Kind.BOUNCE)
        app.player.jump(bounce)
        await pilot.pause()
        assert "DSN" in app.screen.query_one(Transcript).current_text


@pytest.mark.parametrize("name", [s.name for s in list_scenarios()])
async def test_every_shipped_scenario_plays_to_its_end(name):
    trace = real_trace(name)
    app = make_app(trace)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("end")
        last = len(trace.events) - 1
        assert app.player.index == last
        status = app.screen.query_one(StatusBar).status_text
        assert f"step {last + 1}/{last + 1}" in status
        assert format_clock(trace.events[last].t) in status
        assert app.screen.query_one(Explanation).text.strip()
        await pilot.press("home", "c", "right")
        assert app.player.index == 1


async def test_the_event_list_puts_the_port_on_the_servers_end_of_a_reply():
    app = make_app(real_trace("submission-starttls"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        events = app.screen.query_one(EventList)
        trace = app.player.trace
        greeting = next(i for i, e in enumerate(trace.events) if e.text.startswith("220 "))
        ehlo = next(i for i, e in enumerate(trace.events) if e.text.startswith("EHLO"))
        assert trace.events[greeting].src == "msa" and "msa:587 → alice" in events.row_text(greeting)
        assert "alice → msa:587" in events.row_text(ehlo)
        assert "alice:587" not in events.row_text(greeting)


async def test_the_transcript_shows_the_bounce_below_the_dns_query_and_the_550_that_caused_it():
    app = make_app(real_trace("user-unknown"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        rows = app.screen.query_one(Transcript).visible_text().splitlines()

        def row(predicate) -> int:
            return next(i for i, text in enumerate(rows) if predicate(text))

        query = row(lambda t: "C: ;example.net." in t)
        rejected = row(lambda t: "S: 550 5.1.1" in t)
        bounce = row(lambda t: "(bounce) DSN for" in t)
        assert query < rejected < bounce
        # ... and its header is its own, below the 550's connection
        header = max(i for i in range(bounce) if rows[i].startswith("──"))
        assert header > rejected and "msa (" in rows[header]
