"""POP3 session states and their transitions, written down as data.

RFC 1939 section 3 names three states (AUTHORIZATION, TRANSACTION, UPDATE);
CLOSED marks the end. RFC 2595 adds STLS, modelled as an orthogonal TLS
sub-state. The scripted client walks a fixed list of steps.
"""

from __future__ import annotations

from enum import Enum

from ..errors import LocalProtocolError

__all__ = [
    "CLIENT_FLOW",
    "COMMAND_STATES",
    "TLS_TRANSITIONS",
    "TRANSITIONS",
    "POP3ClientStep",
    "POP3ServerStateMachine",
    "POP3State",
    "TLSState",
    "Trigger",
]


class POP3State(Enum):
    AUTHORIZATION = "authorization"
    TRANSACTION = "transaction"
    UPDATE = "update"
    CLOSED = "closed"


class TLSState(Enum):
    PLAINTEXT = "plaintext"
    NEGOTIATING = "negotiating"  # +OK sent to STLS, handshake pending
    ACTIVE = "active"


class Trigger(Enum):
    LOGIN_OK = "login ok"
    QUIT = "quit"
    UPDATED = "updated"  # UPDATE state finished removing messages
    EOF = "eof"  # the peer went away: no UPDATE (RFC 1939 section 6)
    STLS_OK = "stls ok"
    TLS_ESTABLISHED = "tls established"


_S = POP3State
_AUTH = frozenset({_S.AUTHORIZATION})
_TRANS = frozenset({_S.TRANSACTION})
_BOTH = _AUTH | _TRANS

# Commands this server implements and where each is valid (RFC 1939 section
# 9, RFC 2449 for CAPA, RFC 2595 for STLS). Others get -ERR.
COMMAND_STATES: dict[str, frozenset[POP3State]] = {
    "CAPA": _BOTH,
    "QUIT": _BOTH,
    "STLS": _AUTH,
    "USER": _AUTH,
    "PASS": _AUTH,
    "STAT": _TRANS,
    "LIST": _TRANS,
    "RETR": _TRANS,
    "DELE": _TRANS,
    "NOOP": _TRANS,
    "RSET": _TRANS,
    "TOP": _TRANS,
    "UIDL": _TRANS,
}

TRANSITIONS: dict[tuple[POP3State, Trigger], POP3State] = {
    (_S.AUTHORIZATION, Trigger.LOGIN_OK): _S.TRANSACTION,
    # QUIT in AUTHORIZATION ends the session without UPDATE (section 6).
    (_S.AUTHORIZATION, Trigger.QUIT): _S.CLOSED,
    (_S.TRANSACTION, Trigger.QUIT): _S.UPDATE,
    (_S.UPDATE, Trigger.UPDATED): _S.CLOSED,
    (_S.AUTHORIZATION, Trigger.EOF): _S.CLOSED,
    (_S.TRANSACTION, Trigger.EOF): _S.CLOSED,
}

TLS_TRANSITIONS: dict[tuple[TLSState, Trigger], TLSState] = {
    (TLSState.PLAINTEXT, Trigger.STLS_OK): TLSState.NEGOTIATING,
    (TLSState.NEGOTIATING, Trigger.TLS_ESTABLISHED): TLSState.ACTIVE,
}


class POP3ServerStateMachine:
    """Holds the session state and TLS sub-state; refuses any transition
    not in the tables (that would be a bug in the server)."""

    def __init__(self, implicit_tls: bool) -> None:
        self.state = POP3State.AUTHORIZATION
        self.tls = TLSState.ACTIVE if implicit_tls else TLSState.PLAINTEXT

    def allows(self, command: str) -> bool:
        return self.state in COMMAND_STATES.get(command, frozenset())

    def fire(self, trigger: Trigger) -> None:
        if trigger in (Trigger.STLS_OK, Trigger.TLS_ESTABLISHED):
            new_tls = TLS_TRANSITIONS.get((self.tls, trigger))
            if new_tls is None:
                raise LocalProtocolError(f"cannot {trigger.value} while TLS is {self.tls.value}")
            self.tls = new_tls
            return
        new = TRANSITIONS.get((self.state, trigger))
        if new is None:
            raise LocalProtocolError(f"cannot {trigger.value} in state {self.state.value}")
        self.state = new


class POP3ClientStep(Enum):
    """Steps of the scripted client, in the order it can take them."""

    GREETING = "greeting"
    CAPA = "capa"
    STLS = "stls"
    TLS_NEGOTIATING = "tls negotiating"
    CAPA_TLS = "capa after tls"
    USER = "user"
    PASS = "pass"
    STAT = "stat"
    RETR = "retr"
    DELE = "dele"
    QUIT = "quit"
    CLOSED = "closed"


# The client's happy path. It skips the TLS steps unless configured for
# STLS, loops RETR (and DELE, if deleting) over every message, and jumps to
# QUIT on any -ERR it cannot live with.
CLIENT_FLOW: dict[POP3ClientStep, POP3ClientStep] = {
    POP3ClientStep.GREETING: POP3ClientStep.CAPA,
    POP3ClientStep.CAPA: POP3ClientStep.STLS,
    POP3ClientStep.STLS: POP3ClientStep.TLS_NEGOTIATING,
    POP3ClientStep.TLS_NEGOTIATING: POP3ClientStep.CAPA_TLS,
    POP3ClientStep.CAPA_TLS: POP3ClientStep.USER,
    POP3ClientStep.USER: POP3ClientStep.PASS,
    POP3ClientStep.PASS: POP3ClientStep.STAT,
    POP3ClientStep.STAT: POP3ClientStep.RETR,
    POP3ClientStep.RETR: POP3ClientStep.DELE,
    POP3ClientStep.DELE: POP3ClientStep.RETR,
    POP3ClientStep.QUIT: POP3ClientStep.CLOSED,
}
