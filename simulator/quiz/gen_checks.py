"""Questions about a receiving MX's checks of its client: reverse DNS, blocklists, relaying.

Each question reads the lines the trace shows: the MX's own DNS questions
and answers before its greeting (``simulator/delivery/connectcheck.py``),
and the reply to ``RCPT TO``. The story goes into the exhibit (the DNS lines,
the refused command and the reply's codes), never the words of the reply
text, so the key has to be read from what happened. Record-type questions ask
what a record is for (PTR for a name, A or AAAA to confirm it).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from simulator.quiz.helpers import (
    codes,
    command_before,
    dns_answer,
    dns_queries,
    exhibit_line,
    host,
    is_final_reply,
    pick,
    query_name,
    shuffled,
)
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.scenario.topics import Topic
from simulator.trace.events import Direction, Kind, Trace, TraceEvent

# Which check refused: the keys, and SPF as a check that never ran in these stories (no TXT query).
REVERSE = "Reverse DNS: the address's name was not confirmed"
BLOCKLIST = "A DNS blocklist on which the address appears"
RELAY = "Relay policy: a stranger asked it to pass messages on"
SPF = "SPF: the sender's domain does not authorize the address"
CHECKS = (REVERSE, BLOCKLIST, RELAY, SPF)
RECORD_TYPES = ("MX", "A", "AAAA", "SOA", "NS", "PTR", "TXT", "CNAME")


def _lines(trace: Trace, query: TraceEvent) -> list[str]:
    """A DNS question and its answer's records as the exhibit shows them (the header line when none came)."""
    answer = dns_answer(trace.events, query)
    records = [exhibit_line(e) for e in answer if e.text.count("\t") == 4 and e.text.split("\t")[3] != "SOA"]
    header = [exhibit_line(e) for e in answer[:1]]
    return [exhibit_line(query), *(records or header)]


def _blocklist_name(name: str) -> bool:
    return name.count(".") > 4 and not name.endswith(".arpa")


def _mx_queries(trace: Trace, refusal: TraceEvent) -> list[TraceEvent]:
    """The DNS questions the refusing server asked, on this client's connection, before its greeting."""
    conn = trace.connection(refusal.conn) if refusal.conn is not None else None
    if conn is None:
        return []
    opened = next(e.step for e in trace.events if e.conn == conn.id)
    return [q for q in dns_queries(trace) if q.src == refusal.src and opened < q.step < refusal.step]


def client_check_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    asked: set[str] = set()
    for e in events:
        if e.kind is not Kind.SMTP or not is_final_reply(e) or e.text[:1] != "5":
            continue
        command = command_before(events, e)
        if command is None or not command.text.upper().startswith("RCPT TO:"):
            continue
        code = codes(e.text)
        queries = _mx_queries(trace, e)
        server = host(trace, e.src)
        if code == "550 5.7.25" and queries:
            key, exhibit = REVERSE, [line for q in queries for line in _lines(trace, q)]
        elif code == "554 5.7.1" and any(_blocklist_name(query_name(q)) for q in queries):
            listed = [q for q in queries if _blocklist_name(query_name(q))]
            key, exhibit = BLOCKLIST, [line for q in listed for line in _lines(trace, q)]
        elif code == "550 5.7.1" and not _logged_in(trace, e) and not queries:
            key, exhibit = RELAY, []
        else:
            continue
        if key in asked:
            continue
        asked.add(key)
        client = host(trace, trace.connection(e.conn).client) if e.conn is not None else "a client"
        asked_for = f"`{command.text}`"
        if exhibit:
            story = (f"Before greeting the client, {server} asked DNS what is shown below; later it answered "
                     f"{asked_for} with `{code} …`.")
        else:
            domains = ", ".join(a.hostname.split(".", 1)[1] for a in trace.actors if a.id == e.src)
            story = (f"{server} takes mail for {domains}. The client had not logged in and sent {asked_for}; "
                     f"{server} answered `{code} …` without asking DNS anything.")
        yield Question(
            trace.scenario, QuestionKind.CLIENT_CHECK, Difficulty.MEDIUM,
            f"{client} connects to {server} on port 25. {story} Which check refused the mail?",
            shuffled(rng, key, [c for c in CHECKS if c != key]), key,
            _why(key, server), _rfc(key), e.step, tuple(exhibit),
            topics=(Topic.ATTACKS, Topic.DNS_RECORDS) if key != RELAY else (Topic.ATTACKS, Topic.ROLES),
        )
        if key == RELAY:
            yield _submission_question(trace, rng, e)
    yield from _blocklist_answer_questions(trace, rng)
    yield from _record_purpose_questions(trace, rng)


def _logged_in(trace: Trace, reply: TraceEvent) -> bool:
    return any(x.conn == reply.conn and x.dir is Direction.SERVER and x.text.startswith("235")
               for x in trace.events[: reply.step])


def _why(key: str, server: str) -> str:
    if key == REVERSE:
        return (f"Reverse DNS: {server} asked for the PTR of the client's address under in-addr.arpa, and the name "
                "it got did not lead back to the address (or there was none), so FCrDNS failed: 550 5.7.25. No TXT "
                "record was asked for, so SPF played no part.")
    if key == BLOCKLIST:
        return (f"A DNS blocklist: {server} asked for the A record of the client's address reversed under the list's "
                "zone and got 127.0.0.2, which means listed; the TXT record says why. No TXT record of the sender's "
                "domain was asked for, so SPF played no part.")
    return (f"Relay policy: the recipient's domain is not one {server} takes mail for, and the client had not "
            "logged in, so passing the message on would make it an open relay: 550 5.7.1. No DNS was asked.")


def _rfc(key: str) -> str:
    return {REVERSE: "RFC 7372 §3.3", BLOCKLIST: "RFC 5782 §2.1", RELAY: "RFC 5321 §3.6.2"}[key]


def _submission_question(trace: Trace, rng: random.Random, refusal: TraceEvent) -> Question:
    key = "Its provider's submission server on 587 or 465, with AUTH"
    return Question(
        trace.scenario, QuestionKind.CLIENT_CHECK, Difficulty.MEDIUM,
        "A mail client without a login asked an MX on port 25 to pass a message on to another domain, and was "
        "refused. Where should a mail client hand new mail over instead?",
        shuffled(rng, key, ["The same MX on port 25, once the connection is upgraded with STARTTLS",
                            "The recipient domain's MX on port 110, the port of its mailboxes",
                            "Any open relay it can find on port 25, without AUTH"]), key,
        "Its provider's submission server on 587 (STARTTLS) or 465 (implicit TLS), with AUTH: that server relays "
        "for its own logged-in users only (RFC 6409 §4.3, RFC 8314 §3.3). Many ISPs block outbound port 25 from "
        "home connections, so that hijacked computers cannot send to MX hosts directly.",
        "RFC 6409 §4.3", refusal.step, topics=(Topic.PORTS, Topic.ROLES),
    )


def _blocklist_answer_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for query in dns_queries(trace, "A"):
        name = query_name(query)
        answer = dns_answer(trace.events, query)
        record = next((a for a in answer if a.text.count("\t") == 4 and a.text.split("\t")[3] == "A"), None)
        if record is None or not record.text.split("\t")[4].startswith("127.") or name.endswith(".in-addr.arpa"):
            continue
        key = "It is on that list: the A record is a code, not a host"
        yield Question(
            trace.scenario, QuestionKind.CLIENT_CHECK, Difficulty.MEDIUM,
            "Before greeting a client, a receiving MX asks a DNS blocklist about the client's address and gets the "
            "answer below. What does it learn?",
            shuffled(rng, key, ["It is not on that list, since 127.0.0.2 is only loopback",
                                "It must connect back to 127.0.0.2 to report the mail",
                                "The list failed for now and the MX should ask again"]), key,
            "It is on that list: any A record at the reversed address under the list's zone means listed, and "
            "127.0.0.2 is the usual value; it must never be used as an address (RFC 5782 §2.1). Not listed would "
            "be NXDOMAIN.", "RFC 5782 §2.1", record.step, (exhibit_line(query), exhibit_line(record)),
            topics=(Topic.DNS_RECORDS, Topic.ATTACKS),
        )
        return


def _record_purpose_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    ptr = next(dns_queries(trace, "PTR"), None)
    if ptr is None:
        return
    yield Question(
        trace.scenario, QuestionKind.RECORD_PURPOSE, Difficulty.EASY,
        "Which DNS record type maps an IP address back to a host name, as a receiving MX asks about a client "
        "that connects to it?",
        pick(rng, RECORD_TYPES, "PTR"), "PTR",
        "PTR, looked up under in-addr.arpa with the address's numbers reversed (ip6.arpa for IPv6). MX names a "
        "domain's mail hosts, A and AAAA give a name's addresses, TXT carries text such as SPF policies.",
        "RFC 1035 §3.5", ptr.step,
    )
    forward = next((q for q in dns_queries(trace) if q.step > ptr.step and q.src == ptr.src
                    and q.text.split("\t")[-1] in ("A", "AAAA") and not query_name(q).endswith(".arpa")
                    and query_name(q).count(".") < 5), None)
    if forward is None:
        return
    yield Question(
        trace.scenario, QuestionKind.RECORD_PURPOSE, Difficulty.MEDIUM,
        "A receiving MX has looked up the name that a client's IP address maps to. To confirm that name, which "
        "record types of the name does it look up next?",
        shuffled(rng, "A or AAAA", ["MX or NS", "PTR or CNAME", "SOA or TXT"]), "A or AAAA",
        "A or AAAA: the name is confirmed only if its own address records include the client's address again "
        "(forward-confirmed reverse DNS, the \"iprev\" test).", "RFC 8601 §3", forward.step,
        topics=(Topic.DNS_RECORDS,),
    )
