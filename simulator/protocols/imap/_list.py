"""LIST and LSUB (RFC 3501 §6.3.8-9), with LIST-EXTENDED (RFC 5258, in RFC 9051 §6.3.9),
CHILDREN (RFC 3348), SPECIAL-USE (RFC 6154) and LIST-STATUS (RFC 5819).

Names are matched against the reference and pattern joined; ``*`` matches
anything, ``%`` anything but the delimiter. A level that has inferiors but
no mailbox of its own (its mailbox was deleted, or created by another
program) is listed ``\\Noselect \\HasChildren``, as Dovecot does on Maildir++.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..mailstore import DELIMITER, INBOX, MailStore, normalize_name
from ._syntax import Atom, IMAPSyntaxError, Token, astring_out, quoted, text_of

__all__ = ["ListRequest", "list_lines", "matcher", "parse_list", "status_items"]

_SELECTION = {"SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"}
_RETURN = {"SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS"}
STATUS_ITEMS = ("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "DELETED")


@dataclass
class ListRequest:
    """A parsed LIST command: reference, patterns, selection and return options."""

    reference: str
    patterns: list[str]
    selection: set[str] = field(default_factory=set)
    returns: set[str] = field(default_factory=set)
    status: list[str] = field(default_factory=list)
    extended: bool = False  # the RFC 5258 form: options or several patterns


def status_items(token: Token) -> list[str]:
    if not isinstance(token, list) or not token or not all(isinstance(t, Atom) for t in token):
        raise IMAPSyntaxError("STATUS needs a list of items")
    items = [str(t).upper() for t in token]
    unknown = [i for i in items if i not in STATUS_ITEMS]
    if unknown:
        raise IMAPSyntaxError(f"unknown STATUS item {unknown[0]}")
    return items


def parse_list(args: list[Token]) -> ListRequest:
    """``LIST [(selection)] reference (pattern / (patterns)) [RETURN (options)]``."""
    rest = list(args)
    selection: set[str] = set()
    extended = False
    if rest and isinstance(rest[0], list):
        selection = _options(rest.pop(0), _SELECTION, "selection")
        extended = True
    if len(rest) < 2:
        raise IMAPSyntaxError("LIST takes a reference and a mailbox pattern")
    reference, pattern = text_of(rest[0], "a reference"), rest[1]
    if isinstance(pattern, list):
        patterns = [text_of(p, "a mailbox pattern") for p in pattern]
        extended = True
        if not patterns:
            raise IMAPSyntaxError("empty list of patterns")
    else:
        patterns = [text_of(pattern, "a mailbox pattern")]
    rest = rest[2:]
    returns: set[str] = set()
    status: list[str] = []
    if rest:
        if len(rest) != 2 or not isinstance(rest[0], Atom) or rest[0].upper() != "RETURN" \
                or not isinstance(rest[1], list):
            raise IMAPSyntaxError("expected RETURN (options)")
        options = list(rest[1])
        while options:
            option = options.pop(0)
            if not isinstance(option, Atom) or option.upper() not in _RETURN:
                raise IMAPSyntaxError(f"unknown LIST return option {option!r}")
            returns.add(option.upper())
            if option.upper() == "STATUS":
                if not options:
                    raise IMAPSyntaxError("STATUS needs a list of items")
                status = status_items(options.pop(0))
        extended = True
    if "RECURSIVEMATCH" in selection and selection <= {"RECURSIVEMATCH", "REMOTE"}:
        raise IMAPSyntaxError("RECURSIVEMATCH needs another selection option")  # RFC 9051 §6.3.9 (LIST-EXTENDED)
    return ListRequest(reference, patterns, selection, returns, status, extended)


def _options(token: Token, allowed: set[str], what: str) -> set[str]:
    assert isinstance(token, list)
    out = set()
    for option in token:
        if not isinstance(option, Atom) or option.upper() not in allowed:
            raise IMAPSyntaxError(f"unknown LIST {what} option {option!r}")
        out.add(option.upper())
    return out


def matcher(reference: str, pattern: str) -> re.Pattern[str]:
    """A regular expression for reference+pattern; INBOX matches in any case (RFC 3501 §5.1)."""
    full = reference + pattern
    regex = "".join(".*" if c == "*" else f"[^{re.escape(DELIMITER)}]*" if c == "%" else re.escape(c) for c in full)
    if full[:5].upper() == INBOX and (len(full) == 5 or full[5] in (DELIMITER, "*", "%")):
        regex = "(?i:INBOX)" + "".join(
            ".*" if c == "*" else f"[^{re.escape(DELIMITER)}]*" if c == "%" else re.escape(c) for c in full[5:])
    return re.compile(regex + r"\Z")


def _line(kind: str, attributes: list[str], name: str, extra: bytes = b"") -> bytes:
    return (f"{kind} ({' '.join(attributes)}) ".encode() + quoted(DELIMITER) + b" " + astring_out(name) + extra)


def list_lines(store: MailStore, user: str, request: ListRequest, lsub: bool = False) -> list[tuple[bytes, str | None]]:
    """The LIST (or LSUB) responses, each with the name to add a STATUS line for (or None)."""
    if not lsub and request.patterns == [""] and not request.extended:
        # §6.3.8: an empty pattern asks for the delimiter and the root of the reference.
        root = request.reference.split(DELIMITER, 1)[0] + DELIMITER if DELIMITER in request.reference else ""
        return [(_line("LIST", ["\\Noselect"], root), None)]
    existing = {box.name for box in store.mailboxes(user)}
    subscribed = store.subscriptions(user)
    names = set(existing)
    for name in existing:  # the levels above every mailbox
        parts = name.split(DELIMITER)
        names.update(DELIMITER.join(parts[:i]) for i in range(1, len(parts)))
    patterns = [matcher(request.reference, p) for p in request.patterns]
    only_subscribed = lsub or "SUBSCRIBED" in request.selection
    if only_subscribed:
        names = set(subscribed) | (names if "RECURSIVEMATCH" in request.selection else set())
        if lsub:  # §6.3.9: with "%", an unsubscribed level above a subscribed name is listed \Noselect
            for name in subscribed:
                parts = name.split(DELIMITER)
                names.update(DELIMITER.join(parts[:i]) for i in range(1, len(parts)))
    out: list[tuple[bytes, str | None]] = []
    for name in sorted(names, key=lambda n: (n != INBOX, n)):
        if not any(p.match(name) for p in patterns):
            continue
        is_subscribed = name in subscribed
        children = any(n.startswith(name + DELIMITER) for n in existing)
        child_subscribed = any(n.startswith(name + DELIMITER) for n in subscribed)
        extra = b""
        if lsub and not is_subscribed:
            if "%" in "".join(request.patterns) and child_subscribed:
                out.append((_line("LSUB", ["\\Noselect"], name), None))
            continue
        if only_subscribed and not is_subscribed:
            if not ("RECURSIVEMATCH" in request.selection and child_subscribed):
                continue
            extra = b' ("CHILDINFO" ("SUBSCRIBED"))'  # RFC 9051 §6.3.9 (LIST-EXTENDED)
        special = store.special_use(name)
        if "SPECIAL-USE" in request.selection and special is None:
            continue
        attributes = []
        if name not in existing:
            attributes.append("\\NonExistent" if request.extended and not children else "\\Noselect")
        if lsub:
            out.append((_line("LSUB", attributes, name), None))
            continue
        attributes.append("\\HasChildren" if children else "\\HasNoChildren")
        if special is not None:
            attributes.append(special)
        if is_subscribed and (only_subscribed or "SUBSCRIBED" in request.returns):
            attributes.append("\\Subscribed")
        status = name if "STATUS" in request.returns and name in existing else None
        out.append((_line("LIST", attributes, name, extra), status))
    return out


def mailbox_name(token: Token) -> str:
    return normalize_name(text_of(token, "a mailbox name"))
