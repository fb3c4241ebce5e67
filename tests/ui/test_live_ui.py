"""smtpsim live --ui: the player follows a trace that grows on another thread."""

import threading

import pytest

from simulator.live.trace import LiveTrace
from simulator.trace.events import Direction, Kind
from simulator.ui.app import LiveApp, run_live_app
from tests.ui.conftest import real_trace

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


def live_trace() -> LiveTrace:
    base = real_trace("submission-starttls")
    empty = type(base)(base.scenario, base.title, base.summary, base.seed, base.actors, ())
    return LiveTrace(empty)


def say(live: LiveTrace, text: str) -> None:
    """Append one line from another thread, as the live servers do."""
    conn = live.new_connection("alice", "msa", 587, Kind.SMTP) if not live.connections else 1
    worker = threading.Thread(target=live.emit, args=(Kind.SMTP, "msa", "alice", text, "explained"),
                              kwargs={"port": 587, "dir": Direction.SERVER, "conn": conn})
    worker.start()
    worker.join()


async def test_new_live_events_appear_and_the_player_follows_them():
    live = live_trace()
    app = LiveApp(live)
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        assert len(app.player.trace.events) == 0
        say(live, "220 smtp.example.org ESMTP smtpsim")
        say(live, "250-smtp.example.org")
        app.fold_in_new_events()
        await pilot.pause()
        assert [e.text for e in app.player.trace.events][-1] == "250-smtp.example.org"
        assert app.player.player.index == 1  # following the newest step
        say(live, "250 8BITMIME")
        app.fold_in_new_events()
        await pilot.pause()
        assert app.player.player.index == 2


async def test_a_student_who_stepped_back_is_not_pulled_forward():
    live = live_trace()
    app = LiveApp(live)
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        for text in ("220 smtp.example.org ESMTP smtpsim", "250-smtp.example.org", "250 8BITMIME"):
            say(live, text)
        app.fold_in_new_events()
        await pilot.pause()
        await pilot.press("home")
        say(live, "221 2.0.0 bye")
        app.fold_in_new_events()
        await pilot.pause()
        assert len(app.player.trace.events) == 4
        assert app.player.player.index == 0


async def test_the_app_stops_listening_when_it_closes():
    live = live_trace()
    app = LiveApp(live)
    async with app.run_test(size=(100, 30)):
        assert len(live._subscribers) == 1
    assert live._subscribers == []


def test_the_cli_finds_the_hook():
    from simulator.cli.live import _ui_hook

    assert _ui_hook() is run_live_app


async def test_no_lesson_card_for_live_sessions():
    live = live_trace()
    app = LiveApp(live)
    async with app.run_test(size=(100, 30)) as pilot:
        say(live, "220 smtp.example.org ESMTP smtpsim")
        app.fold_in_new_events()
        await pilot.pause()
        assert app.player.trace.goals == () and app.player.trace.debrief == ""


INFO = "accounts:\n  alice@example.org      password correct horse battery staple\n\nCA certificate: /x/ca.pem"


async def test_the_player_opens_on_how_to_connect_and_it_stays_while_sessions_run():
    from simulator.ui.widgets.lesson import LessonCard

    live = live_trace()
    app = LiveApp(live, INFO)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        card = app.player.query_one(LessonCard)
        assert card.display and card.kind == "note"
        assert "correct horse battery staple" in card.text and "/x/ca.pem" in card.text
        say(live, "220 smtp.example.org ESMTP smtpsim")
        say(live, "250 8BITMIME")
        app.fold_in_new_events()
        await pilot.pause()
        assert card.display and "correct horse" in card.text  # still there: the password is typed now
        await pilot.press("i")
        assert not card.display
        await pilot.press("i")
        assert card.display and card.kind == "note"
        await pilot.press("escape")
        assert not card.display
        say(live, "221 bye")
        app.fold_in_new_events()
        await pilot.pause()
        assert not card.display  # put away stays away


async def test_the_live_footer_offers_connect_and_leaves_out_keys_with_nothing_to_do():
    app = LiveApp(live_trace(), INFO)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
        assert "connect_info" in shown
        assert not {"scenarios", "faults", "compare"} & shown
