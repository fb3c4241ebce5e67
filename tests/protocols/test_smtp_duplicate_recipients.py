"""Duplicate RCPT TO: one copy, as Postfix (cleanup's duplicate filter), Exim and Sendmail do.

RFC 5321 asks for no copy per RCPT command; a server that merged them is still answering 250 to each.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.protocols.smtp import RecipientAccepted
from simulator.run import simulate
from simulator.scenario.library import open_scenario
from simulator.trace import Kind

from _smtp_support import greeted, last, talk


def test_a_hundred_identical_rcpts_give_one_recipient_and_250_each() -> None:
    s = greeted()
    assert last(s, "MAIL FROM:<a@example.net>").startswith("250 ")
    replies = talk(s, *["RCPT TO:<bob@example.org>"] * 100)
    assert len(replies) == 100 and all(r.startswith("250 ") for r in replies)  # Postfix answers 250 too
    assert s.envelope.rcpt_to == ("bob@example.org",)


def test_the_domain_is_compared_without_case_the_local_part_exactly() -> None:
    # RFC 5321 §2.4: domains are case-insensitive; a local part may be case-sensitive.
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>")
    events = s.receive_data(b"RCPT TO:<bob@example.org>\r\nRCPT TO:<bob@EXAMPLE.ORG>\r\nRCPT TO:<Bob@example.org>\r\n")
    s.data_to_send()
    assert s.envelope.rcpt_to == ("bob@example.org", "Bob@example.org")
    assert [e.address for e in events if isinstance(e, RecipientAccepted)] == ["bob@example.org", "Bob@example.org"]


def test_rset_forgets_the_recipients_so_the_next_transaction_may_name_them_again() -> None:
    s = greeted()
    talk(s, "MAIL FROM:<a@example.net>", "RCPT TO:<bob@example.org>", "RSET", "MAIL FROM:<a@example.net>",
         "RCPT TO:<bob@example.org>")
    assert s.envelope.rcpt_to == ("bob@example.org",)


def test_the_simulation_delivers_one_copy_to_a_recipient_named_twice() -> None:
    scenario = open_scenario("submission-starttls")
    first = scenario.messages[0]
    twice = replace(first, recipients=(first.recipients[0], first.recipients[0]))
    world = simulate(replace(scenario, messages=(twice, *scenario.messages[1:])))
    # The MSA queued one recipient (the client sent two RCPTs: the submission records both).
    assert [entry.recipients for entry in world.queues["msa"].entries.values()] == [(first.recipients[0],)]
    stored = [e for e in world.trace().events if e.kind is Kind.DELIVER and e.text.startswith("stored in")]
    assert len(stored) == 1, [e.text for e in stored]
