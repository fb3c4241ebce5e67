"""Questions about the SMTP dialogue: reply codes, the next command, enhanced codes, 4xx vs 5xx.

A reply-code question states the situation (what the command was and what
the server decided) and asks for the code: the answer follows from the stem
and RFC 5321, not from having watched this one run. Stems are generic (no
host names, no queue ids) so the same fact is one question in a pooled bank.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp.meanings import ENHANCED_MEANING
from simulator.quiz.helpers import (
    SMTP_VERBS,
    codes,
    command_before,
    connection_events,
    enhanced,
    is_final_reply,
    pick,
    short,
    shuffled,
    verb,
)
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.scenario.topics import Topic
from simulator.trace.events import Direction, Kind, Trace, TraceEvent


@dataclass(frozen=True)
class Situation:
    """A reply the trace shows, told as a situation whose code the student must know."""

    command: str  # the verb it answers ("" for the greeting, "." for the end of the data)
    reply: R.Reply  # from the one catalogue: its code (and enhanced code) identify the reply
    stem: str
    wrong: tuple[int, ...]  # codes that are plainly wrong here (close calls such as 450 vs 451 left out)
    rfc: str
    why: str
    topics: tuple[Topic, ...] = (Topic.SMTP_DIALOGUE,)


SITUATIONS = (
    Situation("", R.greeting("x"), "An SMTP server accepts a new TCP connection and is ready to talk. Which reply "
              "code does its greeting carry?", (250, 221, 354, 235, 334), "RFC 5321 §3.1",
              "220 is the greeting of a server that is ready; 421 or 554 in its place would mean it is not."),
    Situation("EHLO", R.ehlo_ok("x", ()), "A client sends `EHLO` and the server answers with the list of "
              "extensions it supports. Which reply code begins every line of that list?",
              (220, 221, 235, 354, 334), "RFC 5321 §4.1.1.1",
              "250: every line of the EHLO reply starts with 250, `250-` for all but the last."),
    Situation("STARTTLS", R.READY_TO_START_TLS, "A client sends `STARTTLS`, and the server agrees to begin the "
              "TLS handshake on this connection. Which reply code does it send?", (250, 235, 354, 334, 221),
              "RFC 3207 §4", "220 (with 2.0.0): ready to start TLS. The handshake follows at once.",
              (Topic.SMTP_DIALOGUE, Topic.TLS_MODES)),
    Situation("AUTH", R.AUTH_SUCCEEDED, "A client sends `AUTH PLAIN …` with the right user name and password. "
              "Which reply code tells it the login worked?", (250, 220, 334, 354, 221), "RFC 4954 §6",
              "235 means authentication succeeded (RFC 4954 §6); 334 would ask for another step."),
    Situation("AUTH", R.AUTH_CREDENTIALS_INVALID, "A client sends `AUTH PLAIN …` with a wrong password. Which "
              "reply code refuses the login?", (235, 334, 250, 552, 421, 221), "RFC 4954 §6",
              "535 (with 5.7.8): authentication credentials invalid. The client tells its user at once; no "
              "bounce is sent, because no message was accepted."),
    Situation("MAIL", R.SENDER_OK, "A client sends `MAIL FROM:<…>`, and the server accepts the envelope sender. "
              "Which reply code does it send?", (220, 221, 235, 354, 334), "RFC 5321 §4.1.1.2",
              "250: requested action completed. The transaction has begun."),
    Situation("MAIL", R.MESSAGE_TOO_BIG, "A client's `MAIL FROM` declares `SIZE=` a size above the limit the "
              "server announced in its EHLO `SIZE` line. Which reply code refuses it?",
              (250, 354, 235, 221, 421, 334), "RFC 1870 §6.1",
              "552 (with 5.3.4, message too big). RFC 1870 §6.1 reuses 552, \"exceeded storage allocation\" in "
              "RFC 5321, for a message over the size limit: it is about size, not a quota."),
    Situation("RCPT", R.USER_UNKNOWN, "At `RCPT TO`, the receiving server has no mailbox by that name. Which reply "
              "code refuses the recipient?", (250, 354, 221, 421, 452, 535, 552), "RFC 5321 §4.2.3",
              "550: requested action not taken, mailbox unavailable; the enhanced code 5.1.1 says the mailbox "
              "does not exist. It is permanent: the sender gives up and bounces.",
              (Topic.SMTP_DIALOGUE, Topic.DELIVERY)),
    Situation("RCPT", R.RELAY_DENIED, "At `RCPT TO`, a server is asked to take mail for a domain it does not "
              "serve, from a client that has not logged in. Which reply code refuses the recipient?",
              (250, 354, 221, 235, 452, 334), "RFC 5321 §4.2.3",
              "550 (with 5.7.1, delivery not authorized): the server is not an open relay.",
              (Topic.SMTP_DIALOGUE, Topic.ATTACKS)),
    Situation("RCPT", R.MAILBOX_FULL_TEMP, "At `RCPT TO`, the recipient's mailbox is over quota for now, and the "
              "server wants the sender to try again later. Which reply code does it send?",
              (250, 354, 550, 552, 535, 221), "RFC 5321 §4.2.3",
              "452 (with 4.2.2, mailbox full): a 4xx code, so the sender keeps the message and retries. 552 "
              "would be the permanent form.", (Topic.SMTP_DIALOGUE, Topic.TEMPORARY_PERMANENT)),
    Situation("RCPT", R.MAILBOX_FULL, "At `RCPT TO`, the recipient's mailbox is full, and the server refuses for "
              "good rather than let the sender wait. Which reply code does it send?",
              (250, 354, 452, 421, 535, 221), "RFC 5321 §4.2.3",
              "552 (with 5.2.2, mailbox full): exceeded storage allocation, permanent. 452 would be the "
              "temporary form.", (Topic.SMTP_DIALOGUE, Topic.TEMPORARY_PERMANENT)),
    Situation("RCPT", R.GREYLISTED, "At `RCPT TO`, a greylisting server turns away the first attempt from a "
              "sender it has not seen before, expecting it to come back. Which reply code does it send?",
              (250, 354, 550, 552, 535, 221, 554), "RFC 5321 §4.2.3",
              "451 (here with 4.7.1): try again later. Any 4xx would do for greylisting (450 is common too): "
              "what matters is that it is temporary, so a real server retries.",
              (Topic.SMTP_DIALOGUE, Topic.TEMPORARY_PERMANENT, Topic.RETRIES)),
    Situation("DATA", R.START_MAIL_INPUT, "A client sends `DATA` after its recipients were accepted. Which reply "
              "code tells it to go ahead and send the message text?", (250, 220, 235, 334, 221), "RFC 5321 §4.1.1.4",
              "354: start mail input, and end it with a line holding only a dot."),
    Situation(".", R.queued("x"), "A client ends the message text with a line holding only `.`, and the server "
              "takes responsibility for delivering it. Which reply code does it send?",
              (354, 221, 220, 235, 554, 334), "RFC 5321 §4.1.1.4",
              "250: the message is accepted, and from now on this server must deliver it or bounce it (RFC 5321 §6.1)."),
    Situation("QUIT", R.CLOSING, "A client sends `QUIT`. Which reply code does the server close the session with?",
              (220, 250, 354, 235, 334), "RFC 5321 §4.1.1.10", "221: service closing transmission channel."),
)


def _situation(command: str, reply: TraceEvent) -> Situation | None:
    code, enh = int(reply.text[:3]), enhanced(reply.text)
    for s in SITUATIONS:
        if s.command == command and s.reply.code == code and s.reply.enhanced in (enh, None):
            return s
    return None


def reply_code_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for e in trace.events:
        if e.kind is not Kind.SMTP or not is_final_reply(e):
            continue
        before = command_before(trace.events, e)
        if before is None and any(x.conn == e.conn and x.kind is Kind.SMTP for x in trace.events[: e.step]):
            continue  # not the greeting: the second reply to one command
        command = "" if before is None else ("." if before.text == "." else verb(before))
        s = _situation(command, e)
        if s is None:
            continue
        answer = str(s.reply.code)
        code = int(answer)
        difficulty = Difficulty.EASY if code in (220, 221, 250, 354) else Difficulty.MEDIUM
        yield Question(trace.scenario, QuestionKind.REPLY_CODE, difficulty, s.stem,
                       pick(rng, [str(c) for c in s.wrong], answer), answer,
                       f"{s.why} The trace shows `{short(e.text)}`.", s.rfc, e.step, topics=s.topics)


@dataclass(frozen=True)
class Transition:
    """After this reply the protocol fixes the client's next command, so no other verb in the choices fits."""

    after: str  # what the client sent before the reply ("" greeting, "STARTTLS+TLS" a finished upgrade)
    code: str  # the reply's first digit(s) it must start with
    answer: str
    stem: str
    unfair: frozenset[str]  # verbs a client may also send here (EHLO resets a transaction), never offered
    rfc: str
    why: str


TRANSITIONS = (
    Transition("", "220", "EHLO", "An ESMTP server has just sent its `220` greeting on a new connection. Which "
               "command does the client send first?", frozenset({"QUIT", "RSET"}), "RFC 5321 §4.1.1.1",
               "EHLO opens the session and asks for the server's extensions (HELO is the old form)."),
    Transition("STARTTLS+TLS", "220", "EHLO", "A client sent `STARTTLS`, got `220 2.0.0 Ready to start TLS`, and "
               "the TLS handshake has just finished. Which command does it send next?",
               frozenset({"QUIT", "RSET"}), "RFC 3207 §4.2",
               "EHLO again: after the handshake both sides forget what they learned in plaintext, and the new EHLO "
               "reply is the first the client can trust (AUTH is only offered now)."),
    Transition("AUTH", "235", "MAIL", "The server has just accepted the client's login with `235 2.7.0 "
               "Authentication successful`. Which command does the client send next?",
               frozenset({"QUIT", "RSET", "EHLO"}), "RFC 4954 §4",
               "MAIL FROM: logged in, the client starts the transaction with the envelope sender."),
    Transition("MAIL", "250", "RCPT", "The server has just accepted the envelope sender with `250 2.1.0 Sender ok`. "
               "Which command does the client send next?", frozenset({"QUIT", "RSET", "EHLO"}), "RFC 5321 §3.3",
               "RCPT TO: a transaction needs at least one envelope recipient before DATA."),
    Transition("RCPT", "250", "DATA", "The server has just accepted the message's only recipient with `250 2.1.5 "
               "Recipient ok`. Which command does the client send next?", frozenset({"QUIT", "RSET", "RCPT", "EHLO"}),
               "RFC 5321 §3.3", "DATA: with every recipient accepted, the client sends the message itself."),
    Transition(".", "250", "QUIT", "The server has just accepted a message with `250 2.0.0 Ok: queued as …`, and "
               "the client has nothing more to send. Which command ends the session?",
               frozenset({"MAIL"}), "RFC 5321 §4.1.1.10", "QUIT: the server answers 221 and closes the connection."),
)


def next_command_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for conn in trace.connections:
        if conn.protocol is not Kind.SMTP:
            continue
        events = connection_events(trace, conn.id)
        last_client = ""
        rcpts = 0
        for i, e in enumerate(events):
            if e.dir is Direction.CLIENT:
                last_client = "." if e.text == "." else verb(e)
                rcpts = rcpts + 1 if last_client == "RCPT" else (0 if last_client == "MAIL" else rcpts)
                continue
            if e.kind is not Kind.SMTP or not is_final_reply(e):
                continue
            after = last_client
            rest = events[i + 1:]
            nxt = next((x for x in rest if x.dir is Direction.CLIENT), None)
            upto = rest.index(nxt) if nxt is not None else len(rest)
            if after == "STARTTLS" and any(x.kind is Kind.TLS and "established" in x.text for x in rest[:upto]):
                after = "STARTTLS+TLS"
            if after == "RCPT" and (rcpts != 1 or nxt is None or verb(nxt) != "DATA"):
                continue  # another recipient may follow: not one fair answer
            t = next((t for t in TRANSITIONS if t.after == after and e.text.startswith(t.code)), None)
            if t is None or nxt is None or verb(nxt) != t.answer:
                continue  # the trace went another way: not a fair question
            pool = [v for v in SMTP_VERBS if v not in t.unfair]
            yield Question(trace.scenario, QuestionKind.NEXT_COMMAND, Difficulty.MEDIUM, t.stem,
                           pick(rng, pool, t.answer), t.answer,
                           f"{t.why} Next in the trace: `{short(nxt.text, 40)}`.", t.rfc, nxt.step)


# The RFC 3463 names a student should tell apart (detail codes, class given by the first digit).
_ENHANCED_POOL = ("1.1", "1.2", "1.10", "2.2", "3.4", "4.1", "4.4", "4.7", "5.1", "7.1", "7.8", "7.0")


def enhanced_name(code: str) -> str:
    """RFC 3463's name for a code, without the catalogue's gloss: "Bad destination mailbox address"."""
    text = ENHANCED_MEANING[code]
    return text.split(":")[0].split(" (")[0].rstrip(".")


def enhanced_code_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    seen: set[str] = set()
    for e in trace.events:
        if e.kind is Kind.SMTP and is_final_reply(e) and e.text[0] in "45":
            code = enhanced(e.text)
            before = command_before(trace.events, e)
            where = f"answers `{verb(before)}` with" if before is not None and before.text != "." else "replies"
            stem = f"A server {where} `{e.text[:3]} {code} …`. What does the enhanced status code {code} mean?"
        elif e.kind is Kind.BOUNCE and e.text.startswith("DSN for") and "→" in e.text:
            code = e.text.split("→")[0].split()[-1]
            stem = f"A bounce (DSN) reports `Status: {code}`. What does the status code {code} mean?"
        else:
            continue
        if code is None or code in seen or code not in ENHANCED_MEANING:
            continue
        seen.add(code)
        answer = enhanced_name(code)
        pool = {enhanced_name(f"5.{d}") for d in _ENHANCED_POOL}
        # RFC 3463 §2's names for the classes.
        klass = "persistent transient failure" if code[0] == "4" else "permanent failure"
        yield Question(trace.scenario, QuestionKind.ENHANCED_CODE, Difficulty.HARD, stem,
                       pick(rng, pool, answer), answer,
                       f"{code}: {answer}. The first digit is the class ({code[0]}: {klass}); the other two say "
                       f"what went wrong (subject {code.split('.')[1]}, detail {code.split('.')[2]}).",
                       "RFC 3463 §3", e.step)


TEMPORARY = "Temporary: it keeps the message queued and tries again later"
PERMANENT = "Permanent: it gives up at once and bounces it to the sender"
_NEITHER = ("Not a failure: the reply accepts the recipient as it is",
            "Fatal to the session: it must reconnect now and resend all")


def temporary_or_permanent_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    """Relay failures (SMTP on port 25, DNS): what the sending server does next."""
    seen: set[str] = set()
    for e in trace.events:
        if e.kind is Kind.SMTP and is_final_reply(e) and e.text[0] in "45" and e.port == 25:
            before = command_before(trace.events, e)
            if before is None or before.dir is not Direction.CLIENT:
                continue
            key = codes(e.text)
            stem = (f"A receiving MX answers `{short(verb(before))}` with `{key} …`. What kind of failure is that, "
                    "and what does the sending server do?")
            temporary = e.text[0] == "4"
            why = (f"{key[:3]} starts with {e.text[0]}: " +
                   ("a transient failure, so the message stays queued and is retried." if temporary else
                    "a permanent failure, so the sender stops and returns a DSN to the envelope sender."))
            rfc = "RFC 5321 §4.2.1"
        elif e.kind is Kind.DNS and e.dir is Direction.SERVER and e.text.endswith("\tMX\t0 ."):
            key = "null MX"
            stem = ("A mail server's MX query for the recipient's domain returns a single record, `MX 0 .` (a null "
                    "MX). What kind of failure is that, and what does the mail server do?")
            temporary = False
            why = "A null MX says the domain accepts no mail at all: nothing to retry, so it bounces at once (5.1.10)."
            rfc = "RFC 7505 §4.1"
        elif e.kind is Kind.DNS and e.dir is Direction.SERVER and ("SERVFAIL" in e.text or "NXDOMAIN" in e.text):
            key = "SERVFAIL" if "SERVFAIL" in e.text else "NXDOMAIN"
            stem = (f"The resolver answers a mail server's MX query for the recipient's domain with status {key}. "
                    "What kind of failure is that, and what does the mail server do?")
            temporary = key == "SERVFAIL"
            why = ("SERVFAIL means the resolver could not get an answer now: a temporary error, retried later."
                   if temporary else "NXDOMAIN means the domain does not exist: retrying cannot help, so it bounces.")
            rfc = "RFC 5321 §5.1" if temporary else "RFC 2308 §2.1"
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        answer = TEMPORARY if temporary else PERMANENT
        yield Question(trace.scenario, QuestionKind.TEMPORARY_OR_PERMANENT, Difficulty.EASY, stem,
                       shuffled(rng, answer, [PERMANENT if temporary else TEMPORARY, *_NEITHER]), answer,
                       why, rfc, e.step)


__all__ = ["PERMANENT", "SITUATIONS", "TEMPORARY", "TRANSITIONS", "enhanced_code_questions", "enhanced_name",
           "next_command_questions", "reply_code_questions", "temporary_or_permanent_questions"]
