"""The teaching tools as they look: the fault panel, the banner, compare, a prediction, the debrief.

Real scenarios, animations off. Regenerate with
``.venv/bin/pytest tests/ui --snapshot-update`` and look at every SVG (docs/ui.md says how).
"""

from __future__ import annotations

import pytest

from simulator.ui.widgets.faultswitch import FaultSwitch
from tests.ui.conftest import make_app, real_trace

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SMALL = (80, 24)
BIG = (160, 48)


def _greylisted(pilot) -> int:
    return next(i for i, e in enumerate(pilot.app.player.trace.events) if e.text.startswith("451 4.7.1"))


async def _user_unknown_on(pilot) -> None:
    """At the relay's RCPT of greylisting, the fault panel open, user-unknown switched on."""
    pilot.app.player.jump(_greylisted(pilot) - 1)
    await pilot.press("f")
    pilot.app.screen.query_one("#fault-user-unknown", FaultSwitch).focus()
    await pilot.press("space")
    await pilot.pause()


def test_fault_panel_with_one_fault_on(snap_compare):
    assert snap_compare(make_app(real_trace("greylisting")), terminal_size=SMALL, run_before=_user_unknown_on)


def test_banner_with_an_active_fault(snap_compare):
    async def run_before(pilot) -> None:
        await _user_unknown_on(pilot)
        await pilot.press("escape", "right")  # the panel closed, one step on: the 550 5.1.1
        await pilot.pause()

    assert snap_compare(make_app(real_trace("greylisting")), terminal_size=SMALL, run_before=run_before)


def test_compare_with_and_without_a_fault(snap_compare):
    async def run_before(pilot) -> None:
        await pilot.press("v")
        pilot.app.screen.query_one("#compare-faults FaultSwitch", FaultSwitch).focus()
        await pilot.press("down", "space")  # B: user-unknown (the file's own greylisting is not offered)
        pilot.app.screen.query_one("#compare-table").focus()
        await pilot.press("down", "down")  # the row where the runs part
        await pilot.pause()

    assert snap_compare(make_app(real_trace("greylisting")), terminal_size=BIG, run_before=run_before)


def test_predict_the_reply_code(snap_compare):
    async def run_before(pilot) -> None:
        pilot.app.player.jump(_greylisted(pilot) - 1)
        await pilot.press("x", "right")
        await pilot.pause()

    assert snap_compare(make_app(real_trace("greylisting")), terminal_size=SMALL, run_before=run_before)


def test_debrief_at_the_end(snap_compare):
    assert snap_compare(make_app(real_trace("greylisting")), terminal_size=SMALL, press=["end"])
