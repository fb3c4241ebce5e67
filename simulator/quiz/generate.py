"""Question generators: each reads a trace and asks about what happened in it.

Every keyed answer is taken from the trace (the step is recorded on the
question), and distractors come from fixed pools with the right answer
removed, so a distractor can never also be right.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from simulator.protocols.smtp.replies import ENHANCED_MEANING
from simulator.quiz.model import Difficulty, Question
from simulator.trace.events import Direction, Kind, TLSMode, Trace, TraceEvent

Generator = Callable[[Trace, random.Random], Iterator[Question]]

TLS_WORDS = {TLSMode.NONE: "plain (no TLS)", TLSMode.STARTTLS: "STARTTLS (upgraded in the session)",
             TLSMode.IMPLICIT: "implicit TLS (from the first byte)"}
PORT_USES = {
    25: "25 (SMTP relay, server to server)",
    587: "587 (submission with STARTTLS)",
    465: "465 (submission with implicit TLS)",
    143: "143 (IMAP, STARTTLS)",
    993: "993 (IMAP over implicit TLS)",
    110: "110 (POP3, STLS)",
    995: "995 (POP3 over implicit TLS)",
}
SMTP_VERBS = ("EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT", "RSET")
COMMON_CODES = (220, 221, 235, 250, 334, 354, 421, 450, 451, 452, 454, 500, 501, 503, 530, 535, 550, 552, 553, 554, 556)


def _pick(rng: random.Random, pool: list[str], answer: str, n: int = 3) -> tuple[str, ...]:
    others = sorted({p for p in pool if p != answer})
    rng.shuffle(others)
    choices = [answer, *others[:n]]
    rng.shuffle(choices)
    return tuple(choices)


def _who(trace: Trace, actor_id: str) -> str:
    actor = trace.actor(actor_id)
    return actor.hostname if actor.role != "mua" else f"{actor.label or actor_id} ({actor.hostname})"


def _final_reply(events: tuple[TraceEvent, ...], command: TraceEvent) -> TraceEvent | None:
    """The last line of the reply that answers ``command`` on its connection."""
    for e in events[command.step + 1:]:
        if e.conn != command.conn:
            continue
        if e.dir is Direction.CLIENT:
            return None
        if e.dir is Direction.SERVER and len(e.text) >= 4 and e.text[:3].isdigit() and e.text[3] == " ":
            return e
    return None


# What a connection is for, as a question can say it without naming the port.
_PURPOSE = {
    (Kind.SMTP, 25): "relay mail to the recipient's MX",
    (Kind.SMTP, 587): "submit a message, upgrading with STARTTLS",
    (Kind.SMTP, 465): "submit a message over implicit TLS",
    (Kind.IMAP, 143): "read mail with IMAP, upgrading with STARTTLS",
    (Kind.IMAP, 993): "read mail with IMAP over implicit TLS",
    (Kind.POP3, 110): "download mail with POP3, upgrading with STLS",
    (Kind.POP3, 995): "download mail with POP3 over implicit TLS",
}


def port_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for conn in trace.connections:
        first = next((e for e in trace.events if e.conn == conn.id), None)
        purpose = _PURPOSE.get((conn.protocol, conn.port))
        if first is None or purpose is None:
            continue
        yield Question(
            trace.scenario, "port", Difficulty.EASY,
            f"{_who(trace, conn.client)} connects to {trace.actor(conn.server).hostname} to {purpose}. "
            "Which port does it use?",
            _pick(rng, list(PORT_USES.values()), PORT_USES[conn.port]),
            PORT_USES[conn.port],
            f"The trace shows a TCP connection to port {conn.port}. " + _port_note(conn.port),
            _port_rfc(conn.port), first.step,
        )


def tls_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    """How a connection ended up protected, pointing at the line that shows it."""
    for conn in trace.connections:
        events = [e for e in trace.events if e.conn == conn.id]
        if not events or conn.port not in PORT_USES:
            continue
        established = next((e for e in events if e.kind is Kind.TLS and "established" in e.text), None)
        offered = any("STARTTLS" in e.text or e.text.startswith("+OK") and "STLS" in e.text
                      for e in events if e.dir is Direction.SERVER)
        if conn.tls is TLSMode.IMPLICIT:
            context = "on an implicit-TLS port"
        elif conn.tls is TLSMode.STARTTLS and offered:
            context = "and the server offers an upgrade"
        else:
            continue  # plain outcomes depend on the scenario's twist, not on the protocol
        answer = TLS_WORDS[conn.tls]
        yield Question(
            trace.scenario, "tls-mode", Difficulty.MEDIUM,
            f"{_who(trace, conn.client)} connects to {trace.actor(conn.server).hostname}:{conn.port} {context}. "
            "How is the connection protected by the time it closes?",
            _pick(rng, list(TLS_WORDS.values()), answer, 2), answer,
            {TLSMode.STARTTLS: "The session began in plaintext and was upgraded with STARTTLS (RFC 3207).",
             TLSMode.IMPLICIT: "The TLS handshake came first, before any protocol byte (RFC 8314)."}[conn.tls],
            "RFC 8314 §3" if conn.tls is TLSMode.IMPLICIT else "RFC 3207 §4",
            (established or events[0]).step,
        )


def reply_code_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    for e in events:
        if e.kind is not Kind.SMTP or e.dir is not Direction.CLIENT or e.content or e.text == ".":
            continue
        verb = e.text.split(" ", 1)[0].upper()
        if verb not in ("MAIL", "RCPT", "DATA", "STARTTLS", "AUTH", "QUIT", "EHLO"):
            continue
        reply = _final_reply(events, e)
        if reply is None:
            continue
        code = int(reply.text[:3])
        answer = str(code)
        difficulty = Difficulty.EASY if code in (250, 354, 221) else Difficulty.MEDIUM
        yield Question(
            trace.scenario, "reply-code", difficulty,
            f"{_who(trace, e.src)} sends `{_short(e.text)}` to {_who(trace, e.dst)}. Which reply code comes back?",
            _pick(rng, [str(c) for c in COMMON_CODES], answer), answer,
            f"The server answered `{_short(reply.text)}`. {reply.explain}",
            reply.rfc or "RFC 5321 §4.2", reply.step,
        )


# Replies after which the protocol itself fixes the client's next command, so
# no other verb in the choices could also be right.
_DETERMINED = {
    "": ("EHLO", "RFC 5321 §4.1.1.1"),  # after the greeting
    "AUTH": ("MAIL", "RFC 4954 §4"),  # logged in: start the transaction
    "MAIL": ("RCPT", "RFC 5321 §3.3"),  # a transaction needs recipients before DATA
}


def next_command_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    last_command: dict[int | None, str] = {}
    for i, e in enumerate(events):
        if e.kind is not Kind.SMTP:
            continue
        if e.dir is Direction.CLIENT:
            last_command[e.conn] = e.text.split(" ", 1)[0].upper()
            continue
        if len(e.text) < 4 or e.text[3] != " " or e.text[0] != "2":
            continue
        before = last_command.get(e.conn, "")
        if before not in _DETERMINED:
            continue
        verb, rfc = _DETERMINED[before]
        nxt = next((x for x in events[i + 1:] if x.conn == e.conn and x.dir is Direction.CLIENT), None)
        if nxt is None or nxt.text.split(" ", 1)[0].upper() != verb:
            continue  # the trace went another way (e.g. QUIT): not a fair question
        yield Question(
            trace.scenario, "next-command", Difficulty.HARD,
            f"{_who(trace, e.src)} has just replied `{_short(e.text)}`. Which command does "
            f"{_who(trace, e.dst)} send next?",
            _pick(rng, [v for v in SMTP_VERBS if v not in ("RSET", "QUIT")], verb), verb,
            f"Next in the trace: `{_short(nxt.text)}`. {nxt.explain}", rfc, nxt.step,
        )


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
            preference, host = fields[4].split(" ", 1)
            records.append((int(preference), host.rstrip(".")))
    return records


def mx_order_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    events = trace.events
    for i, e in enumerate(events):
        if e.kind is not Kind.DNS or e.dir is not Direction.CLIENT or "\tMX" not in e.text:
            continue
        records = mx_records(events, i + 1)
        prefs = [p for p, _ in records]
        if len(records) < 2 or prefs.count(min(prefs)) > 1:
            continue  # equal preferences: "first" is random, not a fair question
        best = min(records)[1]
        winner = next(x for x in events[i + 1:] if x.kind is Kind.DNS and x.text.endswith(f" {best}."))
        domain = e.text.lstrip(";").split("\t")[0].rstrip(".")
        listing = ", ".join(f"MX {p} {h}" for p, h in records)
        pool = [h for _, h in records] + [f"{domain} itself (its A record)", "the resolver that answered"]
        yield Question(
            trace.scenario, "mx-order", Difficulty.MEDIUM,
            f"DNS answers for {domain}: {listing}. Which host does the sender try first?",
            _pick(rng, pool, best), best,
            "The lowest preference value wins: MX hosts are tried in ascending preference order.",
            "RFC 5321 §5.1", winner.step,
        )


def enhanced_code_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    seen = set()
    pool = [ENHANCED_MEANING[f"{c}.{s}"] for c, s in (
        ("5", "1.1"), ("4", "2.2"), ("5", "3.4"), ("5", "7.8"), ("4", "7.1"), ("5", "7.1"), ("5", "1.2"),
        ("2", "1.5"), ("5", "5.1"), ("4", "4.7"), ("5", "1.10"), ("5", "2.2"))]
    for e in trace.events:
        if e.kind is not Kind.SMTP or e.dir is not Direction.SERVER or len(e.text) < 10 or e.text[3] != " ":
            continue
        code = e.text[4:].split(" ", 1)[0]
        if code.count(".") != 2 or code[0] not in "45" or code in seen:
            continue
        seen.add(code)
        answer = ENHANCED_MEANING[code]
        yield Question(
            trace.scenario, "enhanced-code", Difficulty.HARD,
            # Only the codes: the reply's own words would give the answer away.
            f"A server replies `{e.text[:3]} {code} ...`. What does the enhanced status code {code} say?",
            _pick(rng, pool, answer), answer,
            f"{code}: the first digit is the class ({'temporary' if code[0] == '4' else 'permanent'}); the "
            "other two say what went wrong.", "RFC 3463 §3", e.step,
        )


def temporary_or_permanent_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    answers = {
        "4": "Temporary: the sender keeps the message and retries later",
        "5": "Permanent: the sender gives up and reports the failure",
    }
    pool = [*answers.values(), "Success: the server accepted it", "Neither: the client must reconnect at once"]
    seen = set()
    for e in trace.events:
        if e.kind is not Kind.SMTP or e.dir is not Direction.SERVER or e.text[:1] not in "45" or e.text[3:4] != " ":
            continue
        if e.text[:3] in seen:
            continue
        seen.add(e.text[:3])
        answer = answers[e.text[0]]
        yield Question(
            trace.scenario, "temporary-or-permanent", Difficulty.EASY,
            f"{_who(trace, e.src)} answers `{_codes(e.text)} ...`. What kind of failure is it?",
            _pick(rng, pool, answer), answer,
            "Replies starting with 4 are transient: try again later. Replies starting with 5 are permanent.",
            "RFC 5321 §4.2.1", e.step,
        )


def ndr_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for e in trace.events:
        if e.kind is not Kind.BOUNCE or not e.text.startswith("DSN for") or "→ <" not in e.text:
            continue
        reporter = trace.actor(e.src).hostname
        to = e.text.rsplit("→ <", 1)[1].rstrip(">")
        answer = f"{reporter}, to {to}"
        servers = sorted({a.hostname for a in trace.actors if a.role in ("msa", "mta")} - {reporter})
        rcpt = e.text.split(": ", 1)[1].split(" ")[0]
        pool = [f"{s}, to {to}" for s in servers] + [f"{reporter}, to {rcpt}", f"{reporter}, to postmaster"]
        yield Question(
            trace.scenario, "ndr", Difficulty.MEDIUM,
            "Delivery failed for good. Who sends the Non-Delivery Report, and to whom?",
            _pick(rng, pool, answer), answer,
            "The server that held the message when delivery failed writes the DSN and mails it to the "
            "envelope sender (the MAIL FROM address), with MAIL FROM:<>.", "RFC 3464 §2", e.step,
        )
        return


def null_sender_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    answer = "This is a bounce or notification: no one may bounce it back"
    pool = [answer, "The sender wants to stay anonymous", "The message has no recipients yet",
            "The server should use the From: header instead"]
    for e in trace.events:
        if e.dir is Direction.CLIENT and e.text.replace(" ", "").upper().startswith("MAILFROM:<>"):
            yield Question(
                trace.scenario, "null-sender", Difficulty.MEDIUM,
                "What does `MAIL FROM:<>` (the null reverse-path) tell the receiving server?",
                _pick(rng, pool, answer), answer,
                "DSNs are sent with the null reverse-path so that a failure to deliver them can never "
                "cause another bounce: no loops.", "RFC 5321 §4.5.5", e.step,
            )
            return


_READ_ANSWERS = {
    (Kind.IMAP, 993): "IMAP over implicit TLS",
    (Kind.IMAP, 143): "IMAP, upgraded with STARTTLS",
    (Kind.POP3, 995): "POP3 over implicit TLS",
    (Kind.POP3, 110): "POP3, upgraded with STLS",
}


def read_protocol_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for conn in trace.connections:
        answer = _READ_ANSWERS.get((conn.protocol, conn.port))
        if answer is None:
            continue
        first = next(e for e in trace.events if e.conn == conn.id)
        pool = [*_READ_ANSWERS.values(), "SMTP submission", "SMTP relay"]
        yield Question(
            trace.scenario, "read-protocol", Difficulty.EASY,
            f"{_who(trace, conn.client)} fetches new mail from {trace.actor(conn.server).hostname} on port "
            f"{conn.port}. Which protocol is that, and how is it protected?",
            _pick(rng, pool, answer), answer,
            "SMTP only pushes mail towards the mailbox; reading it back is IMAP's or POP3's job. "
            "993 and 995 are the implicit-TLS ports; 143 and 110 start plain and upgrade.",
            "RFC 8314 §3.3" if conn.port in (993, 995) else ("RFC 3501 §6.2.1" if conn.port == 143 else "RFC 2595 §4"),
            first.step,
        )


GENERATORS: tuple[Generator, ...] = (
    port_questions, tls_questions, reply_code_questions, next_command_questions, mx_order_questions,
    enhanced_code_questions, temporary_or_permanent_questions, ndr_questions, null_sender_questions,
    read_protocol_questions,
)


def _codes(reply: str) -> str:
    """``550 5.1.1`` from a reply line: the codes without the words."""
    parts = reply.split(" ")
    return " ".join(parts[:2]) if len(parts) > 1 and parts[1].count(".") == 2 else parts[0]


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _port_note(port: int) -> str:
    return {
        25: "Port 25 is for server-to-server relay; clients should not submit there.",
        587: "Port 587 is message submission: plaintext first, STARTTLS, then AUTH (RFC 6409).",
        465: "Port 465 is submission over implicit TLS; RFC 8314 (2018) recommends it. It was once "
             "deprecated, which older notes still say.",
        143: "Port 143 is IMAP; a client upgrades it with STARTTLS before logging in.",
        993: "Port 993 is IMAP over implicit TLS.",
        110: "Port 110 is POP3; STLS upgrades it.",
        995: "Port 995 is POP3 over implicit TLS.",
    }[port]


def _port_rfc(port: int) -> str:
    return {25: "RFC 5321 §2.3.5", 587: "RFC 6409 §3.1", 465: "RFC 8314 §3.3", 143: "RFC 3501 §6.2.1",
            993: "RFC 8314 §3.3", 110: "RFC 1939 §3", 995: "RFC 8314 §3.3"}[port]
