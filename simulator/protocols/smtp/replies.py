"""The one catalogue of SMTP replies: every reply the server sends, and what codes mean.

A `Reply` is a basic code (RFC 5321 §4.2), an optional enhanced status code
(RFC 3463, carried as the first word of the text per RFC 2034) and the text.
The server only ever sends replies built from the constants and builders here,
so the dialogue a learner sees is consistent; what each code means, in plain
words, is in ``simulator.protocols.smtp.meanings`` (``describe()``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import overload

from simulator.protocols.errors import RemoteProtocolError

# RFC 3463 §2: class "." subject "." detail; class agrees with the basic code (RFC 2034 §4).
_ENHANCED_RE = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})")
_ENHANCED_PREFIX_RE = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})(?: +|$)")
_REPLY_LINE_RE = re.compile(r"(\d{3})([ -]?)(.*)", re.DOTALL)
# Enhanced codes already validated, with their class digit (saves the regex on hot paths).
_CHECKED_ENHANCED: dict[str, int] = {}


@dataclass(frozen=True)
class Reply:
    """One SMTP reply, possibly multi-line (RFC 5321 §4.2.1)."""

    code: int
    enhanced: str | None
    text: str | tuple[str, ...]

    def __post_init__(self) -> None:
        # RFC 5321 §4.2: three digits, first digit 2-5 (out-of-range codes are fatal to clients).
        if not 200 <= self.code <= 599:
            raise ValueError(f"reply code out of range: {self.code}")
        if self.enhanced is not None and _CHECKED_ENHANCED.get(self.enhanced) != self.code // 100:
            match = _ENHANCED_RE.fullmatch(self.enhanced)
            if match is None:
                raise ValueError(f"malformed enhanced status code: {self.enhanced!r}")
            if int(match.group(1)) != self.code // 100:
                raise ValueError(f"enhanced code {self.enhanced} disagrees with {self.code}")
            if self.code // 100 == 3:
                raise ValueError("3xx replies carry no enhanced code (RFC 2034 §4)")
            if len(_CHECKED_ENHANCED) < 4096:  # bounded: codes may come off the wire
                _CHECKED_ENHANCED[self.enhanced] = self.code // 100
        for line in (self.text,) if isinstance(self.text, str) else self.text:
            # Never let a text smuggle a line break into the reply stream.
            if "\r" in line or "\n" in line:
                raise ValueError(f"reply text contains a line break: {line!r}")

    @property
    def text_lines(self) -> tuple[str, ...]:
        if isinstance(self.text, str):
            return (self.text,)
        return self.text or ("",)

    @property
    def message(self) -> str:
        """The text as one string (lines joined by a space), without the enhanced code."""
        return " ".join(self.text_lines)

    def lines(self, enhanced_codes: bool = True) -> list[str]:
        """Reply lines without CRLF: `NNN-text` for all but the last, `NNN text` last."""
        prefix = f"{self.enhanced} " if enhanced_codes and self.enhanced else ""
        texts = self.text_lines
        last = len(texts) - 1
        code = f"{self.code:03d}"
        return [f"{code}{' ' if i == last else '-'}{prefix}{text}" for i, text in enumerate(texts)]

    def to_bytes(self, enhanced_codes: bool = True) -> bytes:
        # Replies are immutable and the catalogue's constants are sent over and over:
        # render once per instance (kept outside the fields, so equality is unaffected).
        key = "_wire" if enhanced_codes else "_wire_plain"
        wire: bytes | None = self.__dict__.get(key)
        if wire is None:
            wire = ("\r\n".join(self.lines(enhanced_codes)) + "\r\n").encode("ascii", "replace")
            object.__setattr__(self, key, wire)  # frozen dataclass: bypass on purpose
        return wire

    # RFC 5321 §4.2.1: the first digit says good, bad or incomplete.
    @property
    def is_positive(self) -> bool:
        """2yz (positive completion) or 3yz (positive intermediate)."""
        return self.code < 400

    @property
    def is_completion(self) -> bool:
        return 200 <= self.code < 300

    @property
    def is_intermediate(self) -> bool:
        return 300 <= self.code < 400

    @property
    def is_transient(self) -> bool:
        return 400 <= self.code < 500

    @property
    def is_permanent(self) -> bool:
        return self.code >= 500

    def with_text(self, *text: str) -> Reply:
        """Same code and enhanced code, new text (several arguments = several lines)."""
        return _with_text(self, text)

    def with_enhanced(self, enhanced: str | None) -> Reply:
        return _with_enhanced(self, enhanced)

    def __str__(self) -> str:
        return "\n".join(self.lines(True))


# Replies are immutable and a run derives the same ones over and over (each host's greeting and
# EHLO list, "<host> closing"): equal inputs give one shared Reply, whose wire form (to_bytes) is
# then rendered once. Bounded: a text may carry per-message data (a queue id, an address).
REPLIES_CACHED = 1024


@lru_cache(maxsize=REPLIES_CACHED)
def _with_text(reply: Reply, text: tuple[str, ...]) -> Reply:
    return dataclasses.replace(reply, text=text[0] if len(text) == 1 else text)


@lru_cache(maxsize=REPLIES_CACHED)
def _with_enhanced(reply: Reply, enhanced: str | None) -> Reply:
    return dataclasses.replace(reply, enhanced=enhanced)


# --- builders for replies whose text carries data -----------------------------------------


@lru_cache(maxsize=REPLIES_CACHED)
def greeting(hostname: str, banner: str = "ESMTP smtpsim") -> Reply:
    """RFC 5321 §4.3.1/§4.2: `220 <domain> ...`; the greeting has no enhanced code (RFC 2034 §3)."""
    return Reply(220, None, f"{hostname} {banner}".rstrip())


def helo_ok(hostname: str) -> Reply:
    """HELO gets a single line; no enhanced code on any HELO/EHLO response (RFC 2034 §3)."""
    return Reply(250, None, hostname)


def ehlo_ok(hostname: str, keywords: tuple[str, ...] | list[str]) -> Reply:
    """RFC 5321 §4.1.1.1 ehlo-ok-rsp: the domain first, then one extension keyword per line."""
    return _ehlo_ok(hostname, tuple(keywords))


@lru_cache(maxsize=REPLIES_CACHED)
def _ehlo_ok(hostname: str, keywords: tuple[str, ...]) -> Reply:
    return Reply(250, None, (hostname, *keywords))


def queued(queue_id: str) -> Reply:
    """A typical positive end-of-data reply (Postfix wording)."""
    return Reply(250, "2.0.0", f"{_QUEUED_PREFIX}{queue_id}")


_QUEUED_PREFIX = "Ok: queued as "


def parse_queued(text: str) -> str | None:
    """The queue id in a `queued()` reply's text (without code and enhanced code), or None."""
    if not text.startswith(_QUEUED_PREFIX):
        return None
    queue_id = text[len(_QUEUED_PREFIX):].strip()
    return queue_id or None


def for_recipient(reply: Reply, address: str) -> Reply:
    """A recipient's refusal with the address in front, as Postfix words it: ``<bob@x>: ...``."""
    return reply.with_text(f"<{address}>: {reply.message}")


def greylisted(address: str, delay: float) -> Reply:
    """451 4.7.1 with the greylisting delay in minutes."""
    text = GREYLISTED.message.replace("try again later", f"try again in {delay / 60:g} minutes")
    return for_recipient(GREYLISTED.with_text(text), address)


def auth_challenge(base64_text: str) -> Reply:
    """RFC 4954 §4: a 334 whose text is only the base64 challenge; empty gives "334 "."""
    return Reply(334, None, base64_text)


# --- RFC 5321 §4.2.2 / §4.3.2 with RFC 3463 enhanced codes --------------------------------

OK = Reply(250, "2.0.0", "Ok")
SENDER_OK = Reply(250, "2.1.0", "Sender ok")  # X.1.0 other address status
RECIPIENT_OK = Reply(250, "2.1.5", "Recipient ok")  # X.1.5 destination address valid
# The same recipient again in one transaction: still 250 (as Postfix), kept once (Postfix's duplicate filter).
DUPLICATE_RECIPIENT = Reply(250, "2.1.5", "Recipient ok (already named: one copy is delivered)")
CANNOT_VRFY = Reply(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery")
HELP = Reply(
    214,
    "2.0.0",
    (
        "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
        "See RFC 5321 for their syntax",
    ),
)
START_MAIL_INPUT = Reply(354, None, "End data with <CR><LF>.<CR><LF>")
# 221/421 texts start with the server's domain (RFC 5321 §4.2); the server prefixes it.
CLOSING = Reply(221, "2.0.0", "Service closing transmission channel")
SERVICE_UNAVAILABLE = Reply(421, "4.3.2", "Service not available, closing transmission channel")
# RFC 5321 §4.5.3.2.7 lets a server close an idle connection; Postfix says this (X.4.2 bad connection).
TIMEOUT_EXCEEDED = Reply(421, "4.4.2", "Error: timeout exceeded")
# Over a connection cap (RFC 5321 §3.8: 421 when the service must close); X.7.0 as Postfix sends it.
TOO_MANY_CONNECTIONS = Reply(421, "4.7.0", "Too many connections, try again later")
# Postfix's words when a client has made smtpd_hard_error_limit (20) errors without delivering mail.
TOO_MANY_ERRORS = Reply(421, "4.7.0", "Error: too many errors")
# Postfix's words over smtpd_client_connection_count_limit (its anvil counts connections per address).
TOO_MANY_FROM_ADDRESS = Reply(421, "4.7.0", "Error: too many connections from your address")
LOCAL_ERROR = Reply(451, "4.3.0", "Requested action aborted: local error in processing")
# Durable storage failed, so no 250 (RFC 5321 §6.1: a 250 means the server took responsibility).
QUEUE_WRITE_ERROR = Reply(451, "4.3.0", "Error: queue file write error")  # Postfix's wording
MAILBOX_WRITE_ERROR = Reply(451, "4.3.0", "Error: cannot write to the mailbox, try again later")
# RFC 5321 §4.2.3: 452 insufficient system storage; RFC 3463 §3.4: X.3.1 mail system full.
SYSTEM_STORAGE_FULL = Reply(452, "4.3.1", "Insufficient system storage, try again later")
# Recipient refusals in Postfix's wording; `for_recipient()` puts the address in front.
MAILBOX_FULL_TEMP = Reply(452, "4.2.2", "Recipient address rejected: Mailbox full, try again later")
# RFC 5321 §4.5.3.1.10: too many recipients is 452 (not 552); X.5.3 too many recipients.
TOO_MANY_RECIPIENTS = Reply(452, "4.5.3", "Too many recipients")
SYNTAX_ERROR = Reply(500, "5.5.2", "Syntax error, command unrecognized")
# RFC 5321 §4.3.2 / §4.5.3.1.9: "500 Line too long" (command line over 512 octets).
LINE_TOO_LONG = Reply(500, "5.5.2", "Line too long")
# RFC 5321 §4.5.3.1.6: a text line in DATA is at most 1000 octets with CRLF; reported
# after the final dot (§4.5.3.1.9 lists "500 Line too long" for exceeded limits).
TEXT_LINE_TOO_LONG = Reply(500, "5.5.2", "Line too long: text lines are limited to 1000 octets")
ARG_SYNTAX = Reply(501, "5.5.4", "Syntax error in parameters or arguments")
EHLO_SYNTAX = Reply(501, "5.5.4", "Syntax: EHLO hostname")  # sent without the enhanced code
HELO_SYNTAX = Reply(501, "5.5.4", "Syntax: HELO hostname")  # (RFC 2034 §3: HELO/EHLO replies)
BAD_HOSTNAME = Reply(501, "5.5.2", "Invalid domain name or address literal")  # RFC 5321 §4.1.2
# RFC 5321 §4.1.2 (invalid characters -> 501), RFC 3463 X.1.7 sender / X.1.3 recipient syntax.
BAD_SENDER_SYNTAX = Reply(501, "5.1.7", "Bad sender address syntax")
BAD_RECIPIENT_SYNTAX = Reply(501, "5.1.3", "Bad recipient address syntax")
BAD_ADDRESS = BAD_RECIPIENT_SYNTAX
PATH_TOO_LONG = Reply(501, "5.5.4", "Path too long")  # RFC 5321 §4.5.3.1.3 / §4.5.3.1.9
NOT_IMPLEMENTED = Reply(502, "5.5.1", "Command not implemented")  # RFC 5321 §4.2.4
BAD_SEQUENCE = Reply(503, "5.5.1", "Bad sequence of commands")
# RFC 5321 §3.3 allows 503 or 554 when DATA has no valid recipients (RFC 2920 shows 554).
NO_VALID_RECIPIENTS = Reply(554, "5.5.1", "No valid recipients")
RELAY_DENIED = Reply(550, "5.7.1", "Relay access denied")  # X.7.1 delivery not authorized
USER_UNKNOWN = Reply(550, "5.1.1", "Recipient address rejected: User unknown in virtual mailbox table")  # X.1.1
MAILBOX_FULL = Reply(552, "5.2.2", "Recipient address rejected: Mailbox full")  # X.2.2
# RFC 1870 §4/§6.1: 552 over the fixed maximum; X.3.4 message too big for system.
MESSAGE_TOO_BIG = Reply(552, "5.3.4", "Message size exceeds fixed maximum message size")
PARAM_NOT_RECOGNIZED = Reply(  # RFC 5321 §4.1.1.11
    555, "5.5.4", "MAIL FROM/RCPT TO parameters not recognized or not implemented"
)
GREYLISTED = Reply(451, "4.7.1", "Recipient address rejected: Greylisted, please try again later")  # RFC 6647

# --- the submission server binds the sender to the login (RFC 6409 §6.1, §6.3) -------------------
# RFC 6409 §6.1 suggests 550 5.7.1 at MAIL; Postfix's reject_sender_login_mismatch sends 553 5.7.1
# (RFC 5321 §4.3.2 lists 553 for MAIL: "mailbox name not allowed"), and so do we. After the data
# RFC 6409 §6.3 names 550 5.7.1 for a message "inconsistent with permissions given to the user".
SENDER_NOT_OWNED = Reply(553, "5.7.1", "Sender address rejected: not owned by user")
FROM_NOT_OWNED = Reply(550, "5.7.1", "From: header address rejected: not owned by user")


def sender_not_owned(address: str, user: str) -> Reply:
    """553 5.7.1 in Postfix's words: ``<bob@example.net>: Sender address rejected: not owned by user alice``."""
    return SENDER_NOT_OWNED.with_text(f"<{address}>: {SENDER_NOT_OWNED.message} {user}")


def from_not_owned(address: str, user: str) -> Reply:
    """550 5.7.1 after the data: the From: field names an address the login does not own."""
    return FROM_NOT_OWNED.with_text(f"<{address}>: {FROM_NOT_OWNED.message} {user}")


# --- the MX's checks of the client's address (simulator/delivery/connectcheck.py) -------------
# RFC 7372 §3.3: X.7.25 "Reverse DNS validation failed", basic code 550 (FCrDNS: RFC 8601 §3).
REVERSE_DNS_FAILED = Reply(550, "5.7.25", "Reverse DNS validation failed")
REVERSE_DNS_TEMP = Reply(450, "4.7.25", "Reverse DNS validation failed temporarily")  # the lookup failed
# A client on a DNS blocklist (RFC 5782 §2.1): Postfix's reject_rbl_client answers 554 5.7.1.
BLOCKLISTED = Reply(554, "5.7.1", "Service unavailable; client host blocked")


def reverse_dns_failed(ip: str, why: str, *, temporary: bool = False) -> Reply:
    """550 5.7.25 (or 450 4.7.25 when DNS did not answer), saying what the check found."""
    return (REVERSE_DNS_TEMP if temporary else REVERSE_DNS_FAILED).with_text(
        f"Reverse DNS validation failed: client [{ip}] {why}")


def blocklisted(ip: str, zone: str, reason: str) -> Reply:
    """554 5.7.1 naming the list and its reason, as Postfix words it."""
    text = f"Service unavailable; client host [{ip}] blocked using {zone}"
    return BLOCKLISTED.with_text(f"{text}; {reason}" if reason else text)

# --- who may send for a domain: SPF, DKIM, DMARC (simulator/delivery/authentication/) -------
# RFC 7372 §3.2: X.7.23 "SPF validation failed", basic code 550, used in place of 5.7.1 (RFC 7208 §8.4).
SPF_FAILED = Reply(550, "5.7.23", "SPF validation failed")
# RFC 7372 §3.2: X.7.24 "SPF validation error", 451 when temporary (RFC 7208 §8.6), 550 when permanent (§8.7).
SPF_TEMP_ERROR = Reply(451, "4.7.24", "SPF validation error")
SPF_PERM_ERROR = Reply(550, "5.7.24", "SPF validation error")
# RFC 7489 §10.3's example reply: 5.7.1 with the word DMARC in the text, so software can tell why.
DMARC_REJECTED = Reply(550, "5.7.1", "Email rejected per DMARC policy")
# RFC 7489 §10.3: a receiver that cannot retrieve or apply the policy is best to defer with 4yz.
DMARC_TEMP_ERROR = Reply(451, "4.7.1", "DMARC policy could not be retrieved, try again later")


def spf_failed(domain: str, ip: str) -> Reply:
    """550 5.7.23, naming the domain whose SPF record does not list the client."""
    return SPF_FAILED.with_text(f"SPF validation failed: {domain} does not designate {ip} as permitted sender")


def spf_error(domain: str, *, temporary: bool) -> Reply:
    """451 4.7.24 or 550 5.7.24: the SPF record could not be evaluated."""
    return (SPF_TEMP_ERROR if temporary else SPF_PERM_ERROR).with_text(f"SPF validation error for {domain}")


def dmarc_rejected(domain: str) -> Reply:
    """550 5.7.1 "Email rejected per DMARC policy for <domain>" (RFC 7489 §10.3)."""
    return DMARC_REJECTED.with_text(f"Email rejected per DMARC policy for {domain}")


def dmarc_temp_error(domain: str) -> Reply:
    return DMARC_TEMP_ERROR.with_text(f"DMARC policy for {domain} could not be retrieved, try again later")

# --- SMTP smuggling defence (Postfix smtpd_forbid_bare_newline=reject, chasquid) ----------
# RFC 5321 §2.3.8: only CRLF ends a line. Postfix's reject mode answers 550 (its
# smtpd_forbid_bare_newline_reject_code default) "Error: bare <LF> received"; we use the
# same code with X.5.2 (syntax error) after the final dot, and 500 for a command line.
BARE_LF = Reply(550, "5.5.2", "Error: bare <LF> received")
BARE_CR = Reply(550, "5.5.2", "Error: bare <CR> received")
BARE_LINE_ENDING = BARE_LF
BARE_LF_IN_COMMAND = Reply(500, "5.5.2", "Error: bare <LF> received")
BARE_CR_IN_COMMAND = Reply(500, "5.5.2", "Error: bare <CR> received")

# --- STARTTLS, RFC 3207 §4 (enhanced codes as Postfix sends them) --------------------------
READY_TO_START_TLS = Reply(220, "2.0.0", "Ready to start TLS")
TLS_NOT_AVAILABLE = Reply(454, "4.7.0", "TLS not available due to temporary reason")
STARTTLS_SYNTAX = Reply(501, "5.5.4", "Syntax error (no parameters allowed)")
MUST_ISSUE_STARTTLS = Reply(530, "5.7.0", "Must issue a STARTTLS command first")  # "SHOULD be 5.7.0"
TLS_ALREADY_ACTIVE = Reply(503, "5.5.1", "TLS already active")  # RFC 3207 §4.2

# --- AUTH, RFC 4954 §4 and §6 ---------------------------------------------------------------
AUTH_SUCCEEDED = Reply(235, "2.7.0", "Authentication successful")
AUTH_EMPTY_CHALLENGE = auth_challenge("")  # "334 " with its trailing space
LOGIN_USERNAME_CHALLENGE = auth_challenge("VXNlcm5hbWU6")  # base64("Username:")
LOGIN_PASSWORD_CHALLENGE = auth_challenge("UGFzc3dvcmQ6")  # base64("Password:")
AUTH_TEMP_FAILURE = Reply(454, "4.7.0", "Temporary authentication failure")
# Too many wrong passwords from one address (live mode's auth guard): 421, then the server closes
# (RFC 5321 §3.8); X.7.0 other security status, as Postfix's anvil rate limits answer.
TOO_MANY_AUTH_FAILURES = Reply(421, "4.7.0", "Too many failed logins from your address, try again later")
AUTH_LINE_TOO_LONG = Reply(500, "5.5.6", "Authentication exchange line is too long")
# §4: "*" cancels and MUST get 501; RFC 4954 names no enhanced code, Postfix sends 5.7.0.
AUTH_CANCELLED = Reply(501, "5.7.0", "Authentication aborted")
# §4: undecodable base64 MUST get 501 with enhanced code 5.5.2.
BAD_BASE64 = Reply(501, "5.5.2", "Cannot decode response")
AUTH_SYNTAX = Reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]")
AUTH_ALREADY_DONE = Reply(503, "5.5.1", "Already authenticated")  # §4: further AUTH -> 503
AUTH_IN_TRANSACTION = Reply(503, "5.5.1", "AUTH not permitted during a mail transaction")
AUTH_NOT_ENABLED = Reply(502, "5.5.1", "AUTH not available")  # server without AUTH
AUTH_MECH_UNKNOWN = Reply(504, "5.5.4", "Unrecognized authentication type")  # §4 example
AUTH_REQUIRED = Reply(530, "5.7.0", "Authentication required")
AUTH_MECH_TOO_WEAK = Reply(534, "5.7.9", "Authentication mechanism is too weak")
AUTH_CREDENTIALS_INVALID = Reply(535, "5.7.8", "Authentication credentials invalid")
ENCRYPTION_REQUIRED_FOR_AUTH = Reply(
    538, "5.7.11", "Encryption required for requested authentication mechanism"
)

# --- null MX: RFC 7505 with reply code 556 from RFC 7504 ------------------------------------
NULL_MX = Reply(556, "5.1.10", "Recipient address has null MX")
NULL_MX_SENDER = Reply(550, "5.7.27", "Sender address has null MX")


def null_mx_domain(domain: str) -> Reply:
    """What a sending MTA reports for a domain with a null MX (RFC 7505 §4.1: 556 5.1.10)."""
    return NULL_MX.with_text(f"Domain {domain} does not accept mail (null MX)")


# --- what the client records itself when the server could not answer (RFC 5321 §3.8) --------
STARTTLS_NOT_OFFERED = Reply(454, "4.7.4", "TLS is required, but STARTTLS was not offered")
CONNECTION_LOST = Reply(451, "4.4.2", "Connection lost")  # act as if 451 (RFC 5321 §3.8)


def protocol_error(problem: object) -> Reply:
    """The server broke the reply syntax: the client gives up as on a lost connection."""
    return Reply(451, "4.5.0", f"Protocol error: {problem}")


@overload
def with_class_code(reply: Reply) -> Reply: ...
@overload
def with_class_code(reply: None) -> None: ...
def with_class_code(reply: Reply | None) -> Reply | None:
    """Give an application reply without an enhanced code the generic one of its class.

    RFC 2034 §4: once the extension is supported, every 2xx/4xx/5xx reply carries one.
    """
    if reply is None or reply.enhanced is not None or reply.is_intermediate:
        return reply
    return reply.with_enhanced(f"{reply.code // 100}.0.0")


# --- parsing, for the client --------------------------------------------------------------------


def parse_reply_line(line: bytes | str) -> tuple[int, bool, str]:
    """Split one reply line into (code, is_last, text); the trailing CRLF is optional.

    RFC 5321 §4.2: "NNN-text" continues a multi-line reply, "NNN text" (or a bare
    "NNN", which clients must accept) ends it.
    """
    if isinstance(line, bytes):
        line = line.decode("utf-8", "replace")
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    head = line[:3]
    if len(line) > 3 and line[3] in " -" and head.isascii() and head.isdigit():
        # The usual "NNN-text" / "NNN text": what the regex below would find, without it.
        return int(head), line[3] != "-", line[4:]
    match = _REPLY_LINE_RE.fullmatch(line)
    if match is None or (match.group(2) == "" and match.group(3) != ""):
        raise RemoteProtocolError(f"malformed reply line: {line[:80]!r}")
    return int(match.group(1)), match.group(2) != "-", match.group(3)


def split_enhanced(code: int, text: str) -> tuple[str | None, str]:
    """Take a leading enhanced status code off a reply text if it agrees with `code`."""
    match = _ENHANCED_PREFIX_RE.match(text)
    if match is None or int(match.group(1)) != code // 100:
        return None, text
    return f"{match.group(1)}.{match.group(2)}.{match.group(3)}", text[match.end():]
