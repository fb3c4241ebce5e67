"""What the SMTP server is configured with and asks the application about.

`SMTPServerConfig` is static configuration, `Envelope` an immutable snapshot
of what the server knows, and `ServerPolicy` the decisions the application
makes (credentials, senders, recipients, messages). All are re-exported by
`server` and by the package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from simulator.protocols.smtp import _sasl
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp.replies import Reply


class Role(Enum):
    MSA = "msa"  # submission (RFC 6409): authenticated users relay anywhere
    MTA = "mta"  # relay/delivery: accepts mail for its local domains only


@dataclass(frozen=True)
class SMTPServerConfig:
    """How a server behaves: its name, role, domains and what it offers and requires."""

    hostname: str
    role: Role
    local_domains: frozenset[str] = frozenset()
    starttls_available: bool = True
    implicit_tls: bool = False
    require_tls: bool = False
    require_auth: bool | None = None  # None: True for an MSA, False for an MTA
    auth_mechanisms: tuple[str, ...] = ("PLAIN", "LOGIN")
    max_message_size: int = 10_485_760
    max_recipients: int = 100
    banner: str = "ESMTP smtpsim"
    # Postfix's defaults: after hard_error_limit errors (5yz replies) without a delivered message, 421
    # and close; past soft_error_limit the driver delays each reply (smtpd_error_sleep_time, 1 s);
    # past junk_command_limit NOOP/VRFY/RSET commands, each counts as an error.
    hard_error_limit: int = 20
    soft_error_limit: int = 10
    junk_command_limit: int = 100

    def __post_init__(self) -> None:
        if self.require_auth is None:
            object.__setattr__(self, "require_auth", self.role is Role.MSA)
        # Domains compare case-insensitively and without a trailing root dot.
        object.__setattr__(
            self, "local_domains", frozenset(d.lower().rstrip(".") for d in self.local_domains)
        )
        mechanisms = tuple(m.upper() for m in self.auth_mechanisms)
        unknown = [m for m in mechanisms if m not in _sasl.MECHANISMS]
        if unknown:
            raise ValueError(f"unsupported AUTH mechanisms: {unknown}")
        object.__setattr__(self, "auth_mechanisms", mechanisms)
        if not self.hostname or self.max_recipients < 1 or self.max_message_size < 1:
            raise ValueError("hostname, max_recipients and max_message_size must be set")


@dataclass(frozen=True)
class Pending:
    """``accept_message``'s answer when the reply waits on work a state machine must not do (a disk write).

    The machine hands it to its driver as an ``AnswerPending`` event: ``work()``
    runs where blocking does no harm (live mode: its writer thread) and may raise
    OSError; then, where the machine runs, ``settle(error)`` (None, or what
    ``work`` raised) gives the reply. Until then the machine keeps pipelined
    commands unread (RFC 2920 §3.1: replies stay in order).
    """

    work: Callable[[], None]
    settle: Callable[[OSError | None], Reply]


@dataclass(frozen=True)
class Envelope:
    """What the server knows about the session and transaction at one moment."""

    helo: str | None = None
    esmtp: bool = False
    mail_from: str | None = None  # without <>; "" for the null sender
    rcpt_to: tuple[str, ...] = ()
    mail_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    auth_user: str | None = None
    tls: bool = False

    @property
    def transmission_type(self) -> str:
        """RFC 3848 "with" keyword for the Received header."""
        if not self.esmtp:
            return "SMTP"
        return "ESMTP" + ("S" if self.tls else "") + ("A" if self.auth_user else "")


class ServerPolicy:
    """The application's decisions. This default accepts everything sensible.

    `users` (username -> password) restricts AUTH to those accounts; without it
    any non-empty username and password is accepted. Subclasses need not call
    `__init__`: the class attributes below are the defaults.
    """

    users: dict[str, str] | None = None
    _queued = 0

    def __init__(self, users: Mapping[str, str] | None = None) -> None:
        self.users = dict(users) if users is not None else None
        self._queued = 0

    def authenticate(self, mechanism: str, username: str, password: str) -> bool:
        if self.users is None:
            return bool(username and password)
        return self.users.get(username) == password

    def check_sender(self, envelope: Envelope, address: str) -> Reply | None:
        return None

    def check_recipient(self, envelope: Envelope, address: str) -> Reply | None:
        return None

    def accept_message(self, envelope: Envelope, content: bytes) -> Reply | Pending:
        # A deterministic Postfix-looking queue id: no clock, no randomness.
        self._queued += 1
        digest = hashlib.sha1(content + self._queued.to_bytes(8, "big")).hexdigest()
        return R.queued(digest[:10].upper())
