"""Questions about delivery after the first hop: bounces, the null sender, the queue's retries.

An NDR question tells what went wrong and where, naming every host involved,
so the student must know which one writes the report (the server that held
the message when it failed) and where it goes (the envelope sender).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from simulator.quiz.helpers import (
    codes,
    command_before,
    dns_answer,
    dns_status,
    host,
    is_final_reply,
    mx_records,
    query_name,
    short,
    shuffled,
)
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.scenario.topics import Topic
from simulator.trace.events import Direction, Kind, Trace, TraceEvent

_DSN = re.compile(r"DSN for \S+: (?P<rcpts>.*) → <(?P<to>[^>]*)>")
_RCPT = re.compile(r"(\S+@\S+) ([245]\.\d{1,3}\.\d{1,3})")


def dsn_events(trace: Trace) -> Iterator[tuple[TraceEvent, str, list[tuple[str, str]]]]:
    """(event, envelope sender it goes to, [(recipient, status)]) for each DSN the trace shows."""
    for e in trace.events:
        match = _DSN.match(e.text) if e.kind is Kind.BOUNCE else None
        if match:
            yield e, match.group("to"), _RCPT.findall(match.group("rcpts"))


def ndr_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for e, sender, rcpts in dsn_events(trace):
        if not rcpts:
            continue
        reporter = host(trace, e.src)
        cause = _cause(trace, e, [r for r, _ in rcpts])
        if cause is None:
            continue
        stem, others, rcpt = cause
        answer = f"{reporter}, to {sender}"
        # Both hosts the stem names, each with both addresses it names: every choice echoes the stem alike.
        other = next(h for h in others if h != reporter)
        wrong = [f"{reporter}, to {rcpt}", f"{other}, to {sender}", f"{other}, to {rcpt}"]
        yield Question(
            trace.scenario, QuestionKind.NDR, Difficulty.MEDIUM,
            f"{stem} Who sends the Non-Delivery Report (DSN), and to whom?",
            shuffled(rng, answer, wrong), answer,
            f"{reporter} held the message when delivery failed, so it writes the DSN; it goes to the envelope "
            f"sender (the MAIL FROM address, {sender}), sent with MAIL FROM:<> so it can never bounce back.",
            "RFC 5321 §6.1", e.step,
        )
        return


def _cause(trace: Trace, dsn: TraceEvent, rcpts: list[str]) -> tuple[str, list[str], str] | None:
    """What went wrong before ``dsn``, told with every host involved; those hosts; the recipient it names."""
    events = trace.events[: dsn.step]
    holder = host(trace, dsn.src)
    sender = _DSN.match(dsn.text).group("to")  # type: ignore[union-attr]
    rcpt = rcpts[0]
    envelope = f"a message from <{sender}> for <{rcpt}>"
    for e in reversed(events):
        if e.kind is Kind.BOUNCE and e.src == dsn.src and "failed after 250" in e.text:
            conn = next(c for c in reversed(trace.connections) if c.server == dsn.src
                        and any(x.conn == c.id for x in events))
            client = host(trace, conn.client)
            return (f"{client} relays {envelope} to {holder}, which answers the end of the data with `250` and "
                    "then fails to store it in the mailbox.", [client, holder], rcpt)
        if e.kind is Kind.SMTP and is_final_reply(e) and e.text[0] == "5" and e.dst == dsn.src:
            before = command_before(trace.events, e)
            what = f"`{short(before.text, 40)}`" if before is not None else "the connection"
            rcpt = next((r for r in rcpts if before is not None and f"<{r}>" in before.text), rcpt)
            server = host(trace, e.src)
            return (f"{holder} relays a message from <{sender}> for <{rcpt}> to {server}, which refuses {what} "
                    f"with `{codes(e.text)} …`.", [holder, server], rcpt)
        if e.kind is Kind.QUEUE and e.src == dsn.src and "giving up" in e.text:
            target = _last_target(trace, dsn)
            return (f"{holder} has queued {envelope} and has been unable to reach {target}; it is now "
                    "giving up.", [holder, target], rcpt)
        if e.kind is Kind.DNS and e.dir is Direction.CLIENT and e.src == dsn.src:
            answer = dns_answer(trace.events, e)
            status = dns_status(answer)
            domain = query_name(e)
            resolver = host(trace, e.dst)
            if status == "NXDOMAIN":
                return (f"{holder} has accepted {envelope}; its resolver {resolver} answers the MX query for "
                        f"{domain} with NXDOMAIN.", [holder, resolver], rcpt)
            if mx_records(trace.events, e.step + 1) == [(0, "")]:
                return (f"{holder} has accepted {envelope}; its resolver {resolver} answers the MX query for "
                        f"{domain} with a null MX (`MX 0 .`).", [holder, resolver], rcpt)
    return None


def _last_target(trace: Trace, dsn: TraceEvent) -> str:
    conn = next((c for c in reversed(trace.connections) if c.client == dsn.src
                 and any(x.conn == c.id and x.step < dsn.step for x in trace.events)), None)
    return host(trace, conn.server) if conn is not None else "the recipient's MX"


NULL_SENDER = "It is a bounce or notice: nobody may bounce it back"
_NOT_NULL = ("Its sender wants to stay anonymous to the receiver",
             "It has no recipients yet: they come with the data",
             "The receiver should use the From: header instead")


def null_sender_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for e in trace.events:
        if e.dir is Direction.CLIENT and e.text.replace(" ", "").upper().startswith("MAILFROM:<>"):
            yield Question(
                trace.scenario, QuestionKind.NULL_SENDER, Difficulty.MEDIUM,
                "What does `MAIL FROM:<>` (the null reverse-path) tell the receiving server?",
                shuffled(rng, NULL_SENDER, _NOT_NULL), NULL_SENDER,
                "DSNs and other notices are sent with the null reverse-path, so that failing to deliver one "
                "can never cause another bounce: no loops.", "RFC 5321 §4.5.5", e.step,
            )
            return


RETRY_WAIT = "At least 30 minutes"
GIVE_UP = "At least 4-5 days"
DELAYED = "Delivery is late but still being retried: no need to resend"
GREYLIST = "Real mail servers queue and retry; most spam tools never return"
DOUBLING = "They double each time: 1 s, 2 s, 4 s, 8 s"


def retry_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    """The queue's schedule and TCP's: what RFC 5321 and RFC 6298 say, where the trace shows it."""
    events = trace.events
    deferred = next((e for e in events if e.kind is Kind.QUEUE and "deferred" in e.text), None)
    if deferred is not None:
        retry = next((e for e in events[deferred.step:] if e.kind is Kind.QUEUE and "retry #" in e.text), None)
        if retry is not None:
            yield Question(
                trace.scenario, QuestionKind.RETRY, Difficulty.MEDIUM,
                "After a temporary failure, a mail server keeps the message in its queue and tries again later. "
                "What wait between attempts does RFC 5321 recommend?",
                shuffled(rng, RETRY_WAIT, ["At least 30 seconds", "Exactly 24 hours, no sooner",
                                           "None: at once, in a tight loop"]), RETRY_WAIT,
                "At least 30 minutes: RFC 5321 §4.5.4.1 says the retry interval SHOULD be at least 30 minutes "
                "(smarter, varying schedules are allowed).", "RFC 5321 §4.5.4.1", retry.step,
            )
    expiry = next((e for e in events if e.kind is Kind.QUEUE and "giving up" in e.text), None)
    if expiry is not None:
        yield Question(
            trace.scenario, QuestionKind.RETRY, Difficulty.MEDIUM,
            "A mail server keeps retrying a message it cannot deliver. After how long does RFC 5321 say it should "
            "generally give up and bounce it?",
            shuffled(rng, GIVE_UP, ["At least 4-5 minutes", "At least 4-5 hours", "At least 4-5 weeks"]), GIVE_UP,
            "At least 4-5 days: RFC 5321 §4.5.4.1 says the give-up time generally needs to be at least 4-5 days. "
            "Then the queue returns a DSN to the sender.", "RFC 5321 §4.5.4.1", expiry.step,
            topics=(Topic.RETRIES, Topic.DELIVERY),
        )
    warning = next((e for e in events if e.kind is Kind.BOUNCE and e.text.startswith("delay warning")), None)
    if warning is not None:
        yield Question(
            trace.scenario, QuestionKind.RETRY, Difficulty.MEDIUM,
            "A mail server has been unable to deliver a message for some hours and sends the sender a DSN with "
            "`Action: delayed`. What does that tell the sender?",
            shuffled(rng, DELAYED, ["Delivery failed for good: the message was thrown away",
                                    "The message arrived, only later than it was expected",
                                    "The message was refused as spam and must be rewritten"]), DELAYED,
            "Delivery is late but still being retried: `Action: delayed` is a warning, the server has not given "
            "up. Only a later DSN with `Action: failed` would mean it gave up.", "RFC 3464 §2.3.3", warning.step,
            topics=(Topic.RETRIES, Topic.DELIVERY),
        )
    grey = next((e for e in events if e.kind is Kind.SMTP and is_final_reply(e) and e.text.startswith("451 4.7.1")),
                None)
    if grey is not None and any(e.kind is Kind.QUEUE and "retry #" in e.text for e in events[grey.step:]):
        yield Question(
            trace.scenario, QuestionKind.RETRY, Difficulty.MEDIUM,
            f"A greylisting MX answers a first delivery attempt with `{codes(grey.text)} …` and accepts the same "
            "message when it comes back later. Why does this stop much spam?",
            shuffled(rng, GREYLIST, ["The delay lets the MX scan the message for viruses first",
                                     "Spam tools cannot read enhanced status codes like this",
                                     "The MX blocks the sender's address until it logs in"]), GREYLIST,
            "A 4xx reply asks a real MTA to queue the message and retry (RFC 5321 §4.5.4.1); greylisting relies "
            "on that, while bulk senders that fire and forget never try again.", "RFC 5321 §4.5.4.1", grey.step,
            topics=(Topic.RETRIES, Topic.TEMPORARY_PERMANENT),
        )
    syns = [e for e in events if e.kind is Kind.TCP and e.text.startswith("SYN") and "retransmi" in e.text]
    if len(syns) >= 3:
        first = next(e for e in reversed(events[: syns[0].step]) if e.kind is Kind.TCP and e.text.startswith("SYN →"))
        yield Question(
            trace.scenario, QuestionKind.RETRY, Difficulty.HARD,
            f"{host(trace, first.src)} sends a SYN to {host(trace, first.dst)} on port {first.port} and gets no "
            "answer. How do the waits between its retransmitted SYNs grow?",
            shuffled(rng, DOUBLING, ["They stay the same: 1 s, 1 s, 1 s, 1 s", "They grow by a second: 1 s, 2 s, "
                                     "3 s, 4 s", "They halve each time: 8 s, 4 s, 2 s, 1 s"]), DOUBLING,
            "They double: the retransmission timer backs off exponentially (RFC 6298 §5.5), so each wait is "
            "twice the one before, until the client gives up on that host.", "RFC 6298 §5.5", syns[0].step,
            topics=(Topic.RETRIES, Topic.DELIVERY),
        )


__all__ = ["DELAYED", "DOUBLING", "GIVE_UP", "GREYLIST", "NULL_SENDER", "RETRY_WAIT", "dsn_events",
           "ndr_questions", "null_sender_questions", "retry_questions"]
