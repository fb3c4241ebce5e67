"""What every question generator needs: choices drawn fairly, and trace lines read the same way."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from simulator.quiz.model import Question
from simulator.trace.events import Direction, Kind, Trace, TraceEvent

Generator = Callable[[Trace, random.Random], Iterator[Question]]

SMTP_VERBS = ("EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT", "RSET")
# Reply codes a student meets (RFC 5321 §4.2.3, RFC 4954 §6, RFC 7505): the pool for code choices.
COMMON_CODES = (220, 221, 235, 250, 334, 354, 421, 450, 451, 452, 454, 500, 501, 503, 530, 535, 550, 552, 553, 554, 556)
# A port and what it is for, in words (predict mode's feedback line).
PORT_USES = {
    25: "25 (SMTP relay, server to server)",
    587: "587 (submission, upgraded with STARTTLS)",
    465: "465 (submission over implicit TLS)",
    143: "143 (IMAP, upgraded with STARTTLS)",
    993: "993 (IMAP over implicit TLS)",
    110: "110 (POP3, upgraded with STLS)",
    995: "995 (POP3 over implicit TLS)",
}


def pick(rng: random.Random, pool: Iterable[str], answer: str, n: int = 3) -> tuple[str, ...]:
    """``answer`` and ``n`` others from ``pool``, shuffled. The pool must hold only wrong answers
    (the answer itself is taken out), so no distractor can also be right."""
    others = sorted({p for p in pool if p != answer})
    rng.shuffle(others)
    choices = [answer, *others[:n]]
    rng.shuffle(choices)
    return tuple(choices)


def shuffled(rng: random.Random, answer: str, distractors: Sequence[str]) -> tuple[str, ...]:
    """A fixed set of choices (the answer and every distractor) in a random order."""
    return pick(rng, distractors, answer, len(distractors))


def who(trace: Trace, actor_id: str) -> str:
    """A host by its name; a person's client as "Alice's laptop (alice-laptop.example.org)"."""
    if not any(a.id == actor_id for a in trace.actors):
        return actor_id
    actor = trace.actor(actor_id)
    return f"{actor.label or actor_id} ({actor.hostname})" if actor.role == "mua" else actor.hostname


def host(trace: Trace, actor_id: str) -> str:
    return trace.actor(actor_id).hostname if any(a.id == actor_id for a in trace.actors) else actor_id


def verb(event: TraceEvent) -> str:
    return event.text.split(" ", 1)[0].upper()


def is_final_reply(event: TraceEvent) -> bool:
    """An SMTP server line that ends a reply: ``250 ...``, not ``250-...``."""
    t = event.text
    return event.dir is Direction.SERVER and len(t) >= 3 and t[:3].isdigit() and t[3:4] in ("", " ")


def final_reply(events: Sequence[TraceEvent], command: TraceEvent) -> TraceEvent | None:
    """The last line of the reply that answers ``command`` on its connection."""
    for e in events[command.step + 1:]:
        if e.conn != command.conn:
            continue
        if e.dir is Direction.CLIENT:
            return None
        if e.kind is command.kind and is_final_reply(e):
            return e
    return None


def command_before(events: Sequence[TraceEvent], reply: TraceEvent) -> TraceEvent | None:
    """The client line a server reply answers (None for a greeting)."""
    for e in reversed(events[: reply.step]):
        if e.conn == reply.conn and e.dir is Direction.CLIENT:
            return e
        if e.conn == reply.conn and e.kind is Kind.SMTP and is_final_reply(e):
            return None  # the previous reply came first: this one answers nothing new
    return None


def connection_events(trace: Trace, conn: int) -> list[TraceEvent]:
    return [e for e in trace.events if e.conn == conn]


def codes(reply: str) -> str:
    """``550 5.1.1`` from a reply line: the codes without the words."""
    parts = reply.split(" ")
    return " ".join(parts[:2]) if len(parts) > 1 and parts[1].count(".") == 2 else parts[0]


def enhanced(reply: str) -> str | None:
    parts = reply.split(" ")
    return parts[1] if len(parts) > 1 and re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", parts[1]) else None


def short(text: str, limit: int = 60) -> str:
    line = text.split("\r\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def exhibit_line(event: TraceEvent) -> str:
    """A trace line as an exhibit shows it: who sent it (``C:``/``S:``), tabs as spaces."""
    side = f"{event.dir.value}: " if event.dir is not None else ""
    return side + event.text.split("\r\n", 1)[0].replace("\t", " ")


def mx_records(events: Sequence[TraceEvent], start: int) -> list[tuple[int, str]]:
    """(preference, host) of the MX records in the DNS answer lines from ``start`` on.

    The answer is read the way a student reads dig's output in the trace; a
    null MX shows as an empty host.
    """
    records = []
    for e in events[start:]:
        if e.kind is not Kind.DNS or e.dir is not Direction.SERVER:
            break
        fields = e.text.split("\t")
        if len(fields) == 5 and fields[3] == "MX":
            preference, name = fields[4].split(" ", 1)
            records.append((int(preference), name.rstrip(".")))
    return records


def dns_answer(events: Sequence[TraceEvent], query: TraceEvent) -> list[TraceEvent]:
    """The server lines answering a DNS query (header, flags, sections)."""
    out = []
    for e in events[query.step + 1:]:
        if e.kind is not Kind.DNS or e.dir is not Direction.SERVER:
            break
        out.append(e)
    return out


def dns_status(answer: Sequence[TraceEvent]) -> str | None:
    """NOERROR, NXDOMAIN, SERVFAIL ... from a DNS answer's header line."""
    for e in answer:
        match = re.search(r"status: ([A-Z]+)", e.text)
        if match:
            return match.group(1)
    return None


def dns_queries(trace: Trace, rtype: str | None = None) -> Iterator[TraceEvent]:
    """The DNS question lines (``;example.net.\\tIN\\tMX``), of one record type if given."""
    for e in trace.events:
        if e.kind is Kind.DNS and e.dir is Direction.CLIENT:
            fields = e.text.lstrip(";").split("\t")
            if rtype is None or (len(fields) == 3 and fields[2] == rtype):
                yield e


def query_name(query: TraceEvent) -> str:
    return query.text.lstrip(";").split("\t")[0].rstrip(".")
