"""What the classroom tools look like: presenter layout at 80x24, the chapter list, an NDR on the
hop strip, and the notice on a terminal too small. Animations off; look at each SVG before accepting
(docs/ui.md says how)."""

from __future__ import annotations

import pytest

from simulator.trace.events import Direction, Kind, Trace
from tests.ui.conftest import make_app, real_trace

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


def _the_550(trace: Trace) -> int:
    return next(i for i, e in enumerate(trace.events)
                if e.kind is Kind.SMTP and e.dir is Direction.SERVER and e.text.startswith("550 5.1.1"))


def _ndr_relay(trace: Trace) -> int:
    """The MSA relaying the bounce with MAIL FROM:<> to example.org's MX."""
    return next(i for i, e in enumerate(trace.events) if e.text.startswith("MAIL FROM:<>"))


def _at(step, *keys: str, presenter: bool = False):
    async def run_before(pilot) -> None:
        screen = pilot.app.player
        if presenter:
            screen.set_presenter(True)
        screen.jump(step(screen.trace))
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()
    return run_before


def test_presenter_on_the_550_at_80x24(snap_compare):
    app = make_app(real_trace("user-unknown"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(_the_550, presenter=True))


def test_presenter_with_instructor_notes_at_80x24(snap_compare):
    app = make_app(real_trace("user-unknown"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(_the_550, "i", presenter=True))


def test_chapter_list(snap_compare):
    app = make_app(real_trace("user-unknown"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=_at(_the_550, "l"))


def test_ndr_on_the_hop_strip(snap_compare):
    app = make_app(real_trace("user-unknown"))
    assert snap_compare(app, terminal_size=(160, 48), run_before=_at(_ndr_relay))


def test_too_small_says_what_it_needs(snap_compare):
    assert snap_compare(make_app(real_trace("user-unknown")), terminal_size=(40, 12))
