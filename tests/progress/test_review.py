"""``--review``: due questions first, then new ones from the weakest topics, never two that answer each other."""

from __future__ import annotations

from datetime import timedelta

from simulator.progress.review import plan_review
from simulator.quiz.itemcheck import answer_each_other
from simulator.scenario import list_scenarios
from simulator.scenario.topics import Topic
from tests.progress.kit import T0, answer, question


def test_missed_questions_come_first_then_new_ones_from_the_weakest_topic():
    ports = [question(n, (Topic.PORTS,)) for n in range(6)]
    dns = [question(10 + n, (Topic.DNS_RECORDS,)) for n in range(6)]
    bank = ports + dns
    # Ports went well (4 of 5), DNS badly (1 of 3): the misses are due now.
    history = [answer(ports[0], True), answer(ports[1], True), answer(ports[2], True), answer(ports[3], True),
               answer(ports[4], False), answer(dns[0], False), answer(dns[1], False), answer(dns[2], True)]
    plan = plan_review(bank, history, 6, T0.date())
    due = {bank[i].id for i in plan.due}
    assert due == {ports[4].id, dns[0].id, dns[1].id}
    assert list(plan.order[:3]) == list(plan.due)
    new = [bank[i] for i in plan.new]
    assert len(new) == 3 and all(q.id not in {a.question_id for a in history} for q in new)
    # DNS is the weakest topic: the round of topics starts there, so DNS gets at least as many.
    assert sum(Topic.DNS_RECORDS in q.topics for q in new) >= sum(Topic.PORTS in q.topics for q in new)
    assert new[0].topics == (Topic.DNS_RECORDS,)


def test_questions_not_due_yet_are_left_out_and_the_next_due_day_is_known():
    qs = [question(n) for n in range(3)]
    history = [answer(q, True) for q in qs]  # all right: box 2, due tomorrow
    plan = plan_review(qs, history, 10, T0.date())
    assert plan.order == () and plan.next_due == T0.date() + timedelta(days=1)
    tomorrow = plan_review(qs, history, 10, T0.date() + timedelta(days=1))
    assert sorted(tomorrow.due) == [0, 1, 2] and tomorrow.new == ()


def test_more_due_than_the_count_keeps_the_most_needed_and_counts_the_rest():
    qs = [question(n) for n in range(8)]
    history = [answer(q, False) for q in qs[:5]] + [answer(q, True, T0 - timedelta(days=2)) for q in qs[5:]]
    plan = plan_review(qs, history, 4, T0.date())
    assert len(plan.due) == 4 and plan.due_left == 4
    assert all(i < 5 for i in plan.due)  # box 1 (missed) before box 2 (right two days ago)


def test_a_review_from_the_real_bank_never_holds_two_questions_that_answer_each_other():
    from simulator.quiz.build import pooled_bank

    bank = [q for q, _ in pooled_bank(list_scenarios()[:6])]
    history = [answer(q, i % 3 == 0, T0 - timedelta(days=1)) for i, q in enumerate(bank[::2])]
    plan = plan_review(bank, history, 25, T0.date())
    picked = [bank[i] for i in plan.order]
    assert len(picked) == 25 and len({q.id for q in picked}) == 25
    assert not any(answer_each_other(a, b) for a in picked for b in picked if a is not b)
