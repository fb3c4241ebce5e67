"""IMAP connection states and their transitions, written down as data.

The server follows RFC 3501 section 3 (four states); which commands each
state accepts is the ``command-any`` / ``command-nonauth`` / ``command-auth``
/ ``command-select`` split of the formal syntax (section 9). TLS is an
orthogonal sub-state. The scripted client walks a fixed list of steps.
"""

from __future__ import annotations

from enum import Enum

from ..errors import LocalProtocolError

__all__ = [
    "CLIENT_FLOW",
    "COMMAND_STATES",
    "TLS_TRANSITIONS",
    "TRANSITIONS",
    "IMAPClientStep",
    "IMAPServerState",
    "IMAPServerStateMachine",
    "TLSState",
    "Trigger",
]


class IMAPServerState(Enum):
    NOT_AUTHENTICATED = "not authenticated"
    AUTHENTICATED = "authenticated"
    SELECTED = "selected"
    LOGOUT = "logout"


class TLSState(Enum):
    PLAINTEXT = "plaintext"
    NEGOTIATING = "negotiating"  # OK sent to STARTTLS, handshake pending
    ACTIVE = "active"


class Trigger(Enum):
    """What moves the server from one state to another."""

    LOGIN_OK = "login ok"
    SELECT_OK = "select ok"
    SELECT_FAILED = "select failed"  # a failed SELECT deselects (section 6.3.1)
    CLOSE = "close"
    LOGOUT = "logout"  # LOGOUT command, peer EOF
    STARTTLS_OK = "starttls ok"
    TLS_ESTABLISHED = "tls established"


_S = IMAPServerState
_LIVE = frozenset({_S.NOT_AUTHENTICATED, _S.AUTHENTICATED, _S.SELECTED})
_NONAUTH = frozenset({_S.NOT_AUTHENTICATED})
_AUTH = frozenset({_S.AUTHENTICATED, _S.SELECTED})
_SELECT = frozenset({_S.SELECTED})

# Commands this server implements and the states in which each is valid.
# Anything else is an unknown command (tagged BAD).
COMMAND_STATES: dict[str, frozenset[IMAPServerState]] = {
    "CAPABILITY": _LIVE,
    "NOOP": _LIVE,
    "LOGOUT": _LIVE,
    "STARTTLS": _NONAUTH,
    "LOGIN": _NONAUTH,
    "AUTHENTICATE": _NONAUTH,
    "SELECT": _AUTH,
    "EXAMINE": _AUTH,
    "CHECK": _SELECT,
    "CLOSE": _SELECT,
    "FETCH": _SELECT,
    "SEARCH": _SELECT,
    "UID": _SELECT,
}

TRANSITIONS: dict[tuple[IMAPServerState, Trigger], IMAPServerState] = {
    (_S.NOT_AUTHENTICATED, Trigger.LOGIN_OK): _S.AUTHENTICATED,
    (_S.AUTHENTICATED, Trigger.SELECT_OK): _S.SELECTED,
    (_S.SELECTED, Trigger.SELECT_OK): _S.SELECTED,
    (_S.AUTHENTICATED, Trigger.SELECT_FAILED): _S.AUTHENTICATED,
    (_S.SELECTED, Trigger.SELECT_FAILED): _S.AUTHENTICATED,
    (_S.SELECTED, Trigger.CLOSE): _S.AUTHENTICATED,
    **{(state, Trigger.LOGOUT): _S.LOGOUT for state in _LIVE},
}

TLS_TRANSITIONS: dict[tuple[TLSState, Trigger], TLSState] = {
    (TLSState.PLAINTEXT, Trigger.STARTTLS_OK): TLSState.NEGOTIATING,
    (TLSState.NEGOTIATING, Trigger.TLS_ESTABLISHED): TLSState.ACTIVE,
}


class IMAPServerStateMachine:
    """Holds the server's state and TLS sub-state; refuses any transition
    that is not in the tables (that would be a bug in the server)."""

    def __init__(self, implicit_tls: bool) -> None:
        self.state = IMAPServerState.NOT_AUTHENTICATED
        self.tls = TLSState.ACTIVE if implicit_tls else TLSState.PLAINTEXT

    def allows(self, command: str) -> bool:
        return self.state in COMMAND_STATES.get(command, frozenset())

    def fire(self, trigger: Trigger) -> None:
        if trigger in (Trigger.STARTTLS_OK, Trigger.TLS_ESTABLISHED):
            key = (self.tls, trigger)
            if key not in TLS_TRANSITIONS:
                raise LocalProtocolError(f"cannot {trigger.value} while TLS is {self.tls.value}")
            self.tls = TLS_TRANSITIONS[key]
            return
        new = TRANSITIONS.get((self.state, trigger))
        if new is None:
            raise LocalProtocolError(f"cannot {trigger.value} in state {self.state.value}")
        self.state = new


class IMAPClientStep(Enum):
    """Steps of the scripted client, in the order it can take them."""

    GREETING = "greeting"
    CAPABILITY = "capability"
    STARTTLS = "starttls"
    TLS_NEGOTIATING = "tls negotiating"
    CAPABILITY_TLS = "capability after tls"
    LOGIN = "login"
    SELECT = "select"
    SEARCH = "search"
    FETCH = "fetch"
    LOGOUT = "logout"
    CLOSED = "closed"


# The client's happy path: each step's successor. The client skips STARTTLS
# and CAPABILITY_TLS unless configured for STARTTLS, skips SEARCH when it
# fetches everything, and stays in FETCH until every message is fetched.
# Any NO/BAD (or a refusal to go on) jumps straight to LOGOUT.
CLIENT_FLOW: dict[IMAPClientStep, IMAPClientStep] = {
    IMAPClientStep.GREETING: IMAPClientStep.CAPABILITY,
    IMAPClientStep.CAPABILITY: IMAPClientStep.STARTTLS,
    IMAPClientStep.STARTTLS: IMAPClientStep.TLS_NEGOTIATING,
    IMAPClientStep.TLS_NEGOTIATING: IMAPClientStep.CAPABILITY_TLS,
    IMAPClientStep.CAPABILITY_TLS: IMAPClientStep.LOGIN,
    IMAPClientStep.LOGIN: IMAPClientStep.SELECT,
    IMAPClientStep.SELECT: IMAPClientStep.SEARCH,
    IMAPClientStep.SEARCH: IMAPClientStep.FETCH,
    IMAPClientStep.FETCH: IMAPClientStep.LOGOUT,
    IMAPClientStep.LOGOUT: IMAPClientStep.CLOSED,
}
