"""The player's index, play/pause and speed, without Textual."""

import pytest

from simulator.ui.player import BASE_TICK, SPEEDS, Player, format_speed

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


def test_starts_at_the_first_step_paused_at_x1():
    p = Player(5)
    assert (p.index, p.playing, p.speed) == (0, False, 1.0)
    assert p.tick_seconds == pytest.approx(BASE_TICK)


def test_next_and_back_stop_at_the_ends():
    p = Player(3)
    assert p.back() is False and p.index == 0
    assert p.next() and p.next()
    assert p.index == 2 and p.at_end
    assert p.next() is False and p.index == 2
    assert p.back() and p.index == 1


def test_first_last_and_jump_clamp():
    p = Player(10)
    p.last()
    assert p.index == 9
    p.first()
    assert p.index == 0
    assert p.jump(42) == 9
    assert p.jump(-3) == 0
    assert p.jump(4) == 4


def test_speed_steps_and_bounds():
    p = Player(3)
    while p.faster():
        pass
    assert p.speed == SPEEDS[-1] == 8.0
    assert p.tick_seconds == pytest.approx(BASE_TICK / 8)
    while p.slower():
        pass
    assert p.speed == SPEEDS[0] == 0.25
    assert p.faster() and p.speed == 0.5
    assert [format_speed(s) for s in SPEEDS] == ["x0.25", "x0.5", "x1", "x2", "x4", "x8"]


def test_playing_to_the_end_pauses():
    p = Player(3)
    assert p.toggle() is True
    assert p.tick() and p.playing
    assert p.tick() and p.index == 2
    assert p.playing is False
    assert p.tick() is False and p.index == 2


def test_play_at_the_end_starts_over():
    p = Player(4)
    p.last()
    p.play()
    assert p.index == 0 and p.playing


def test_pause_and_ticks_while_paused():
    p = Player(4)
    p.play()
    p.pause()
    assert p.tick() is False and p.index == 0


def test_empty_and_one_step_traces():
    empty = Player(0)
    assert empty.next() is False and empty.back() is False and empty.index == 0
    empty.play()
    assert empty.playing is False
    one = Player(1)
    one.play()
    assert one.playing is False and one.at_end


def test_load_resets_position_but_keeps_speed():
    p = Player(10)
    p.faster()
    p.jump(7)
    p.play()
    p.load(20)
    assert (p.index, p.playing, p.length, p.speed) == (0, False, 20, 2.0)
