"""Questions about DNS: which record a mail server asks for, and what an answer says.

Answers that must be read are shown: the stem carries the trace's own DNS
lines as an exhibit. Record-type choices are bare (``MX``, ``SOA``), or all
of one shape (``A or AAAA``, ``PTR or TXT``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from simulator.quiz.helpers import dns_answer, dns_queries, dns_status, exhibit_line, mx_records, pick, shuffled
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.scenario.topics import Topic
from simulator.trace.events import Kind, Trace

RECORD_TYPES = ("MX", "A", "AAAA", "SOA", "NS", "PTR", "TXT", "CNAME")


def dns_record_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    first_mx = next(dns_queries(trace, "MX"), None)
    if first_mx is not None:
        yield Question(
            trace.scenario, QuestionKind.DNS_RECORD, Difficulty.EASY,
            "A mail server has a message for an address in another domain. Which DNS record type does it look up "
            "first, to find the host that receives mail for that domain?",
            pick(rng, [t for t in RECORD_TYPES if t not in ("A", "AAAA")], "MX"), "MX",
            "MX: the domain's mail exchangers, tried lowest preference first. Only when a domain has no MX at "
            "all does its own A or AAAA record stand in (the implicit MX).", "RFC 5321 §5.1", first_mx.step,
        )
    for query in dns_queries(trace, "MX"):
        answer = dns_answer(events, query)
        if dns_status(answer) != "NOERROR" or mx_records(events, query.step + 1):
            continue
        follow = next((e for e in dns_queries(trace) if e.step > query.step), None)
        if follow is None or follow.text.split("\t")[-1] not in ("A", "AAAA"):
            continue
        shown = tuple(exhibit_line(e) for e in answer)
        yield Question(
            trace.scenario, QuestionKind.DNS_RECORD, Difficulty.MEDIUM,
            "A mail server asks for the MX records of the recipient's domain and gets the answer below. Which "
            "record types does it look up next, to find where to deliver?",
            shuffled(rng, "A or AAAA", ["PTR or TXT", "NS or SOA", "CNAME or SRV"]), "A or AAAA",
            "A or AAAA: the answer is NOERROR with no records (ANSWER: 0), so the name exists but has no MX. "
            "Then the domain itself is the mail host, and its address records are used: the implicit MX.",
            "RFC 5321 §5.1", follow.step, shown, topics=(Topic.DNS_RECORDS, Topic.DELIVERY),
        )
        break
    for query in dns_queries(trace):
        answer = dns_answer(events, query)
        status = dns_status(answer)
        soa = next((e for e in answer if e.text.split("\t")[3:4] == ["SOA"]), None)
        if status not in ("NXDOMAIN", "NOERROR") or soa is None or not any("AUTHORITY SECTION" in e.text
                                                                           for e in answer):
            continue
        what = "the name does not exist (NXDOMAIN)" if status == "NXDOMAIN" else \
            "the name exists but has no record of that type (NODATA)"
        yield Question(
            trace.scenario, QuestionKind.DNS_RECORD, Difficulty.HARD,
            f"A DNS answer says {what}. Which record type does it carry in its AUTHORITY section, so that "
            "resolvers know how long they may cache this negative answer?",
            pick(rng, [t for t in RECORD_TYPES if t != "SOA"], "SOA"), "SOA",
            "SOA: the zone's start-of-authority record goes with every negative answer, and the smaller of its "
            "TTL and its MINIMUM field is how long the \"no\" may be cached.",
            "RFC 2308 §3" if status == "NXDOMAIN" else "RFC 2308 §2.2", soa.step,
        )
        return


_MEANINGS = {
    "NXDOMAIN": "No such name: it does not exist, for any type",
    "NODATA": "The name exists but holds nothing of the type asked",
    "SERVFAIL": "The resolver failed for now: ask again later",
    "NULLMX": "It takes no email at all: do not even try to deliver",
}
_MEANING_WHY = {
    "NXDOMAIN": ("NXDOMAIN (RCODE 3, name error): the name does not exist, for any record type. It is permanent: "
                 "the message bounces (5.1.2).", "RFC 2308 §2.1"),
    "NODATA": ("NOERROR with ANSWER: 0 is NODATA: the name exists but holds no record of the type asked for; "
               "the SOA in AUTHORITY says so with authority.", "RFC 2308 §2.2"),
    "SERVFAIL": ("SERVFAIL (RCODE 2): the resolver failed to get an answer. It is temporary: the mail server "
                 "keeps the message and asks again later.", "RFC 5321 §5.1"),
    "NULLMX": ("It takes no email at all: a single MX with preference 0 and the root name \".\" is a null MX, so "
               "the sender fails at once instead of trying.", "RFC 7505 §3"),
}


def dns_answer_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    """Read an MX answer shown in the stem: NXDOMAIN, NODATA, SERVFAIL or a null MX."""
    seen: set[str] = set()
    events = trace.events
    for query in dns_queries(trace, "MX"):
        answer = dns_answer(events, query)
        status = dns_status(answer)
        records = mx_records(events, query.step + 1)
        if status == "NOERROR" and records == [(0, "")]:
            key = "NULLMX"
        elif status == "NOERROR" and not records:
            key = "NODATA"
        elif status in ("NXDOMAIN", "SERVFAIL"):
            key = status
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        right = _MEANINGS[key]
        why, rfc = _MEANING_WHY[key]
        # The exhibit is the answer as dig shows it, without its section headings' noise.
        shown = tuple(exhibit_line(e) for e in answer if "SECTION" not in e.text)
        yield Question(
            trace.scenario, QuestionKind.DNS_ANSWER, Difficulty.MEDIUM,
            "A sending server queries DNS for the MX of the recipient's domain and gets this reply. What does "
            "it say?",
            shuffled(rng, right, [m for k, m in _MEANINGS.items() if k != key]),
            right, why, rfc, answer[0].step, shown,
            topics=(Topic.DNS_RECORDS, Topic.TEMPORARY_PERMANENT) if key != "NULLMX" else (Topic.DNS_RECORDS,
                                                                                          Topic.DELIVERY),
        )


def mx_order_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    for query in dns_queries(trace, "MX"):
        records = mx_records(events, query.step + 1)
        prefs = [p for p, _ in records]
        if len(records) < 2 or len(set(prefs)) != len(prefs) or any(not h for _, h in records):
            continue  # equal preferences: the order between them is random, not a fair question
        order = [h for _, h in sorted(records)]
        answer = " first, then ".join(order)
        wrong = [" first, then ".join(reversed(order)),
                 "All of them at once; the first to answer gets it",
                 "One of them picked at random, a new pick each time"]
        shown = tuple(exhibit_line(e) for e in dns_answer(events, query)
                      if e.kind is Kind.DNS and e.text.split("\t")[3:4] == ["MX"])
        winner = next(e for e in events[query.step + 1:] if e.text.endswith(f" {order[0]}."))
        yield Question(
            trace.scenario, QuestionKind.MX_ORDER, Difficulty.MEDIUM,
            "A mail server looks up the MX records of the recipient's domain and gets these. In which order does "
            "it try the hosts?",
            shuffled(rng, answer, wrong), answer,
            f"{answer}: the lowest preference value goes first, the next only if that one cannot be reached. "
            "Only hosts with equal preference are picked at random.", "RFC 5321 §5.1", winner.step, shown,
        )


__all__ = ["RECORD_TYPES", "dns_answer_questions", "dns_record_questions", "mx_order_questions"]
