"""The plain-Python parts of the quiz UI: the score, the countdown, and the trace lines behind an answer."""

from __future__ import annotations

import pytest

from simulator.trace.events import Direction, Kind
from simulator.ui.quiz.excerpt import excerpt
from simulator.ui.quiz.session import Countdown, QuizSession, format_mmss, percent
from tests.ui.quiz.quizkit import FakeClock, hand_quiz, real_quiz

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


def test_each_question_is_answered_once_and_unanswered_counts_wrong():
    session = QuizSession(hand_quiz(3))
    q0 = session.question(0)
    assert session.answer(0, q0.answer) is True
    with pytest.raises(RuntimeError):
        session.answer(0, q0.choices[1])
    with pytest.raises(ValueError):
        session.answer(1, "not a choice")
    assert session.answer(1, session.question(1).choices[3]) is False
    session.finish(timed_out=True)
    assert (session.right, session.answered, session.wrong(), session.percent) == (1, 2, [1, 2], 33)
    assert session.timed_out
    with pytest.raises(RuntimeError):
        session.answer(2, session.question(2).answer)
    assert [(t.label, t.total, t.right) for t in session.by_difficulty()] == [
        ("easy", 1, 1), ("medium", 1, 0), ("hard", 1, 0)]
    assert [(t.label, t.total, t.right) for t in session.by_kind()] == [("authored", 3, 1)]


def test_an_empty_quiz_is_refused():
    with pytest.raises(ValueError):
        QuizSession([])


def test_percent_rounds_half_up():
    assert [percent(1, 3), percent(2, 3), percent(1, 8), percent(0, 0)] == [33, 67, 13, 0]


def test_countdown_reads_the_clock_not_ticks():
    clock = FakeClock(50.0)
    countdown = Countdown(90, clock)
    clock.advance(30)  # before start: nothing counts
    assert countdown.remaining() == 90
    countdown.start()
    clock.advance(89.4)
    assert countdown.remaining() == pytest.approx(0.6) and not countdown.expired
    assert format_mmss(countdown.remaining()) == "00:01"
    clock.advance(5)
    assert countdown.remaining() == 0 and countdown.expired


def test_format_mmss():
    assert [format_mmss(s) for s in (600, 599.2, 61, 0.01, 0, -3, 6000)] == [
        "10:00", "10:00", "01:01", "00:01", "00:00", "00:00", "100:00"]


def test_the_excerpt_keeps_to_the_steps_own_conversation():
    for question, trace in real_quiz():
        if question.step is None:
            continue
        ex = excerpt(trace, question.step)
        target = trace.events[question.step]
        [current] = [line for line in ex.lines if line.current]
        assert current.step == question.step and ex.step == question.step
        steps = [line.step for line in ex.lines]
        assert steps == sorted(steps) and len(steps) <= 1 + 2 + 5
        for line in ex.lines:
            event = trace.events[line.step]
            if target.conn is not None:
                assert event.conn == target.conn
            if event.dir is Direction.CLIENT:
                assert line.side == "C:"
            assert line.encrypted == (event.tls.value != "none")
            assert "\n" not in line.text
        if target.conn is not None:
            conn = trace.connection(target.conn)
            assert ex.header.startswith(f"{conn.client} → {conn.server}:{conn.port}  {conn.protocol.value.upper()}")


def test_the_excerpt_folds_message_content_to_one_line():
    trace = next(t for _, t in real_quiz() if any(e.content for e in t.events))
    content = next(e for e in trace.events if e.content)
    ex = excerpt(trace, content.step, before=0, after=0)
    assert ex.lines[0].text.endswith(f"(message content, {len(content.text.splitlines())} lines)")
    assert trace.events[content.step].kind is Kind.SMTP
