"""What SMTP reply codes mean, in plain words: the teaching tables and ``describe()``.

RFC 5321 §4.2's basic codes and RFC 3463's enhanced status codes, read together
(``describe(552, "5.3.4")``). The replies themselves are in ``replies``; this
module is apart from it so that a reader of codes (the player, handouts, quizzes)
loads only the tables.
"""

from __future__ import annotations

import re

# RFC 3463 §2: class "." subject "." detail.
_ENHANCED_RE = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})")

# --- teaching tables --------------------------------------------------------------------------

# code: (short phrase used by describe(), plain-English meaning)
_BASIC: dict[int, tuple[str, str]] = {
    211: ("system status", "System status, or system help reply."),
    214: ("help message", "Help message for a human reader."),
    220: ("service ready", "<domain> Service ready: the server greets the client and is ready."),
    221: ("closing connection", "<domain> Service closing transmission channel (answer to QUIT)."),
    235: ("authentication succeeded", "Authentication succeeded (RFC 4954)."),
    250: ("requested action completed", "Requested mail action okay, completed."),
    251: ("user not local, will forward", "User not local; the server will forward to another path."),
    252: (
        "cannot verify user, will try delivery",
        "Cannot VRFY the user, but the server will accept the message and attempt delivery.",
    ),
    334: ("continue authentication", "Server challenge: send the next (base64) authentication step (RFC 4954)."),
    354: ("start mail input", "Start mail input; end it with <CRLF>.<CRLF>."),
    421: (
        "service not available, closing connection",
        "<domain> Service not available, closing the transmission channel (try again later).",
    ),
    432: ("password transition needed", "A password transition is needed (RFC 4954)."),
    450: (
        "mailbox temporarily unavailable",
        "Requested mail action not taken: mailbox unavailable for now (busy, or temporarily blocked by policy).",
    ),
    451: ("aborted, local error", "Requested action aborted: local error in processing; try again later."),
    452: ("insufficient system storage", "Requested action not taken: insufficient system storage (or too many recipients)."),
    454: ("TLS or authentication temporarily unavailable", "TLS not available, or temporary authentication failure (RFC 3207, RFC 4954)."),
    455: ("cannot accommodate parameters", "Server unable to accommodate the MAIL/RCPT parameters right now."),
    500: ("syntax error, command unrecognized", "Syntax error, command unrecognized (includes a command line that is too long)."),
    501: ("syntax error in arguments", "Syntax error in parameters or arguments."),
    502: ("command not implemented", "Command recognized but not implemented."),
    503: ("bad sequence of commands", "Bad sequence of commands: this command is not valid at this point."),
    504: ("parameter not implemented", "Command parameter (for example an AUTH mechanism) not implemented."),
    521: ("host does not accept mail", "This host does not accept mail at all (RFC 7504)."),
    530: ("authentication or TLS required", "Authentication required, or STARTTLS must be issued first (RFC 4954, RFC 3207)."),
    534: ("authentication mechanism too weak", "Authentication mechanism is too weak (RFC 4954)."),
    535: ("authentication failed", "Authentication credentials invalid (RFC 4954)."),
    538: (
        "encryption required for authentication",
        "Encryption required for the requested authentication mechanism: use STARTTLS first (RFC 4954).",
    ),
    550: (
        "requested action not taken, mailbox unavailable",
        "Requested action not taken: mailbox unavailable (not found, no access, or rejected by policy).",
    ),
    551: ("user not local", "User not local; please try the given forward-path."),
    552: ("exceeded storage allocation", "Requested mail action aborted: exceeded storage allocation (too big, or mailbox full)."),
    553: ("mailbox name not allowed", "Requested action not taken: mailbox name not allowed (for example bad syntax)."),
    554: ("transaction failed", "Transaction failed (at connection time: no SMTP service here)."),
    555: ("parameters not recognized", "MAIL FROM/RCPT TO parameters not recognized or not implemented."),
    556: ("domain does not accept mail", "The recipient's domain does not accept mail (null MX, RFC 7504/7505)."),
}
BASIC_MEANING: dict[int, str] = {code: long for code, (_, long) in _BASIC.items()}

# RFC 3463 §2 classes and subjects, §3.1-3.8 details (+ RFC 4954, RFC 3886, RFC 7505).
# Keys use "X" for the class where RFC 3463 defines the code for either class.
_ENHANCED: dict[str, tuple[str, str]] = {
    "2.X.X": ("success", "Success: the action was completed."),
    "4.X.X": (
        "persistent transient failure",
        "Persistent transient failure: the message is valid, but retrying later may succeed.",
    ),
    "5.X.X": ("permanent failure", "Permanent failure: resending the same message will not succeed."),
    "X.0.X": ("other or undefined status", "Other or undefined status."),
    "X.1.X": ("addressing status", "Addressing status: a problem with an address."),
    "X.2.X": ("mailbox status", "Mailbox status: a problem with the destination mailbox."),
    "X.3.X": ("mail system status", "Mail system status: a problem with the destination mail system."),
    "X.4.X": ("network and routing status", "Network and routing status."),
    "X.5.X": ("mail delivery protocol status", "Mail delivery protocol status: an SMTP command problem."),
    "X.6.X": ("message content or media status", "Message content or media status."),
    "X.7.X": ("security or policy status", "Security or policy status."),
    "X.0.0": ("other undefined status", "Other undefined status: no more specific code applies."),
    "X.1.0": ("other address status", "Other address status (used for an accepted sender)."),
    "X.1.1": ("bad destination mailbox address", "Bad destination mailbox address: the mailbox does not exist."),
    "X.1.2": ("bad destination system address", "Bad destination system address: the domain cannot receive mail."),
    "X.1.3": ("bad destination mailbox address syntax", "Bad destination mailbox address syntax."),
    "X.1.4": ("destination mailbox address ambiguous", "Destination mailbox address ambiguous."),
    "X.1.5": ("destination address valid", "Destination address valid: the recipient is accepted."),
    "X.1.6": ("destination mailbox has moved", "Destination mailbox has moved, no forwarding address."),
    "X.1.7": ("bad sender's mailbox address syntax", "Bad sender's mailbox address syntax."),
    "X.1.8": ("bad sender's system address", "Bad sender's system address: the sender's domain is unusable."),
    "X.1.10": ("recipient address has null MX", "Recipient address has null MX: the domain accepts no mail (RFC 7505)."),
    "X.2.0": ("other or undefined mailbox status", "Other or undefined mailbox status."),
    "X.2.1": ("mailbox disabled", "Mailbox disabled, not accepting messages."),
    "X.2.2": ("mailbox full", "Mailbox full: the recipient is over quota."),
    "X.2.3": ("message length exceeds administrative limit", "Message length exceeds administrative limit."),
    "X.3.0": ("other or undefined mail system status", "Other or undefined mail system status."),
    "X.3.1": ("mail system full", "Mail system full."),
    "X.3.2": ("system not accepting network messages", "System not accepting network messages (for example shutting down)."),
    "X.3.4": ("message too big for system", "Message too big for system: over the size limit announced by SIZE."),
    "X.4.0": ("other or undefined network or routing status", "Other or undefined network or routing status."),
    "X.4.1": ("no answer from host", "No answer from host."),
    "X.4.2": ("bad connection", "Bad connection: the connection was lost or timed out."),
    "X.4.4": ("unable to route", "Unable to route: no mail server found for the domain."),
    "X.4.6": ("routing loop detected", "Routing loop detected."),
    "X.4.7": ("delivery time expired", "Delivery time expired: retried too long, giving up."),
    "X.5.0": ("other or undefined protocol status", "Other or undefined protocol status."),
    "X.5.1": ("invalid command", "Invalid command: not valid here, out of sequence, or not implemented."),
    "X.5.2": ("syntax error", "Syntax error: the command or line could not be parsed."),
    "X.5.3": ("too many recipients", "Too many recipients: send the rest in another transaction."),
    "X.5.4": ("invalid command arguments", "Invalid command arguments."),
    "X.5.6": ("authentication exchange line too long", "Authentication exchange line is too long (RFC 4954)."),
    "X.6.0": ("other or undefined media error", "Other or undefined media error."),
    "X.7.0": ("other or undefined security status", "Other or undefined security status (e.g. authentication or TLS required)."),
    "X.7.1": ("delivery not authorized, message refused", "Delivery not authorized, message refused (e.g. relaying denied)."),
    "X.7.4": ("security features not supported", "Security features not supported (here: TLS was required but not offered)."),
    "X.7.8": ("authentication credentials invalid", "Authentication credentials invalid (RFC 4954)."),
    "X.7.9": ("authentication mechanism too weak", "Authentication mechanism is too weak (RFC 4954)."),
    "X.7.11": (
        "encryption required for authentication mechanism",
        "Encryption required for requested authentication mechanism (RFC 4954).",
    ),
    "X.7.20": ("no passing DKIM signature found",
               "No passing DKIM signature found: the message carried no DKIM signature that verified (RFC 7372 §3.1)."),
    "X.7.23": ("SPF validation failed",
               "SPF validation failed: the sender's domain does not list the client's address (RFC 7372 §3.2)."),
    "X.7.24": ("SPF validation error",
               "SPF validation error: the sender's SPF record could not be evaluated (RFC 7372 §3.2)."),
    "X.7.25": ("reverse DNS validation failed",
               "Reverse DNS validation failed: the client's address has no PTR, or its name does not lead back "
               "to it (RFC 7372)."),
    "X.7.26": ("multiple authentication checks failed",
               "Multiple authentication checks failed, contrary to local policy (RFC 7372 §3.4); some receivers "
               "use it for DMARC failures."),
    "X.7.27": ("sender address has null MX", "Sender address has null MX: replies could never be delivered (RFC 7505)."),
}


def _enhanced_key(code: str) -> str | None:
    """Map "5.1.1" to the table key "X.1.1" (details are defined for any class)."""
    match = _ENHANCED_RE.fullmatch(code)
    if match is None:
        return None
    return f"X.{int(match.group(2))}.{int(match.group(3))}"


class _EnhancedMeaning(dict[str, str]):
    """A plain dict keyed "X.1.1" that also answers for "5.1.1" or "4.1.1"."""

    def __missing__(self, key: str) -> str:
        alt = _enhanced_key(key) if isinstance(key, str) else None
        if alt is not None and dict.__contains__(self, alt):
            return dict.__getitem__(self, alt)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        alt = _enhanced_key(key) if isinstance(key, str) else None
        return alt is not None and dict.__contains__(self, alt)

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default


ENHANCED_MEANING: dict[str, str] = _EnhancedMeaning({k: long for k, (_, long) in _ENHANCED.items()})


# Some basic codes are reused for a narrower purpose, which the enhanced code gives
# away: read them in that sense, not in RFC 5321's generic words.
# (code, "X.s.d") -> (phrase for the basic code, phrase for the enhanced code)
_IN_CONTEXT: dict[tuple[int, str], tuple[str, str]] = {
    # RFC 1870 §6.1 reuses 552 for a message over the fixed maximum size: not a quota.
    (552, "X.3.4"): ("message size exceeds the fixed maximum (RFC 1870 §6.1 reuses 552)", "message too big for system"),
    # 451 4.7.1 is what greylisting servers send (Postfix, postgrey): nothing broke locally.
    (451, "X.7.1"): ("try again later: greylisted", "refused for now by policy"),
}


def describe(code: int, enhanced: str | None = None) -> str:
    """One line of plain English, e.g. "550: requested action not taken, mailbox
    unavailable; 5.1.1: permanent failure, bad destination mailbox address".

    The two codes are read together: 552 with 5.3.4 is a size limit, 451 with
    4.7.1 is greylisting, whatever RFC 5321's generic phrase for 552 or 451 says.
    """
    basic = _BASIC.get(code)
    key = _enhanced_key(enhanced) if enhanced else None
    context = _IN_CONTEXT.get((code, key)) if key else None
    if context is not None:
        out = f"{code}: {context[0]}"
    elif basic is not None:
        out = f"{code}: {basic[0]}"
    else:
        # RFC 5321 §4.2: an unknown code is understood by its first digit.
        first = {2: "positive completion", 3: "positive intermediate", 4: "transient negative completion",
                 5: "permanent negative completion"}.get(code // 100, "invalid reply code")
        out = f"{code}: {first}"
    if enhanced:
        match = _ENHANCED_RE.fullmatch(enhanced)
        if match is None:
            return f"{out}; {enhanced}: not an enhanced status code"
        cls, subject, detail = match.group(1), int(match.group(2)), int(match.group(3))
        parts = [_ENHANCED[f"{cls}.X.X"][0]]
        if context is not None:
            parts.append(context[1])
        else:
            entry = _ENHANCED.get(f"X.{subject}.{detail}") or _ENHANCED.get(f"X.{subject}.X")
            parts.append(entry[0] if entry else "unknown subject")
        out += f"; {enhanced}: {', '.join(parts)}"
    return out
