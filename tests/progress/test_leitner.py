"""Leitner boxes replayed from the answers: wrong to box 1 (due at once), right one box up."""

from __future__ import annotations

from datetime import date, timedelta

from simulator.progress.leitner import INTERVAL_DAYS, due_cards, next_box, replay
from simulator.progress.model import Source
from tests.progress.kit import T0, answer, question

DAY = timedelta(days=1)


def test_the_box_rules():
    assert next_box(None, False) == 1 and next_box(None, True) == 2  # a first right answer may be a guess
    assert [next_box(b, True) for b in (1, 2, 3, 4, 5)] == [2, 3, 4, 5, 5]
    assert all(next_box(b, False) == 1 for b in (1, 2, 3, 4, 5))
    # The intervals grow, and box 1 is due the same day (the next --review).
    assert INTERVAL_DAYS[1] == 0 and list(INTERVAL_DAYS.values()) == sorted(INTERVAL_DAYS.values())


def test_a_history_replays_to_the_box_and_due_day_worked_out_by_hand():
    q = question(1)
    # Tue wrong (box 1, due Tue), Tue right (box 2, due Wed), Wed right (box 3, due Sat), Sat right (box 4).
    history = [answer(q, False, T0), answer(q, True, T0 + timedelta(minutes=5)),
               answer(q, True, T0 + DAY), answer(q, True, T0 + 4 * DAY)]
    card = replay(history)[q.id]
    assert card.box == 4 and card.due == date(2025, 3, 8) + timedelta(days=7)
    assert (card.answered, card.right, card.last_correct) == (4, 3, True)
    after_first = replay(history[:1])[q.id]
    assert after_first.box == 1 and after_first.due == date(2025, 3, 4)
    assert replay(history[:3])[q.id].due == date(2025, 3, 8)


def test_due_means_on_or_before_today_by_the_calendar_not_the_hour():
    q = question(1)
    card = replay([answer(q, True, T0.replace(hour=23, minute=59))])[q.id]  # box 2: due tomorrow
    assert not card.is_due(date(2025, 3, 4))
    assert card.is_due(date(2025, 3, 5)) and card.is_due(date(2025, 3, 20))


def test_due_cards_come_lowest_box_first_and_predictions_are_not_cards():
    missed, learning, fine = question(1), question(2), question(3)
    history = [answer(learning, True, T0 - 3 * DAY), answer(missed, False, T0), answer(fine, True, T0),
               answer(question(9), False, T0, Source.PREDICT)]
    cards = replay(history)
    assert question(9).id not in cards
    assert [c.question_id for c in due_cards(cards, T0.date())] == [missed.id, learning.id]
    assert fine.id not in [c.question_id for c in due_cards(cards, T0.date())]
