"""The bucketed queue orders events exactly as a (time, priority, sequence) heap."""

import heapq
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import Environment

# A plan: events scheduled up front, some of which schedule follow-ups when they run.
delays = st.sampled_from([0, 0, 0.5, 1, 1, 2, 2.5, 3])
plans = st.lists(
    st.tuples(delays, st.booleans(), st.lists(st.tuples(delays, st.booleans()), max_size=3)),
    min_size=1, max_size=30,
)


def reference(plan):
    """A plain heap of (time, priority, seq): the order SimPy's core defines."""
    heap, seq, order, now = [], count(), [], 0.0
    for i, (delay, urgent, children) in enumerate(plan):
        heapq.heappush(heap, (delay if not urgent else 0.0, 0 if urgent else 1, next(seq), (i,), children))
    while heap:
        now, _, _, label, children = heapq.heappop(heap)
        order.append((now, label))
        for j, (delay, urgent) in enumerate(children):
            when = now if urgent else now + delay
            heapq.heappush(heap, (when, 0 if urgent else 1, next(seq), label + (j,), []))
    return order


def ours(plan):
    env, order = Environment(), []

    def make(label, children):
        def run(_):
            order.append((env.now, label))
            for j, (delay, urgent) in enumerate(children):
                child = make(label + (j,), [])
                if urgent:
                    env.schedule_urgent(child)
                else:
                    env.schedule(delay, child)
        return run

    for i, (delay, urgent, children) in enumerate(plan):
        if urgent:
            env.schedule_urgent(make((i,), children))
        else:
            env.schedule(delay, make((i,), children))
    env.run()
    return order


@settings(max_examples=300, deadline=None)
@given(plans)
def test_same_order_as_a_time_priority_sequence_heap(plan):
    assert ours(plan) == reference(plan)
