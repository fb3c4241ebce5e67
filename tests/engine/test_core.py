"""The engine: ordering, determinism, signals, horizons."""

import pytest

from simulator.engine import EmptySchedule, Environment


def test_processes_sleep_in_simulated_time_only():
    env = Environment()
    seen = []

    def proc(name, delay):
        yield delay
        seen.append((env.now, name))
        yield delay
        seen.append((env.now, name))

    env.process(proc("a", 3))
    env.process(proc("b", 2.5))
    env.run()
    assert seen == [(2.5, "b"), (3.0, "a"), (5.0, "b"), (6.0, "a")]


def test_equal_times_run_in_scheduling_order():
    env = Environment()
    order = []
    for i in range(50):
        env.schedule(1.0, order.append, i)
    env.run()
    assert order == list(range(50))


def test_urgent_events_run_before_normal_ones_at_the_same_time():
    env = Environment()
    order = []
    env.schedule(0.0, order.append, "normal")
    env.schedule_urgent(order.append, "urgent")
    env.run()
    assert order == ["urgent", "normal"]


def test_signal_wakes_waiters_with_its_value():
    env = Environment()
    sig = env.signal()
    got = []

    def waiter():
        value = yield sig
        got.append((env.now, value))

    def firer():
        yield 4
        sig.fire("ready")

    env.process(waiter())
    env.process(firer())
    env.run()
    assert got == [(4.0, "ready")]


def test_waiting_on_a_process_returns_its_result():
    env = Environment()

    def child():
        yield 2
        return 42

    def parent():
        result = yield env.process(child())
        return (env.now, result)

    p = env.process(parent())
    env.run()
    assert p.result == (2.0, 42)


def test_run_until_stops_at_the_horizon_and_includes_events_at_it():
    env = Environment()
    ticks = []

    def clock():
        while True:
            ticks.append(env.now)
            yield 1

    env.process(clock())
    env.run(until=3)
    assert ticks == [0.0, 1.0, 2.0, 3.0]
    assert env.now == 3.0
    env.run(until=5)
    assert ticks[-1] == 5.0


def test_step_and_peek():
    env = Environment()
    assert env.peek() == float("inf")
    env.schedule(2.0, lambda _: None)
    assert env.peek() == 2.0
    env.step()
    assert env.now == 2.0
    with pytest.raises(EmptySchedule):
        env.step()


@pytest.mark.parametrize("bad", [-1, -0.5])
def test_negative_delays_are_refused(bad):
    env = Environment()
    with pytest.raises(ValueError):
        env.schedule(bad, lambda _: None)

    def proc():
        yield bad

    env.process(proc())
    with pytest.raises(ValueError):
        env.run()


def test_yielding_nonsense_is_a_type_error():
    env = Environment()

    def proc():
        yield "soon"

    env.process(proc())
    with pytest.raises(TypeError):
        env.run()


def test_run_until_in_the_past_is_refused():
    env = Environment()
    env.schedule(5, lambda _: None)
    env.run()
    with pytest.raises(ValueError):
        env.run(until=1)


def test_peek_after_step_takes_the_last_event_of_an_instant():
    # The bug: step() left the drained instant at the top of the heap and peek() returned it.
    env = Environment()
    env.schedule(1.0, lambda _: None)
    env.schedule(2.0, lambda _: None)
    env.schedule(3.0, lambda _: None)
    assert env.peek() == 1.0
    env.step()
    assert env.now == 1.0 and env.peek() == 2.0
    env.step()
    assert env.peek() == 3.0
    env.step()
    assert env.peek() == float("inf")
    with pytest.raises(EmptySchedule):
        env.step()


def test_peek_after_step_with_two_events_at_one_instant():
    env = Environment()
    env.schedule(1.0, lambda _: None)
    env.schedule(1.0, lambda _: None)
    env.schedule(5.0, lambda _: None)
    env.step()
    assert env.peek() == 1.0  # one more at 1.0
    env.step()
    assert env.peek() == 5.0


def test_peek_inside_run_sees_the_next_instant_and_changes_nothing():
    env = Environment()
    seen = []
    env.schedule(1.0, lambda _: seen.append(env.peek()))
    env.schedule(4.0, lambda _: seen.append(env.peek()))
    env.schedule(9.0, lambda _: None)
    env.run()
    assert seen == [4.0, 9.0] and env.now == 9.0


def test_a_process_is_the_signal_of_its_own_end():
    from simulator.engine import Signal

    env = Environment()

    def child():
        yield 1.5
        return "done"

    def parent(proc):
        got = yield proc.done  # the same as yielding proc itself
        seen.append((env.now, got))

    seen = []
    proc = env.process(child())
    env.process(parent(proc))
    assert isinstance(proc.done, Signal)
    with pytest.raises(RuntimeError):
        proc.fire("early")  # nobody but the process itself ends it
    env.run()
    assert seen == [(1.5, "done")] and proc.result == "done" and proc.done.fired
