"""What one IMAP connection's command handlers share: its state, its mailbox, its output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..mailstore import MailStore, Problem, StoreError
from ._framing import MAX_APPEND
from ._state import IMAPServerState, IMAPServerStateMachine, InputMode, TLSState
from ._syntax import Atom, IMAPSyntaxError, Token
from ._view import SelectedMailbox
from .responses import Texts

__all__ = ["CAPABILITIES_AUTHENTICATED", "IMAPServerConfig", "Session", "no_args", "store_error_text"]

# Advertised after login (RFC 3501 §6.1.1, each extension's RFC for its name).
CAPABILITIES_AUTHENTICATED = (
    "NAMESPACE", "UIDPLUS", "MOVE", "UNSELECT", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE",
    f"APPENDLIMIT={MAX_APPEND}",
)
_CAPABILITIES_ALWAYS = ("IMAP4rev1", "SASL-IR", "ID", "ENABLE", "IDLE", "LITERAL+")
# RFC 9051 §7.1 response codes for the store's refusals.
_CODES = {
    Problem.NO_SUCH_MAILBOX: "NONEXISTENT",
    Problem.ALREADY_EXISTS: "ALREADYEXISTS",
    Problem.NOT_ALLOWED: "CANNOT",
    Problem.LIMIT: "LIMIT",
    Problem.STORAGE: "UNAVAILABLE",
}


@dataclass(frozen=True)
class IMAPServerConfig:
    """How the IMAP server behaves: its name and what TLS it offers and requires."""

    hostname: str
    implicit_tls: bool = False  # port 993: the driver did TLS before start()
    starttls_available: bool = True
    login_requires_tls: bool = True


def store_error_text(error: StoreError) -> str:
    return f"[{_CODES[error.problem]}] {error.text}"


def no_args(args: list[Token]) -> None:
    if args:
        raise IMAPSyntaxError("this command takes no arguments")


class Session:
    """The state the command handlers read and change, and the output they write."""

    def __init__(self, config: IMAPServerConfig, store: MailStore) -> None:
        self.config = config
        self.store = store
        self.machine = IMAPServerStateMachine(config.implicit_tls)
        self.out = bytearray()
        self.user: str | None = None
        self.selected: SelectedMailbox | None = None
        self.mode = InputMode.COMMAND
        self.pending_tag: str | None = None  # the tag of AUTHENTICATE or IDLE while it waits for a line
        self.closed = False
        self.bad_in_a_row = 0  # BAD responses since the last OK or NO (Dovecot ends the session at 20)
        self.wakeup: Callable[[], None] | None = None  # the driver's: output is waiting, unprompted
        self.on_change: Callable[[], None] | None = None  # the server's: the selected mailbox changed

    @property
    def state(self) -> IMAPServerState:
        return self.machine.state

    @property
    def tls_active(self) -> bool:
        return self.machine.tls is TLSState.ACTIVE

    @property
    def username(self) -> str:
        assert self.user is not None
        return self.user

    # --- output ----------------------------------------------------------------------------------

    def untagged(self, text: str | bytes) -> None:
        raw = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        self.out += b"* " + raw + b"\r\n"
        if raw.startswith(b"BAD"):
            self.bad_in_a_row += 1

    def tagged(self, tag: str, status: str, text: str) -> None:
        self.out += f"{tag} {status} {text}\r\n".encode("utf-8", "surrogateescape")
        self.bad_in_a_row = self.bad_in_a_row + 1 if status == "BAD" else 0

    def cont(self, text: str) -> None:
        self.out += f"+ {text}\r\n".encode("utf-8", "surrogateescape")

    def complete(self, tag: str, status: str, text: str, *, expunge: bool = True, uid: bool = False) -> None:
        """End a command: first what changed in the selected mailbox meanwhile, then the tagged status."""
        self.report_changes(expunge=expunge, uid=uid)
        if not self.closed:  # after a BYE (the mailbox was deleted) nothing more is said
            self.tagged(tag, status, text)

    def report_changes(self, *, expunge: bool = True, uid: bool = False) -> None:
        if self.selected is None:
            return
        lines = self.selected.sync(expunge, uid)
        for line in lines:
            self.untagged(line)
        if self.selected.deleted:
            self.untagged("BYE " + Texts.MAILBOX_DELETED)
            self.closed = True

    def capabilities(self) -> str:
        caps = list(_CAPABILITIES_ALWAYS)
        if self.state is IMAPServerState.NOT_AUTHENTICATED:
            if not self.tls_active:
                if self.config.starttls_available:
                    caps.append("STARTTLS")
                if self.config.login_requires_tls:
                    caps.append("LOGINDISABLED")
                    return " ".join(caps)
            caps.append("AUTH=PLAIN")  # RFC 3501 section 6.1.1: MUST implement
            return " ".join(caps)
        return " ".join(caps + list(CAPABILITIES_AUTHENTICATED))

    def login_disabled(self) -> bool:
        return self.config.login_requires_tls and not self.tls_active

    # --- the selected mailbox --------------------------------------------------------------------

    def deselect(self) -> None:
        if self.selected is not None:
            self.selected.close()
            self.selected = None

    def selected_box(self) -> SelectedMailbox:
        assert self.selected is not None  # the state table admits the command only when selected
        return self.selected


def atom_upper(token: Token) -> str:
    return token.upper() if isinstance(token, Atom) else ""
