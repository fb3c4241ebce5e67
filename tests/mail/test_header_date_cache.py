"""``rfc5322_date`` keeps one string per simulated second: the same as formatting afresh, and bounded."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

from hypothesis import given
from hypothesis import strategies as st

from simulator.mail import headers
from simulator.mail.headers import EPOCH, rfc5322_date, sim_datetime

# Times on and next to whole seconds, where microsecond rounding could carry into the next second.
_T = st.one_of(st.floats(min_value=0, max_value=10 * 86400, allow_nan=False),
               st.integers(0, 10 * 86400).flatmap(lambda s: st.sampled_from(
                   [s, s + 0.4999995, s + 0.9999994, s + 0.9999996, s - 0.0000004 if s else 0.0])))


@given(t=_T)
def test_the_remembered_date_is_the_formatted_one(t: float) -> None:
    first = rfc5322_date(t)
    assert first == rfc5322_date(t) == format_datetime(sim_datetime(t))
    # Read back with the stdlib: the simulated instant, to the second (RFC 5322 §3.3 has no fractions).
    assert abs((parsedate_to_datetime(first) - sim_datetime(t)).total_seconds()) < 1


def test_the_first_second_of_the_simulation() -> None:
    assert EPOCH.second == 0 and rfc5322_date(0.9999996) == "Sat, 28 Nov 2026 09:00:01 +0000"
    assert rfc5322_date(0.9999994) == "Sat, 28 Nov 2026 09:00:00 +0000"


def test_the_remembered_dates_are_bounded() -> None:
    for s in range(headers._DATES_KEPT + 100):
        rfc5322_date(float(s))
    assert len(headers._DATES) <= headers._DATES_KEPT


@given(t=_T)
def test_the_remembered_imap_date_is_the_formatted_one(t: float) -> None:
    want = sim_datetime(t).strftime("%d-%b-%Y %H:%M:%S +0000")  # RFC 3501 §9 date-time
    assert headers.imap_date(t) == headers.imap_date(t) == want


def test_the_remembered_imap_dates_are_bounded() -> None:
    for s in range(headers._DATES_KEPT + 100):
        headers.imap_date(float(s))
    assert len(headers._IMAP_DATES) <= headers._DATES_KEPT
