"""Questions about connections: ports, how TLS is set up, who plays which role, attacks on TLS.

Every question here is keyed on an RFC fact (the port a service is
registered on, what a role does) and grounded on a connection the trace
shows; the stem says what the connection is for without naming the answer.
Port choices are bare numbers, role choices bare acronyms, so no label on a
choice can tell.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from simulator.quiz.helpers import connection_events, exhibit_line, host, pick, shuffled, verb, who
from simulator.quiz.model import Difficulty, Question, QuestionKind
from simulator.trace.events import ConnectionInfo, Direction, Kind, Trace, TraceEvent

# (protocol, port): what the connection is for, in words that name the protocol and how TLS is
# set up but never the port; the RFC that registers the port; why.
PORT_FACTS: dict[tuple[Kind, int], tuple[str, str, str]] = {
    (Kind.SMTP, 25): (
        "one mail server relaying a message to the MX host of the recipient's domain",
        "RFC 5321 §4.5.4.2",
        "25 is the SMTP port, for relay from server to server; clients submit on 587 or 465 instead, and many "
        "networks block outbound 25 from clients (RFC 6409 §1)."),
    (Kind.SMTP, 587): (
        "message submission that starts in plaintext and is upgraded with STARTTLS",
        "RFC 6409 §3.1",
        "587 is reserved for message submission (RFC 6409 §3.1); the session is upgraded with STARTTLS "
        "before AUTH. Some course tables label 587 \"SMTP (TLS)\" or even \"SMTPS\": learn the number and "
        "what it does, not the label."),
    (Kind.SMTP, 465): (
        "message submission over implicit TLS (the TLS handshake before any SMTP line)",
        "RFC 8314 §3.3",
        "465 is the \"submissions\" port of RFC 8314 §3.3: implicit TLS for submission, recommended since "
        "2018. Older notes call it deprecated, or \"SMTPS\"; the RFC number and the facts are what count."),
    (Kind.IMAP, 143): (
        "IMAP that starts in plaintext and is upgraded with STARTTLS",
        "RFC 3501 §2.1",
        "143 is IMAP's own port (RFC 3501 §2.1); a client upgrades it with STARTTLS before it logs in."),
    (Kind.IMAP, 993): (
        "IMAP over implicit TLS (the TLS handshake before any IMAP line)",
        "RFC 8314 §3.2",
        "993 is \"imaps\", IMAP over implicit TLS (RFC 8314 §3.2)."),
    (Kind.POP3, 110): (
        "POP3 that starts in plaintext and is upgraded with STLS",
        "RFC 1939 §3",
        "110 is POP3's own port (RFC 1939 §3); STLS upgrades the session to TLS (RFC 2595)."),
    (Kind.POP3, 995): (
        "POP3 over implicit TLS (the TLS handshake before any POP3 line)",
        "RFC 8314 §3.1",
        "995 is \"pop3s\", POP3 over implicit TLS (RFC 8314 §3.1)."),
}
PORTS = tuple(sorted({port for _, port in PORT_FACTS}))


def port_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for conn in trace.connections:
        fact = PORT_FACTS.get((conn.protocol, conn.port))
        syn = _syn(trace, conn)
        if fact is None or syn is None:
            continue
        purpose, rfc, why = fact
        answer = str(conn.port)
        yield Question(
            trace.scenario, QuestionKind.PORT, Difficulty.EASY,
            f"Which TCP port is set aside for {purpose}?",
            pick(rng, [str(p) for p in PORTS], answer), answer,
            why, rfc, syn.step,
        )


# How TLS comes to a connection: every choice has the same shape, and the key is an RFC fact.
IMPLICIT = "The TLS handshake comes first, before any protocol line"
STARTTLS = "It starts in plaintext, then the STARTTLS command upgrades it"
STLS = "It starts in plaintext, then the STLS command upgrades it"
OPPORTUNISTIC = "It upgrades with STARTTLS if offered, else stays plaintext"
_WRONG_MODES = ("It never uses TLS: this port carries plaintext from start to end",)
_SERVICE = {(Kind.SMTP, 25): "SMTP relay between mail servers", (Kind.SMTP, 587): "message submission",
            (Kind.SMTP, 465): "message submission", (Kind.IMAP, 143): "IMAP", (Kind.IMAP, 993): "IMAP",
            (Kind.POP3, 110): "POP3", (Kind.POP3, 995): "POP3"}


def tls_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    """How a client gets TLS on a port, asked where the trace shows it happen."""
    for conn in trace.connections:
        service = _SERVICE.get((conn.protocol, conn.port))
        established = next((e for e in connection_events(trace, conn.id)
                            if e.kind is Kind.TLS and "established" in e.text), None)
        if service is None or established is None:
            continue  # a connection that never got TLS (an attack lesson) asks nothing about the mode
        if conn.port in (465, 993, 995):
            answer, rfc = IMPLICIT, {465: "RFC 8314 §3.3", 993: "RFC 8314 §3.2", 995: "RFC 8314 §3.1"}[conn.port]
            why = (f"Port {conn.port} is implicit TLS: the client starts the TLS handshake as soon as TCP is up, "
                   "and the first protocol line already travels encrypted.")
            wrong = (STARTTLS if conn.protocol is not Kind.POP3 else STLS, *_WRONG_MODES)
        elif conn.port == 25:
            answer, rfc = OPPORTUNISTIC, "RFC 3207 §4"
            why = ("Relay on port 25 uses opportunistic STARTTLS (RFC 3207, RFC 7435): upgraded when the "
                   "receiving server offers it, plaintext otherwise, and the certificate is usually not checked.")
            wrong = (IMPLICIT, *_WRONG_MODES)
        else:
            answer = STLS if conn.protocol is Kind.POP3 else STARTTLS
            rfc = {587: "RFC 3207 §4", 143: "RFC 3501 §6.2.1", 110: "RFC 2595 §4"}[conn.port]
            command = "STLS" if conn.protocol is Kind.POP3 else "STARTTLS"
            why = (f"Port {conn.port} starts in plaintext; the client sends {command}, both sides run the TLS "
                   "handshake on the same connection, and the session starts again inside TLS.")
            wrong = (IMPLICIT, *_WRONG_MODES)
        yield Question(
            trace.scenario, QuestionKind.TLS_MODE, Difficulty.MEDIUM,
            f"How does a client get TLS for {service} on port {conn.port}?",
            shuffled(rng, answer, wrong), answer, why, rfc, established.step,
        )


_READS = {
    (Kind.IMAP, 993): "IMAP over implicit TLS",
    (Kind.IMAP, 143): "IMAP, upgraded with STARTTLS",
    (Kind.POP3, 995): "POP3 over implicit TLS",
    (Kind.POP3, 110): "POP3, upgraded with STLS",
}
_NOT_READING = ("SMTP submission with STARTTLS", "SMTP relay between servers")


def read_protocol_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    for conn in trace.connections:
        answer = _READS.get((conn.protocol, conn.port))
        syn = _syn(trace, conn)
        if answer is None or syn is None:
            continue
        yield Question(
            trace.scenario, QuestionKind.READ_PROTOCOL, Difficulty.EASY,
            f"A mail client fetches new mail on port {conn.port}. Which protocol does it speak there, "
            "and how is it protected?",
            pick(rng, [*_READS.values(), *_NOT_READING], answer), answer,
            f"Port {conn.port} is {answer}. SMTP only pushes mail towards the mailbox; reading it back is "
            "IMAP's or POP3's job. 993 and 995 are implicit TLS; 143 and 110 start plain and upgrade.",
            PORT_FACTS[(conn.protocol, conn.port)][1], syn.step,
        )


# Bare acronyms: the expansions differ between sources ("Message" in RFC 6409, "Mail" in most
# course notes), and a spelled-out choice would echo the stem.
ROLES = ("MUA", "MSA", "MTA", "MDA")
_ROLE_WHY = {
    "MUA": "the MUA (user agent, RFC 6409 §2.1) is the person's mail program: it submits new mail and reads "
           "delivered mail over IMAP or POP3.",
    "MSA": "the MSA (submission agent, RFC 6409 §2.1) accepts new messages from MUAs, normally on 587 or 465 "
           "after AUTH, and passes them on.",
    "MTA": "an MTA (transfer agent, RFC 6409 §2.1) accepts messages from an MSA or another MTA, on port 25, "
           "and relays or delivers them.",
    "MDA": "the MDA (delivery agent, RFC 8601 §1.5.4) enacts the final delivery into the recipient's mailbox.",
}
_ROLE_RFC = {"MUA": "RFC 6409 §2.1", "MSA": "RFC 6409 §2.1", "MTA": "RFC 6409 §2.1", "MDA": "RFC 8601 §1.5.4"}


def role_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    """Which agent acts at a hop: the hop is described by what happens, never by the role's name."""
    for conn in trace.connections:
        events = connection_events(trace, conn.id)
        syn = _syn(trace, conn)
        if syn is None:
            continue
        client, server = who(trace, conn.client), host(trace, conn.server)
        sent_data = any(e.dir is Direction.CLIENT and verb(e) == "DATA" for e in events)
        if conn.protocol is Kind.SMTP and conn.port in (587, 465) and sent_data:
            logged_in = any(e.dir is Direction.SERVER and e.text.startswith("235") for e in events)
            how = "logs in to" if logged_in else "connects to"
            yield _role(trace, rng, "MSA", syn.step,
                        f"{client} {how} {server} on port {conn.port} and hands it a new message to send. "
                        f"Which role does {server} play in this exchange?")
            yield _role(trace, rng, "MUA", syn.step,
                        f"{client} hands a new message to {server} on port {conn.port}. Which role does "
                        f"{_short_who(trace, conn.client)} play?")
        elif conn.protocol is Kind.SMTP and conn.port == 25 and sent_data:
            yield _role(trace, rng, "MTA", syn.step,
                        f"{host(trace, conn.client)} passes a message on to {server} on port 25. Which role "
                        f"does {server} play in this exchange?")
        elif conn.protocol in (Kind.IMAP, Kind.POP3):
            yield _role(trace, rng, "MUA", syn.step,
                        f"{client} fetches mail from {server} with {conn.protocol.value.upper()} on port "
                        f"{conn.port}. Which role does {_short_who(trace, conn.client)} play?")
    for e in trace.events:
        if e.kind is Kind.DELIVER and e.text.startswith("stored in"):
            mailbox = e.text.removeprefix("stored in ").split(" on ", 1)[0]
            yield _role(trace, rng, "MDA", e.step,
                        f"{host(trace, e.src)} has accepted a message and now writes it into {mailbox} on "
                        f"{host(trace, e.dst)}. Which role does that final step belong to?")
            return


def _short_who(trace: Trace, actor_id: str) -> str:
    """A person's client by its label alone ("Alice's laptop"), once the stem has named it in full."""
    actor = trace.actor(actor_id)
    return actor.label or actor.hostname


def _role(trace: Trace, rng: random.Random, role: str, step: int, stem: str) -> Question:
    return Question(trace.scenario, QuestionKind.ROLE, Difficulty.EASY, stem, shuffled(rng, role, [r for r in ROLES if r != role]),
                    role, f"{role}: {_ROLE_WHY[role]}", _ROLE_RFC[role], step)


# -- attacks on TLS ---------------------------------------------------------------------------------
_STRIPPED_REQUIRED = ("It quits without logging in: the password is never sent",
                      ("It logs in anyway: the password is only base64-encoded",
                       "It goes on in plaintext, since port 587 is trusted",
                       "It resends the message to port 25 without TLS"))
_STRIPPED_RELAY = ("It sends the message in plaintext: a relay's TLS is opportunistic",
                   ("It refuses and bounces the message to the sender at once",
                    "It waits 30 minutes and tries again until TLS is offered",
                    "It switches to port 465 and relays over implicit TLS"))
_BAD_CERT_VERIFYING = ("It aborts the handshake and sends nothing more on it",
                       ("It carries on: the connection is encrypted all the same",
                        "It falls back to plaintext and logs in without TLS",
                        "It asks the server for a second, valid certificate"))
_BAD_CERT_RELAY = ("It carries on and delivers: nothing checks it here",
                   ("It aborts, and the message waits in the queue for retry",
                    "It bounces the message to the sender as undeliverable",
                    "It falls back to plaintext and sends the message that way"))


def tls_attack_questions(trace: Trace, rng: random.Random) -> Iterator[Question]:
    """A stripped STARTTLS offer, a bad certificate: what each kind of client does."""
    for conn in trace.connections:
        events = connection_events(trace, conn.id)
        stripped = next((e for e in events if e.kind is Kind.NOTE and e.text.startswith("removed 250-STARTTLS")), None)
        if stripped is not None and conn.protocol is Kind.SMTP:
            yield _stripped(trace, rng, conn, events, stripped)
        verdict = next((e for e in events if e.kind is Kind.TLS and ("Alert: bad_certificate" in e.text
                                                                       or "NOT valid" in e.text)), None)
        if verdict is None:
            continue
        if "Alert" in verdict.text:
            answer, wrong = _BAD_CERT_VERIFYING
            stem = (f"{who(trace, conn.client)} checks certificates. After STARTTLS, {host(trace, conn.server)} "
                    f"on port {conn.port} presents a certificate for a different host name. What does the client do?")
            why = ("It aborts: a client must validate the server's certificate (RFC 8314 §5.3), and one that "
                   "names another host may mean an attacker in the middle, so it sends a fatal alert and closes.")
            rfc = "RFC 8314 §5.3"
        else:
            answer, wrong = _BAD_CERT_RELAY
            stem = (f"{host(trace, conn.client)} relays to {host(trace, conn.server)} on port {conn.port} with "
                    "opportunistic TLS. The server's certificate has expired. What does the relay do?")
            why = ("It carries on and delivers: nothing checks the certificate on an opportunistic hop between MTAs, "
                   "so TLS there stops passive eavesdropping but not an attacker in the middle (RFC 7672 §1.3). "
                   "MTA-STS or DANE make a relay check.")
            rfc = "RFC 7672 §1.3"
        yield Question(trace.scenario, QuestionKind.TLS_ATTACK, Difficulty.HARD, stem,
                       shuffled(rng, answer, wrong), answer, why, rfc, verdict.step)


def _stripped(trace: Trace, rng: random.Random, conn: ConnectionInfo, events: list[TraceEvent],
              note: TraceEvent) -> Question:
    """The EHLO reply as it reached the client (the deleted line gone), and what the client does next."""
    removed = note.text.split()[1]
    before = events[: events.index(note)]
    start = max(i for i, e in enumerate(before) if e.dir is Direction.CLIENT and verb(e) == "EHLO")
    exhibit = tuple(exhibit_line(e) for e in before[start + 1:] if e.dir is Direction.SERVER and e.text != removed)
    if conn.port == 25:
        answer, wrong = _STRIPPED_RELAY
        relay = host(trace, conn.client)
        stem = (f"{relay} relays a message to {host(trace, conn.server)} on port 25. An attacker on the path "
                f"deleted one line from the EHLO reply, which arrives like this. What does {relay} do?")
        why = ("It sends in plaintext: relays use STARTTLS only when it is offered, so deleting the offer silently "
               "downgrades the hop (RFC 8461 §1). MTA-STS (RFC 8461) and DANE (RFC 7672) let a domain require TLS.")
        rfc = "RFC 8461 §1"
    else:
        answer, wrong = _STRIPPED_REQUIRED
        stem = (f"{who(trace, conn.client)} submits on port {conn.port} and requires TLS. An attacker on the path "
                "deleted one line from the EHLO reply, which arrives like this. What does the client do?")
        why = ("It quits: a client that requires TLS must not do anything but capability discovery or STARTTLS "
               "without it (RFC 8314 §5.2), so the password never crosses in the clear. Implicit TLS on 465 has "
               "no offer to delete.")
        rfc = "RFC 8314 §5.2"
    return Question(trace.scenario, QuestionKind.TLS_ATTACK, Difficulty.HARD, stem,
                    shuffled(rng, answer, wrong), answer, why, rfc, note.step, exhibit)


def _syn(trace: Trace, conn: ConnectionInfo) -> TraceEvent | None:
    return next((e for e in trace.events if e.conn == conn.id and e.kind is Kind.TCP and e.text.startswith("SYN →")),
                None)


__all__ = ["PORTS", "PORT_FACTS", "ROLES", "port_questions", "read_protocol_questions", "role_questions",
           "tls_attack_questions", "tls_questions"]
