"""Stepping does not leave a pile for the cycle collector (issue 17).

The player switches the automatic collector off while it steps. Textual's
strips keep themselves in their own caches, so every frame a step throws away
is cyclic garbage that only the collector frees; if nothing collects it, the
pile grows with every step and the collection that finally runs (when the
player has been still) takes as long as the pile is big: tens of milliseconds
after a hundred steps, seconds after thousands, inside whichever step it lands.
``gc.get_count()[0]`` is the number of objects made since the last collection
and still alive, i.e. the size of that pile.
"""

from __future__ import annotations

import gc

import pytest

from simulator.ui.app import SmtpsimApp
from tests.ui.conftest import make_app
from tests.ui.synthetic import big

pytestmark = [pytest.mark.ui, pytest.mark.timeout(120)]


async def _step(app: SmtpsimApp, pilot, steps: int) -> None:
    for _ in range(steps):
        app.player.action_next()
        await pilot.pause()


async def test_the_pile_for_the_collector_does_not_grow_with_the_steps():
    app = make_app(big(400), loader=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await _step(app, pilot, 20)
        assert not gc.isenabled()  # stepping: the automatic collector is off
        after_20 = gc.get_count()[0]
        await _step(app, pilot, 200)
        after_220 = gc.get_count()[0]
    # Ten times the steps: without a collection per step the pile is some ten times bigger.
    assert after_220 < 2 * after_20 + 1_000, (after_20, after_220)
