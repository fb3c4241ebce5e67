"""The classroom in the player: chapters, failures, key moments, presenter layout, notes, the hop strip's truth.

Real lessons; every expectation is read from the trace (or the RFC), not from the widgets.
"""

from __future__ import annotations

import pytest

from simulator.scenario.library import open_scenario
from simulator.trace.chapters import Outline
from simulator.trace.events import Direction, Kind
from simulator.ui.app import build_app
from simulator.ui.screens.chapters import ChapterScreen
from simulator.ui.widgets.explanation import Explanation
from simulator.ui.widgets.topology import Topology
from tests.ui.conftest import make_app, real_trace

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


def _the_550(trace) -> int:
    return next(i for i, e in enumerate(trace.events)
                if e.kind is Kind.SMTP and e.dir is Direction.SERVER and e.text.startswith("550 5.1.1"))


def _app(name: str, **kwargs):
    app = build_app(open_scenario(name), None, **kwargs)
    app.animation_level = "none"
    return app


def _topology_rows(app) -> list[str]:
    topology = app.screen.query_one(Topology)
    return [topology.render_line(y).text for y in range(topology.size.height)]


async def test_play_at_failure_opens_on_the_550_with_its_explanation():
    app = _app("user-unknown", at="failure")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.player
        assert screen.player.index == _the_550(screen.trace)
        text = screen.query_one(Explanation).text
        assert "550 5.1.1" in text and "permanently" in text and "RFC 5321" in text
        assert "§3/" in screen.status.chapter and "mx-net:25" in screen.status.chapter


async def test_bang_from_step_1_lands_on_the_550_and_at_goes_back():
    trace = real_trace("user-unknown")
    async with make_app(trace).run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert app_index(pilot) == _the_550(trace)
        await pilot.press("exclamation_mark")  # the next failure: the NDR the MSA writes
        await pilot.pause()
        assert trace.events[app_index(pilot)].kind is Kind.BOUNCE
        await pilot.press("at")
        await pilot.pause()
        assert app_index(pilot) == _the_550(trace)


def app_index(pilot) -> int:
    return pilot.app.player.player.index


async def test_right_bracket_skips_a_whole_chapter_and_left_comes_back():
    trace = real_trace("user-unknown")
    outline = Outline(trace)
    async with make_app(trace).run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        landed = app_index(pilot)
        # The whole submission session went by (40 steps), not one step: the next chapter is the MX lookup.
        assert landed == outline.chapters[1].start > 1
        assert all(e.conn in (None, trace.events[0].conn) for e in trace.events[:landed])
        assert trace.events[landed].kind is Kind.DNS and trace.events[landed].dir is Direction.CLIENT
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert trace.events[app_index(pilot)].text.startswith("SYN → port 25")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app_index(pilot) == landed


async def test_skip_prelude_and_key_moment_keys():
    trace = real_trace("user-unknown")
    async with make_app(trace).run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert trace.events[app_index(pilot)].text.startswith(";example.net.")  # past the submission: the MX lookup
        await pilot.press("k")
        await pilot.pause()
        assert app_index(pilot) == _the_550(trace)  # the scenario file's first key moment


async def test_chapter_list_picks_a_chapter():
    trace = real_trace("user-unknown")
    outline = Outline(trace)
    async with make_app(trace).run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChapterScreen)
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ChapterScreen)
        assert app_index(pilot) == outline.chapters[3].start


async def test_presenter_at_80x24_shows_the_550_explanation_whole():
    app = _app("user-unknown", at="failure", presenter=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.player
        event = screen.trace.events[screen.player.index]
        explanation = screen.query_one(Explanation)
        assert not screen.query_one("#events").display or screen.query_one("#events").region.height == 0
        text = explanation.text
        # The plain explanation and the RFC 5321 reference, each on screen without scrolling.
        assert " ".join(text.split()).count(" ".join(event.explain.split())) == 1
        assert event.rfc is not None and event.rfc.startswith("RFC 5321") and event.rfc in text
        assert "5.1.1  permanent failure, bad destination mailbox address" in text  # RFC 3463 §3.2 X.1.1
        assert len(explanation._lines) <= explanation.scrollable_content_region.height
        assert explanation.region.bottom <= 24 and explanation.region.height > 0


async def test_presenter_key_toggles_and_notes_show_the_questions():
    trace = real_trace("user-unknown")
    async with make_app(trace).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        screen = pilot.app.player
        assert screen.presenting and screen.query_one("#events").region.height == 0
        await pilot.press("k", "i")
        await pilot.pause()
        notes = screen.notes
        assert notes.display and notes.region.height > 0
        rendered = notes.text
        assert "550 5.1.1" in rendered and trace.moments[0].notes[0] in rendered
        await pilot.press("P")
        await pilot.pause()
        assert not screen.presenting and screen.query_one("#events").region.height > 0


async def test_a_terminal_too_small_says_what_it_needs():
    async with make_app(real_trace("user-unknown")).run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        screen = pilot.app.player
        notice = screen.query_one("#too-small")
        assert screen.has_class("-too-small") and notice.region.height > 0
        assert "40x12" in str(notice.render()) and "60x16" in str(notice.render())
        assert screen.query_one("#middle").region.height == 0
    async with make_app(real_trace("user-unknown")).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not pilot.app.player.has_class("-too-small")


async def test_hop_strip_marks_the_ndr_in_words():
    trace = real_trace("user-unknown")
    relay = next(i for i, e in enumerate(trace.events) if e.text == "MAIL FROM:<> SIZE=" + e.text.split("=")[-1]
                 and e.text.startswith("MAIL FROM:<>"))
    async with make_app(trace).run_test(size=(160, 48)) as pilot:
        pilot.app.player.jump(relay)
        await pilot.pause()
        rows = "\n".join(_topology_rows(pilot.app))
        assert "↩ NDR" in rows and "↩" in rows.split("\n")[5]
        first = next(i for i, e in enumerate(trace.events) if e.text.startswith("MAIL FROM:<alice"))
        pilot.app.player.jump(first)
        await pilot.pause()
        assert "NDR" not in "\n".join(_topology_rows(pilot.app))  # Alice's own mail is no bounce


async def test_hop_strip_marks_the_host_that_does_not_answer():
    trace = real_trace("mx-failover")
    timeout = next(i for i, e in enumerate(trace.events) if "timed out" in e.text)
    async with make_app(trace).run_test(size=(160, 48)) as pilot:
        pilot.app.player.jump(timeout)
        await pilot.pause()
        rows = _topology_rows(pilot.app)
        column = rows[0].index("mx-net ")  # the box of mx1 (not mx-net2)
        assert "✗ down" in rows[3][column - 2:column + 16]
        pilot.app.player.jump(0)
        await pilot.pause()
        assert "✗" not in "\n".join(_topology_rows(pilot.app))  # nobody has tried it yet


async def test_the_attacker_sits_on_the_link_it_intercepts():
    trace = real_trace("starttls-stripped")
    strip = [i for i, e in enumerate(trace.events) if e.src == "mallory"][-1]  # on the msa → mx-net relay
    async with make_app(trace).run_test(size=(160, 48)) as pilot:
        pilot.app.player.jump(strip)
        await pilot.pause()
        rows = _topology_rows(pilot.app)
        assert "mallory" not in rows[0]  # no box of its own, off the path
        msa, mx = rows[0].index("╭ msa "), rows[0].index("╭ mx-net ")
        skull = rows[5].index("☠")
        assert msa < skull < mx + 16
        assert "mallory on this link" in rows[6]
