"""IMAP connection states and their transitions, written down as data.

The server follows RFC 3501 section 3 (four states); which commands each
state accepts is the ``command-any`` / ``command-nonauth`` / ``command-auth``
/ ``command-select`` split of the formal syntax (section 9), with each
extension's command where its RFC puts it. TLS is an orthogonal sub-state;
so is how the server reads input (commands, an AUTHENTICATE response, the
DONE that ends IDLE). The scripted client walks a fixed list of steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..errors import LocalProtocolError

__all__ = [
    "CLIENT_FLOW",
    "IDLE_FLOW",
    "IDLE_REFRESH",
    "COMMANDS",
    "COMMAND_STATES",
    "UID_COMMANDS",
    "CommandRule",
    "TLS_TRANSITIONS",
    "TRANSITIONS",
    "IMAPClientStep",
    "IMAPServerState",
    "IMAPServerStateMachine",
    "InputMode",
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


class InputMode(Enum):
    """What the next line from the client is."""

    COMMAND = "command"
    AUTH_RESPONSE = "authenticate response"  # RFC 3501 §6.2.2: base64, or "*" to cancel
    IDLE_DONE = "done"  # RFC 2177 §3: only "DONE" ends IDLE


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


@dataclass(frozen=True)
class CommandRule:
    """Where a command is valid, and the text that says so."""

    states: frozenset[IMAPServerState]
    rfc: str


# Commands this server implements, the states in which each is valid (RFC 3501 §9's
# command-any / -nonauth / -auth / -select, and each extension's own), and the section.
# Anything else is an unknown command (tagged BAD).
COMMANDS: dict[str, CommandRule] = {
    "CAPABILITY": CommandRule(_LIVE, "RFC 3501 §6.1.1"),
    "NOOP": CommandRule(_LIVE, "RFC 3501 §6.1.2"),
    "LOGOUT": CommandRule(_LIVE, "RFC 3501 §6.1.3"),
    "ID": CommandRule(_LIVE, "RFC 2971"),  # any state: clients send it before LOGIN too
    "STARTTLS": CommandRule(_NONAUTH, "RFC 3501 §6.2.1"),
    "AUTHENTICATE": CommandRule(_NONAUTH, "RFC 3501 §6.2.2"),
    "LOGIN": CommandRule(_NONAUTH, "RFC 3501 §6.2.3"),
    "ENABLE": CommandRule(_AUTH, "RFC 9051 §6.3.1"),  # RFC 5161
    "SELECT": CommandRule(_AUTH, "RFC 3501 §6.3.1"),
    "EXAMINE": CommandRule(_AUTH, "RFC 3501 §6.3.2"),
    "CREATE": CommandRule(_AUTH, "RFC 3501 §6.3.3"),
    "DELETE": CommandRule(_AUTH, "RFC 3501 §6.3.4"),
    "RENAME": CommandRule(_AUTH, "RFC 3501 §6.3.5"),
    "SUBSCRIBE": CommandRule(_AUTH, "RFC 3501 §6.3.6"),
    "UNSUBSCRIBE": CommandRule(_AUTH, "RFC 3501 §6.3.7"),
    "LIST": CommandRule(_AUTH, "RFC 3501 §6.3.8; RFC 9051 §6.3.9"),
    "LSUB": CommandRule(_AUTH, "RFC 3501 §6.3.9"),
    "NAMESPACE": CommandRule(_AUTH, "RFC 9051 §6.3.10"),  # RFC 2342
    "STATUS": CommandRule(_AUTH, "RFC 3501 §6.3.10"),
    "APPEND": CommandRule(_AUTH, "RFC 3501 §6.3.11"),
    "IDLE": CommandRule(_AUTH, "RFC 2177 §3"),  # authenticated or selected (RFC 9051 §6.3.13)
    "CHECK": CommandRule(_SELECT, "RFC 3501 §6.4.1"),
    "CLOSE": CommandRule(_SELECT, "RFC 3501 §6.4.2"),
    "UNSELECT": CommandRule(_SELECT, "RFC 9051 §6.4.2"),  # RFC 3691
    "EXPUNGE": CommandRule(_SELECT, "RFC 3501 §6.4.3"),
    "SEARCH": CommandRule(_SELECT, "RFC 3501 §6.4.4"),
    "FETCH": CommandRule(_SELECT, "RFC 3501 §6.4.5"),
    "STORE": CommandRule(_SELECT, "RFC 3501 §6.4.6"),
    "COPY": CommandRule(_SELECT, "RFC 3501 §6.4.7"),
    "MOVE": CommandRule(_SELECT, "RFC 9051 §6.4.8"),  # RFC 6851
    "UID": CommandRule(_SELECT, "RFC 3501 §6.4.8"),
}
# What may follow UID: COPY, FETCH, SEARCH, STORE (RFC 3501 §6.4.8), MOVE (RFC 9051 §6.4.9),
# EXPUNGE (UIDPLUS, RFC 9051 §6.4.9).
UID_COMMANDS = frozenset({"COPY", "FETCH", "SEARCH", "STORE", "MOVE", "EXPUNGE"})
COMMAND_STATES: dict[str, frozenset[IMAPServerState]] = {name: rule.states for name, rule in COMMANDS.items()}

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
        rule = COMMANDS.get(command)
        return rule is not None and self.state in rule.states

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
    FOLDERS = "folders"  # LIST with SPECIAL-USE (RFC 6154), to find the Trash folder
    SELECT = "select"
    SEARCH = "search"
    FETCH = "fetch"
    TIDY = "tidy"  # move what was read to another mailbox (MOVE, or COPY + STORE + EXPUNGE)
    IDLE = "idle"  # RFC 2177: wait to be told of changes
    DONE = "done"  # IDLE ended, waiting for its tagged OK
    FETCH_NEW = "fetch new"  # the headers of what IDLE announced
    LOGOUT = "logout"
    CLOSED = "closed"


# The client's happy path: each step's successor. The client skips STARTTLS
# and CAPABILITY_TLS unless configured for STARTTLS, skips SEARCH when it
# fetches everything, stays in FETCH until every message is fetched, and
# skips FOLDERS and TIDY unless it moves what it read. Any NO/BAD (or a refusal to go
# on) jumps straight to LOGOUT.
CLIENT_FLOW: dict[IMAPClientStep, IMAPClientStep] = {
    IMAPClientStep.GREETING: IMAPClientStep.CAPABILITY,
    IMAPClientStep.CAPABILITY: IMAPClientStep.STARTTLS,
    IMAPClientStep.STARTTLS: IMAPClientStep.TLS_NEGOTIATING,
    IMAPClientStep.TLS_NEGOTIATING: IMAPClientStep.CAPABILITY_TLS,
    IMAPClientStep.CAPABILITY_TLS: IMAPClientStep.LOGIN,
    IMAPClientStep.LOGIN: IMAPClientStep.FOLDERS,
    IMAPClientStep.FOLDERS: IMAPClientStep.SELECT,
    IMAPClientStep.SELECT: IMAPClientStep.SEARCH,
    IMAPClientStep.SEARCH: IMAPClientStep.FETCH,
    IMAPClientStep.FETCH: IMAPClientStep.TIDY,
    IMAPClientStep.TIDY: IMAPClientStep.LOGOUT,
    IMAPClientStep.LOGOUT: IMAPClientStep.CLOSED,
}
# A client that stays connected (a phone): after reading it IDLEs; when told of new mail it
# ends IDLE with DONE, fetches the new headers and IDLEs again. When its IDLE timer runs
# out (RFC 2177: re-issue at least every 29 minutes) it says DONE and logs out.
IDLE_FLOW: dict[IMAPClientStep, IMAPClientStep] = {
    IMAPClientStep.TIDY: IMAPClientStep.IDLE,
    IMAPClientStep.IDLE: IMAPClientStep.DONE,
    IMAPClientStep.DONE: IMAPClientStep.FETCH_NEW,
    IMAPClientStep.FETCH_NEW: IMAPClientStep.IDLE,
}
IDLE_REFRESH = 29 * 60.0  # seconds (RFC 2177 §3)
