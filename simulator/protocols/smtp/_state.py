"""SMTP states and the rules between them, as data (h11's `_state.py` idea).

The server and client code look these tables up instead of hard-coding the
sequencing rules, so the rules can be read (and taught) in one place.
"""

from __future__ import annotations

from enum import Enum


class ServerState(Enum):
    NEW = "new"  # start() not called yet
    CONNECTED = "connected"  # greeting sent, no accepted EHLO/HELO yet
    REFUSED = "refused"  # 554 greeting: only QUIT is accepted (RFC 5321 §3.1)
    READY = "ready"  # greeted, no mail transaction
    MAIL = "mail"  # MAIL accepted, no recipient yet
    RCPT = "rcpt"  # at least one recipient accepted
    DATA = "data"  # reading message content after 354
    AUTH = "auth"  # inside a SASL exchange (after a 334)
    STARTTLS = "starttls"  # 220 to STARTTLS sent; waiting for tls_established()
    VERDICT = "verdict"  # the final dot arrived; the policy's answer waits on I/O (verdict() gives it)
    CLOSED = "closed"


S = ServerState

# Every verb the server recognizes; anything else gets 500 (RFC 5321 §4.2.4).
KNOWN_VERBS = frozenset(
    {"EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH"}
)

# Verbs that take no argument; with one they get 501 (RFC 5321 §4.3.2, RFC 3207 §4).
NO_ARGUMENT_VERBS = frozenset({"DATA", "RSET", "QUIT", "STARTTLS"})

# RFC 3207 §4: a server requiring TLS answers 530 to everything else
# (RFC 3207 lists NOOP, EHLO, STARTTLS, QUIT; HELO and RSET are harmless too).
ALLOWED_BEFORE_TLS = frozenset({"EHLO", "HELO", "STARTTLS", "NOOP", "RSET", "QUIT"})

# RFC 4954 §6: 530 5.7.0 for any command other than AUTH, EHLO, HELO, NOOP, RSET,
# QUIT when authentication is required (STARTTLS must come before AUTH, so it too).
ALLOWED_BEFORE_AUTH = frozenset({"EHLO", "HELO", "AUTH", "NOOP", "RSET", "QUIT", "STARTTLS"})

# The states in which a verb is in sequence; elsewhere it gets 503 (RFC 5321 §4.1.4,
# §3.3; RFC 4954 §4 for AUTH; STARTTLS only between transactions after EHLO). Tuples: asked on
# every command, and a tuple is searched by identity where a set would call the Enum's __hash__.
IN_SEQUENCE: dict[str, tuple[ServerState, ...]] = {
    "MAIL": (S.READY,),
    "RCPT": (S.MAIL, S.RCPT),
    "DATA": (S.RCPT,),
    "AUTH": (S.READY,),
    "STARTTLS": (S.READY,),
}

# Why a verb is out of sequence, by the state it arrived in (the 503 reply text).
SEQUENCE_ERRORS: dict[tuple[str, ServerState], str] = {
    ("MAIL", S.CONNECTED): "Send HELO/EHLO first",
    ("MAIL", S.MAIL): "Nested MAIL command",
    ("MAIL", S.RCPT): "Nested MAIL command",
    ("RCPT", S.CONNECTED): "Send HELO/EHLO first",
    ("RCPT", S.READY): "Need MAIL command",
    ("DATA", S.CONNECTED): "Send HELO/EHLO first",
    ("DATA", S.READY): "Need MAIL command",
    ("DATA", S.MAIL): "Need RCPT command",
    ("AUTH", S.CONNECTED): "Send EHLO first",
    ("AUTH", S.MAIL): "AUTH not permitted during a mail transaction",
    ("AUTH", S.RCPT): "AUTH not permitted during a mail transaction",
    ("STARTTLS", S.CONNECTED): "Send EHLO first",
    ("STARTTLS", S.MAIL): "STARTTLS not permitted during a mail transaction",
    ("STARTTLS", S.RCPT): "STARTTLS not permitted during a mail transaction",
}

# Where a command that succeeded leads. RSET and a failed EHLO keep "greeted-ness";
# see `after_rset`.
AFTER_SUCCESS: dict[str, ServerState] = {
    "EHLO": S.READY,  # §4.1.4: a new EHLO also resets the transaction
    "HELO": S.READY,
    "MAIL": S.MAIL,
    "RCPT": S.RCPT,
    "DATA": S.DATA,  # 354 sent
    "DATA-END": S.READY,  # final dot answered, whatever the answer
    "AUTH": S.AUTH,  # a 334 challenge sent
    "AUTH-END": S.READY,
    "STARTTLS": S.STARTTLS,
    "TLS-ESTABLISHED": S.CONNECTED,  # RFC 3207 §4.2: back to the state after the greeting
    "QUIT": S.CLOSED,
}


def after_rset(state: ServerState) -> ServerState:
    """RSET aborts the transaction but does not undo EHLO (§4.1.1.5)."""
    return S.CONNECTED if state in (S.CONNECTED, S.REFUSED) else S.READY


# Where lines are message content or SASL responses rather than commands.
NON_COMMAND_STATES = frozenset({S.DATA, S.AUTH})


class ClientState(Enum):
    GREETING = "greeting"  # waiting for the 220
    EHLO = "ehlo"
    HELO = "helo"
    STARTTLS = "starttls"
    TLS_HANDSHAKE = "tls-handshake"  # driver is doing the handshake
    AUTH = "auth"
    READY = "ready"  # between transactions
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"  # DATA sent, waiting for 354
    DATA_END = "data-end"  # content sent, waiting for the final reply
    RSET = "rset"
    QUIT = "quit"
    CLOSED = "closed"


# The client's state is "what is the oldest command still waiting for a reply".
CLIENT_STATE_FOR_COMMAND: dict[str, ClientState] = {
    "GREETING": ClientState.GREETING,
    "EHLO": ClientState.EHLO,
    "HELO": ClientState.HELO,
    "STARTTLS": ClientState.STARTTLS,
    "AUTH": ClientState.AUTH,
    "MAIL": ClientState.MAIL,
    "RCPT": ClientState.RCPT,
    "DATA": ClientState.DATA,
    "DATA-END": ClientState.DATA_END,
    "RSET": ClientState.RSET,
    "QUIT": ClientState.QUIT,
}

# RFC 2920 §3.1: MAIL, RCPT and RSET may sit anywhere in a pipelined group;
# DATA (and EHLO, QUIT, NOOP, STARTTLS, AUTH) only last.
PIPELINABLE = frozenset({"MAIL", "RCPT", "RSET"})
