"""Predict the next step: a question about the event the player is about to show.

Plain Python (no Textual), so it can be tested alone; the player's predict
mode (key ``x``) asks these before stepping forward. The keyed answer is read
from the event being asked about (or, for an MX, from the DNS answer it
starts), and the distractors come from fixed pools with the answer taken out,
so no other choice is also right. Events that make no fair question (a TLS
record, a DNS header, a continuation line, a queue note) get ``None``: the
player just steps.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from simulator.protocols.smtp.meanings import BASIC_MEANING
from simulator.quiz.helpers import COMMON_CODES, PORT_USES, SMTP_VERBS, mx_records, pick
from simulator.scenario.topics import Topic
from simulator.trace.events import Direction, Kind, Trace, TraceEvent

# The client's verbs for the other two protocols, as pools for "which command next".
IMAP_VERBS = ("CAPABILITY", "STARTTLS", "LOGIN", "SELECT", "SEARCH", "FETCH", "LOGOUT", "NOOP")
POP3_VERBS = ("CAPA", "STLS", "USER", "PASS", "STAT", "LIST", "RETR", "DELE", "QUIT")
_VERBS = {Kind.SMTP: SMTP_VERBS, Kind.IMAP: IMAP_VERBS, Kind.POP3: POP3_VERBS}
# Never distractors: a client may send these at almost any moment, so they could also be right.
ALWAYS_ALLOWED = frozenset({"RSET", "QUIT", "NOOP", "CAPABILITY", "CAPA", "LOGOUT"})
# ... nor these, next to that answer: another recipient instead of DATA, another message instead of QUIT.
ALSO_ALLOWED = {"DATA": {"RCPT"}, "RCPT": {"DATA"}, "QUIT": {"MAIL"}}

# What a connection to each port is for, in words that name the protocol and the TLS mode but not
# the port: with both in the question only one port fits, so every other port is a fair distractor.
PORT_PURPOSE = {
    25: "to relay mail, server to server",
    587: "to submit mail, upgrading the session with STARTTLS",
    465: "to submit mail over implicit TLS (TLS from the first byte)",
    143: "to read mail with IMAP, upgrading with STARTTLS",
    993: "to read mail with IMAP over implicit TLS",
    110: "to download mail with POP3, upgrading with STLS",
    995: "to download mail with POP3 over implicit TLS",
}

VERB_WHY = {
    "EHLO": "A session opens with EHLO, and opens again with EHLO after the TLS handshake (RFC 3207 §4.2).",
    "STARTTLS": "The server offered STARTTLS: the client upgrades before it sends a password (RFC 3207).",
    "AUTH": "On submission the client logs in, inside TLS, before the transaction (RFC 4954).",
    "MAIL": "A transaction starts with the envelope sender, MAIL FROM (RFC 5321 §3.3).",
    "RCPT": "After MAIL FROM come the envelope recipients, one RCPT TO each (RFC 5321 §3.3).",
    "DATA": "With the recipients accepted, DATA sends the message itself (RFC 5321 §3.3).",
    "QUIT": "Done (or giving up): QUIT closes the session (RFC 5321 §4.1.1.10).",
    "RSET": "RSET throws away the transaction so far; the session stays open (RFC 5321 §4.1.1.5).",
}


@dataclass(frozen=True)
class Prediction:
    """One question about trace step ``step``: its keyed ``answer`` is among ``choices``."""

    step: int
    kind: str  # "reply-code", "command", "port", "host" or "mx"
    question: str
    choices: tuple[str, ...]
    answer: str
    why: str  # a line or two shown with the verdict

    def __post_init__(self) -> None:
        if len(set(self.choices)) != len(self.choices) or not 3 <= len(self.choices) <= 4:
            raise ValueError(f"a prediction needs 3 or 4 distinct choices: {self.choices!r}")
        if self.answer not in self.choices:
            raise ValueError(f"the answer {self.answer!r} is not among the choices")

    def is_right(self, choice: str) -> bool:
        return choice == self.answer

    @property
    def id(self) -> str:
        """Derived as a bank question's id is, from the question and the key (the progress record's key)."""
        return hashlib.sha256(f"{self.question}\x00{self.answer}".encode()).hexdigest()[:12]

    @property
    def topics(self) -> tuple[Topic, ...]:
        """What this kind of prediction asks about, from the one topic list."""
        return _PREDICTION_TOPICS[self.kind]


_PREDICTION_TOPICS = {
    "reply-code": (Topic.SMTP_DIALOGUE,),
    "command": (Topic.SMTP_DIALOGUE,),
    "port": (Topic.PORTS,),
    "host": (Topic.DNS_RECORDS, Topic.DELIVERY),
    "mx": (Topic.DNS_RECORDS, Topic.DELIVERY),
}


@dataclass
class PredictScore:
    """The running score, and the answer given at each step asked (a step is asked once per trace)."""

    right: int = 0
    asked: int = 0
    answers: dict[int, tuple[Prediction, str]] = field(default_factory=dict)  # step -> (question, choice)

    def record(self, prediction: Prediction, choice: str) -> bool:
        right = prediction.is_right(choice)
        self.asked += 1
        self.right += right
        self.answers[prediction.step] = (prediction, choice)
        return right

    def forget_steps(self) -> None:
        """A new trace: its steps are new questions; the score so far stays."""
        self.answers.clear()

    @property
    def text(self) -> str:
        return f"{self.right}/{self.asked}"


def predict_question(trace: Trace, step: int) -> Prediction | None:
    """A question about ``trace.events[step]``, or None when that step makes no fair question."""
    if not 0 < step < len(trace.events):
        return None
    event = trace.events[step]
    rng = random.Random(f"{trace.scenario}:{trace.seed}:{step}")  # the same question every time
    if event.kind is Kind.TCP and event.text.startswith("SYN →"):
        # On 25 the interesting choice is which host (the MX the sender picked); elsewhere the port.
        return _host(trace, event, rng) if event.port == 25 else _port(trace, event, rng)
    if event.kind is Kind.DNS and event.dir is Direction.SERVER:
        return _mx(trace, step, rng)
    if event.dir is Direction.SERVER and event.kind is Kind.SMTP:
        return _reply_code(trace, step, rng)
    if event.dir is Direction.CLIENT and event.kind in _VERBS and not event.content:
        return _command(trace, step, rng)
    return None


# -- the four kinds -------------------------------------------------------------------------------
def _reply_code(trace: Trace, step: int, rng: random.Random) -> Prediction | None:
    event = trace.events[step]
    code = _code(event.text)
    if code is None:
        return None
    at = _previous_line(trace, step)
    before = trace.events[at] if at is not None else None
    if before is not None and before.dir is Direction.SERVER:
        return None  # the second line of a multi-line reply: the code was asked on its first line
    server = _who(trace, event.src)
    if before is None:
        question = f"The TCP connection to {server} is open. Which reply code does the server greet with?"
    elif before.text == ".":
        question = f"{_who(trace, event.dst)} ended the message with a line holding only `.`. " \
                   f"Which reply code does {server} send back?"
    else:
        question = f"{_who(trace, event.dst)} sent `{_short(before.text)}`. Which reply code does {server} send back?"
    answer = str(code)
    return Prediction(step, "reply-code", question, pick(rng, [str(c) for c in COMMON_CODES], answer), answer,
                      f"{code}: {BASIC_MEANING.get(code, 'see RFC 5321 §4.2')}")


def _command(trace: Trace, step: int, rng: random.Random) -> Prediction | None:
    event = trace.events[step]
    words = event.text.split()
    if not words:
        return None
    # IMAP lines carry a tag first ("a003 SELECT INBOX").
    verb = (words[1] if event.kind is Kind.IMAP and len(words) > 1 else words[0]).upper()
    pool = _VERBS[event.kind]
    if verb not in pool:
        return None  # an AUTH continuation, a lone ".", a HELO: no fair choice of verbs
    client, server = _who(trace, event.src), _who(trace, event.dst)
    at = _previous_line(trace, step)
    if at is None:
        return None
    before = trace.events[at]
    if any(e.kind is Kind.TLS and e.conn == event.conn for e in trace.events[at + 1:step]):
        question = f"The TLS handshake with {server} is done. Which command does {client} send next?"
    elif before.dir is Direction.CLIENT:  # pipelined: no reply in between
        question = f"{client} has just sent `{_short(before.text)}`. Which command does it send next?"
    else:
        question = f"{server} has replied `{_short(before.text)}`. Which command does {client} send next?"
    why = VERB_WHY.get(verb, "") if event.kind is Kind.SMTP else ""
    unfair = (ALWAYS_ALLOWED | ALSO_ALLOWED.get(verb, set())) - {verb}
    choices = pick(rng, [v for v in pool if v not in unfair], verb)
    return Prediction(step, "command", question, choices, verb,
                      f"Next on the wire: `{_short(event.text, 50)}`. {why}".rstrip())


def _port(trace: Trace, event: TraceEvent, rng: random.Random) -> Prediction | None:
    port = event.port
    if port not in PORT_PURPOSE or event.conn is None:
        return None
    question = (f"{_who(trace, event.src)} opens a TCP connection to {_who(trace, event.dst)} "
                f"{PORT_PURPOSE[port]}. Which port does it connect to?")
    answer = str(port)
    return Prediction(event.step, "port", question, pick(rng, [str(p) for p in PORT_USES], answer), answer,
                      f"Port {PORT_USES[port]}.")


def _host(trace: Trace, event: TraceEvent, rng: random.Random) -> Prediction | None:
    """A relay's SYN: which host does the sender connect to?"""
    if not _has_actor(trace, event.dst) or not _has_actor(trace, event.src):
        return None
    answer = trace.actor(event.dst).hostname
    servers = [a.hostname for a in trace.actors if a.role in ("mta", "msa", "dns", "store") and a.id != event.src]
    if len(set(servers)) < 3:
        return None
    question = (f"{_who(trace, event.src)} opens a connection on port 25 to relay a message. "
                "Which host does it connect to?")
    return Prediction(event.step, "host", question, pick(rng, servers, answer), answer,
                      f"{answer}: the MX chosen from DNS (lowest preference first, the next one if it fails; "
                      "for a bounce, the sender's own MX). RFC 5321 §5.1.")


def _mx(trace: Trace, step: int, rng: random.Random) -> Prediction | None:
    """At the first line of the answer to an MX query: which host is tried first."""
    events = trace.events
    query = events[step - 1]
    if query.kind is not Kind.DNS or query.dir is not Direction.CLIENT or "\tMX" not in query.text:
        return None
    records = mx_records(events, step)
    if not records or any(not host for _, host in records):
        return None  # no MX (implicit MX, NXDOMAIN) or a null MX: nothing is tried
    lowest = min(p for p, _ in records)
    if [p for p, _ in records].count(lowest) > 1:
        return None  # equal preferences: the order between them is random, not a fair question
    best = next(h for p, h in records if p == lowest)
    domain = query.text.lstrip(";").split("\t")[0].rstrip(".")
    listing = ", ".join(f"MX {p} {h}" for p, h in records)
    asker = _who(trace, query.src)
    resolver = trace.actor(query.dst).hostname if _has_actor(trace, query.dst) else "the resolver"
    pool = [h for _, h in records] + [f"{domain} itself (its A record)", f"{resolver} (the resolver that answered)"]
    pool += [a.hostname for a in trace.actors if a.role == "mta" and a.hostname not in pool]
    choices = pick(rng, pool, best, min(3, len(set(pool)) - 1))
    question = f"DNS answers {asker}'s MX query for {domain}: {listing}. Which host does {asker} try first?"
    why = ("The lowest preference value is tried first; the others are backups (RFC 5321 §5.1)."
           if len(records) > 1 else
           f"{best} is the only MX: it gets the mail. With several, the lowest preference goes first (RFC 5321 §5.1).")
    return Prediction(step, "mx", question, choices, best, why)


# -- helpers ---------------------------------------------------------------------------------------
def _code(text: str) -> int | None:
    if len(text) >= 3 and text[:3].isdigit() and text[3:4] in ("", " ", "-"):
        return int(text[:3])
    return None


def _previous_line(trace: Trace, step: int) -> int | None:
    """The index of the protocol line before ``step`` on its connection (notes, TCP and TLS skipped)."""
    conn = trace.events[step].conn
    if conn is None:
        return None
    for i in range(step - 1, -1, -1):
        e = trace.events[i]
        if e.conn == conn and e.dir is not None and e.kind not in (Kind.TCP, Kind.TLS):
            return i
    return None


def _has_actor(trace: Trace, actor_id: str) -> bool:
    return any(a.id == actor_id for a in trace.actors)


def _who(trace: Trace, actor_id: str) -> str:
    if not _has_actor(trace, actor_id):
        return actor_id
    actor = trace.actor(actor_id)
    return f"{actor.label or actor_id} ({actor.hostname})" if actor.role == "mua" else actor.hostname


def _short(text: str, limit: int = 60) -> str:
    line = text.split("\r\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


__all__ = ["IMAP_VERBS", "POP3_VERBS", "PORT_PURPOSE", "PredictScore", "Prediction", "predict_question"]
