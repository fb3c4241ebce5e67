"""Questions about who may send for a domain: SPF, DKIM and DMARC as a receiving MX checked them.

Each reads what the trace shows of the MX's checks at the end of DATA
(``simulator/delivery/authentication``): its TXT questions and their answers,
its notes of each verdict, the Authentication-Results header it stamped, and
its reply to the final dot. The stems give the story (the records, the
addresses), never the verdict asked for.
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Iterator

from simulator.quiz.helpers import dns_answer, dns_queries, exhibit_line, host, pick, query_name, shuffled
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.scenario.topics import Topic
from simulator.trace.events import Direction, Kind, Trace, TraceEvent
from simulator.trace.narrate.authrecords import txt_strings

RECORD_TYPES = ("MX", "A", "AAAA", "SOA", "NS", "PTR", "TXT", "CNAME")
_QUALIFIER = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}  # RFC 7208 §4.6.2
SPF_RESULTS = {
    "pass": "pass: a term before `all` lists the address",
    "fail": "fail: only `-all` matches the address",
    "softfail": "softfail: only `~all` matches the address",
    "neutral": "neutral: only `?all` matches the address",
}
# Which check failed: the keys (and each other's distractors).
FAILED = {
    "spf": "SPF: the domain of MAIL FROM does not list the client's address",
    "dkim": "DKIM: the signature did not verify against what arrived",
    "dmarc": "DMARC: nothing passed for a domain aligned with From:",
    "none": "All three passed: SPF, DKIM and DMARC",
}
ALIGNED = {
    (True, True): "Both the SPF result and the DKIM result",
    (False, True): "Only the DKIM result",
    (True, False): "Only the SPF result",
    (False, False): "Neither of them",
}
_NOTE = re.compile(r"(SPF|DKIM|DMARC) (\w+)(?::| for)")


def auth_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    yield from _record_purpose(trace, rng)
    yield from _spf_results(trace, rng)
    yield from _which_failed(trace, rng)
    yield from _alignment(trace, rng)


def _record_purpose(trace: Trace, rng: random.Random) -> Iterator[Question]:
    txt = [q for q in dns_queries(trace, "TXT")]
    key_query = next((q for q in txt if "._domainkey." in query_name(q)), None)
    policy = next((q for q in txt if query_name(q).startswith("_dmarc.")), None)
    for query, what, rfc in ((key_query, "the public key a DKIM-Signature names", "RFC 6376 §3.6.2.2"),
                             (policy, "the From: domain's DMARC policy", "RFC 7489 §6.1")):
        if query is None:
            continue
        name = query_name(query)
        yield Question(
            trace.scenario, QuestionKind.RECORD_PURPOSE, Difficulty.EASY,
            f"A receiving MX looks up {what} at `{name}`. Which DNS record type does it ask for?",
            pick(rng, RECORD_TYPES, "TXT"), "TXT",
            f"TXT: SPF policies, DKIM keys (at selector._domainkey.domain) and DMARC policies (at _dmarc.domain) "
            "are all text records, told apart by where they live and their first tag (v=spf1, v=DKIM1, "
            "v=DMARC1). MX names mail hosts, A and AAAA give addresses, PTR maps an address back to a name.",
            rfc, query.step, topics=(Topic.DNS_RECORDS, Topic.AUTHENTICATION),
        )
        return


def spf_terms(record: str) -> list[str] | None:
    """The terms of a simple SPF record (ip4:, ip6: and all only), or None."""
    terms = record.split()
    if not terms or terms[0].lower() != "v=spf1":
        return None
    for term in terms[1:]:
        body = term.lstrip("+-~?").lower()
        if not (body == "all" or body.startswith(("ip4:", "ip6:"))):
            return None
    return terms[1:]


def spf_result(terms: list[str], ip: str) -> str:
    """RFC 7208 §4.6.2: the qualifier of the first term that matches; neutral when none does (§4.7)."""
    address = ipaddress.ip_address(ip)
    for term in terms:
        qualifier = term[0] if term[0] in _QUALIFIER else "+"
        body = term.lstrip("+-~?").lower()
        if body == "all":
            return _QUALIFIER[qualifier]
        try:
            if address in ipaddress.ip_network(body.split(":", 1)[1], strict=False):
                return _QUALIFIER[qualifier]
        except ValueError:
            return "permerror"
    return "neutral"


def _txt_text(answer_line: str) -> str:
    """The record's text from a TXT answer line (name, TTL, class, type, strings): its strings joined."""
    return "".join(txt_strings(answer_line.split("\t")[4]))


def _spf_results(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    for query in reversed(list(dns_queries(trace, "TXT"))):  # the last hop's check: forwarding changes it
        name = query_name(query)
        if name.startswith("_") or "._domainkey." in name:
            continue
        answer = dns_answer(events, query)
        records = [a for a in answer if a.text.count("\t") == 4 and "v=spf1" in a.text.lower()]
        note = next((e for e in events[query.step:] if e.kind is Kind.NOTE and e.src == query.src
                     and e.text.startswith("SPF ")), None)
        if len(records) != 1 or note is None:
            continue
        terms = spf_terms(_txt_text(records[0].text))
        match = re.match(r"SPF \w+: (\S+) for (\S+)", note.text)
        if terms is None or match is None:
            continue
        ip, sender = match.groups()
        result = spf_result(terms, ip)
        if result not in SPF_RESULTS:
            continue
        key = SPF_RESULTS[result]
        yield Question(
            trace.scenario, QuestionKind.SPF_RESULT, Difficulty.MEDIUM,
            f"A client at {ip} sends mail with `MAIL FROM:<{sender}>`. The receiving MX fetches {name}'s SPF "
            "record, shown below. What is the SPF result?",
            shuffled(rng, key, [v for k, v in SPF_RESULTS.items() if k != result]), key,
            f"{key[0].upper() + key[1:]}. The terms are tried left to right and the first that matches decides, "
            "with its qualifier: + (or none) pass, - fail, ~ softfail, ? neutral.",
            "RFC 7208 §4.6.2", records[0].step, (exhibit_line(query), exhibit_line(records[0])),
            topics=(Topic.AUTHENTICATION, Topic.DNS_RECORDS),
        )
        return


def stamped_header(trace: Trace) -> tuple[TraceEvent, str, str] | None:
    """The last Authentication-Results an MX stamped, as its note shows it: (event, authserv-id, the results)."""
    found = None
    for e in trace.events:
        if e.kind is Kind.NOTE and e.text.startswith("Authentication-Results: ") and ";" in e.text:
            authserv, _sep, value = e.text.removeprefix("Authentication-Results: ").partition(";")
            found = (e, authserv.strip(), value.strip())
    return found


def _results(value: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"(?:^|; ?)(spf|dkim|dmarc)=(\w+)", value)}


def _which_failed(trace: Trace, rng: random.Random) -> Iterator[Question]:
    stamped = stamped_header(trace)
    if stamped is not None:
        event, authserv, value = stamped
        results = _results(value)
        failed = [m for m in ("spf", "dkim", "dmarc") if results.get(m, "pass") != "pass"]
        if len(failed) <= 1 and set(results) == {"spf", "dkim", "dmarc"}:
            key = FAILED[failed[0] if failed else "none"]
            header = event.text
            yield Question(
                trace.scenario, QuestionKind.AUTH_CHECK, Difficulty.MEDIUM,
                f"{host(trace, event.src)} accepted a message and stamped `{header}` on it. "
                "Which check did not pass, if any?",
                shuffled(rng, key, [v for v in FAILED.values() if v != key]), key,
                f"{key}. Each method=result pair is one check (RFC 8601 §2.7): spf= is about the envelope sender "
                "and the client's address, dkim= about the signature with its header.d domain, dmarc= about "
                "the From: domain.", "RFC 8601 §2.7", event.step,
                topics=(Topic.AUTHENTICATION,),
            )
            return
    yield from _refused_by_dmarc(trace, rng)


def _refused_by_dmarc(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    for e in events:
        if not (e.kind is Kind.SMTP and e.dir is Direction.SERVER and e.text.startswith("550 5.7.1 ")):
            continue
        before = [x for x in events[: e.step] if x.conn == e.conn and x.dir is Direction.CLIENT]
        if not before or before[-1].text != ".":
            continue
        policy = next((q for q in dns_queries(trace, "TXT") if q.src == e.src and q.step < e.step
                       and query_name(q).startswith("_dmarc.")), None)
        spf = next((q for q in dns_queries(trace, "TXT") if q.src == e.src and q.step < e.step
                    and not query_name(q).startswith("_")), None)
        if policy is None or spf is None:
            continue
        lines = []
        for q in (spf, policy):
            lines.append(exhibit_line(q))
            lines += [exhibit_line(a) for a in dns_answer(events, q) if a.text.count("\t") == 4
                      and a.text.split("\t")[3] == "TXT"]
        key = FAILED["dmarc"]
        yield Question(
            trace.scenario, QuestionKind.AUTH_CHECK, Difficulty.MEDIUM,
            f"A message carrying no DKIM-Signature reaches {host(trace, e.src)}, which asks DNS what is shown "
            "below and answers the final dot with `550 5.7.1 …`. Whose policy refused the message?",
            shuffled(rng, key, [v for v in FAILED.values() if v != key]), key,
            f"{key}: SPF failed and there was no signature, so nothing vouched for the From: domain, and its "
            "DMARC record says p=reject; the receiver refuses in the session (RFC 7489 §10.3).",
            "RFC 7489 §6.6.2", e.step, tuple(lines), topics=(Topic.AUTHENTICATION, Topic.ATTACKS),
        )
        return


def _alignment(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    notes: dict[str, dict[str, TraceEvent]] = {}
    for e in events:
        if e.kind is Kind.NOTE and _NOTE.match(e.text):
            notes.setdefault(e.src, {})[e.text.split(" ", 1)[0]] = e
    for mx, got in reversed(list(notes.items())):  # the last MX that checked: the verdict that counted
        if not {"SPF", "DKIM", "DMARC"} <= set(got):
            continue
        spf = re.match(r"SPF (\w+): (\S+) for \S+@(\S+)", got["SPF"].text)
        dkim = re.match(r"DKIM (\w+) for d=(\S+)", got["DKIM"].text)
        author = re.search(r"From: domain (\S+)", got["DMARC"].text)
        if spf is None or dkim is None or author is None:
            continue
        spf_ok = spf.group(1) == "pass" and _same_org(spf.group(3), author.group(1))
        dkim_ok = dkim.group(1) == "pass" and _same_org(dkim.group(2), author.group(1))
        key = ALIGNED[(spf_ok, dkim_ok)]
        yield Question(
            trace.scenario, QuestionKind.ALIGNMENT, Difficulty.HARD,
            f"A message's From: address is at {author.group(1)}. At {host(trace, mx)}, SPF gave {spf.group(1)} "
            f"for the envelope sender's domain {spf.group(3)}, and DKIM gave {dkim.group(1)} for d={dkim.group(2)}. "
            "With relaxed alignment, which of these results can make DMARC pass?",
            shuffled(rng, key, [v for v in ALIGNED.values() if v != key]), key,
            f"{key}. DMARC counts a result only if it passed and its domain is aligned with the From: domain: "
            "in relaxed mode, the same organizational domain (RFC 7489 §3.1). A failed check aligns nothing.",
            "RFC 7489 §3.1", got["DMARC"].step, topics=(Topic.AUTHENTICATION,),
        )
        return


def _same_org(a: str, b: str) -> bool:
    """Relaxed alignment for the scenarios' names: the last two labels (RFC 7489 §3.2, simplified)."""
    return a.lower().split(".")[-2:] == b.lower().split(".")[-2:]
