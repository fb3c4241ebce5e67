"""What the player looks like at the moments that teach the most, at 80x24 and 160x48.

Real scenarios, animations off. Regenerate with
``.venv/bin/pytest tests/ui --snapshot-update`` and look at every SVG before
accepting it (docs/ui.md says how).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulator.trace.events import Direction, Kind, TLSMode, Trace
from tests.ui.conftest import make_app, real_trace

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]
SMALL = (80, 24)
BIG = (160, 48)


def _starttls_ready(trace: Trace) -> int:
    """Just after STARTTLS's 220 on the 587 submission: still plain, about to be encrypted."""
    return next(i for i, e in enumerate(trace.events)
                if e.port == 587 and e.dir is Direction.SERVER and e.text.startswith("220 2.0.0"))


def _after_implicit_handshake(trace: Trace) -> int:
    """The greeting on 465: the first SMTP line, already inside TLS."""
    return next(i for i, e in enumerate(trace.events)
                if e.port == 465 and e.kind is Kind.SMTP and e.tls is TLSMode.IMPLICIT)


def _dsn_fetched(trace: Trace) -> int:
    """Alice's IMAP client fetching the Non-Delivery Report."""
    conns = {c.id for c in trace.connections if c.client == "alice" and c.protocol is Kind.IMAP}
    return next(i for i, e in enumerate(trace.events) if e.conn in conns and e.content)


def _at(step: Callable[[Trace], int], *keys: str):
    async def run_before(pilot) -> None:
        screen = pilot.app.player
        screen.jump(step(screen.trace))
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
    return run_before


@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x48"])
def test_first_screen(snap_compare, size):
    assert snap_compare(make_app(real_trace("submission-starttls")), terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x48"])
def test_starttls_220_about_to_encrypt(snap_compare, size):
    app = make_app(real_trace("submission-starttls"))
    assert snap_compare(app, terminal_size=size, run_before=_at(_starttls_ready))


def test_implicit_tls_on_465(snap_compare):
    app = make_app(real_trace("submission-implicit-tls"))
    assert snap_compare(app, terminal_size=SMALL, run_before=_at(_after_implicit_handshake))


@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x48"])
def test_ndr_reaches_alice(snap_compare, size):
    app = make_app(real_trace("user-unknown"))
    assert snap_compare(app, terminal_size=size, run_before=_at(_dsn_fetched, "c"))


def test_scenario_picker(snap_compare):
    assert snap_compare(make_app(real_trace("submission-starttls")), terminal_size=SMALL, press=["s"])


@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x48"])
def test_help(snap_compare, size):
    assert snap_compare(make_app(real_trace("submission-starttls")), terminal_size=size, press=["question_mark"])
