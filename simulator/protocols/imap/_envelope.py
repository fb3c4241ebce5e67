"""ENVELOPE (RFC 3501 §7.4.2): the header fields a client lists messages by, already taken apart.

Values are sent as they are in the message, unfolded but not decoded
(an RFC 2047 encoded word stays encoded; the client decodes it), as
Dovecot does. Address lists are read with the RFC 5322 §3.4 grammar,
groups included: a group is ``(NIL NIL "name" NIL)``, its members, then
``(NIL NIL NIL NIL)``.
"""

from __future__ import annotations

from email.message import Message

from ._syntax import nstring

__all__ = ["Address", "envelope", "parse_addresses"]

# (display name, source route, mailbox, host); mailbox alone for a group's start, all None for its end
Address = tuple[str | None, str | None, str | None, str | None]


def _raw(info: Message, name: str) -> bytes | None:
    value = info.get(name)
    if value is None:
        return None
    text = str(value).replace("\r\n", "").replace("\n", "").replace("\r", "")
    return text.strip().encode("ascii", "surrogateescape")


def envelope(info: Message) -> bytes:
    """``(date subject from sender reply-to to cc bcc in-reply-to message-id)``."""
    def addresses(name: str, fallback: str | None = None) -> bytes:
        raw = _raw(info, name)
        if (raw is None or not raw) and fallback is not None:
            raw = _raw(info, fallback)  # §7.4.2: sender and reply-to default to from
        if not raw:
            return b"NIL"
        listed = parse_addresses(raw.decode("ascii", "surrogateescape"))
        if not listed:
            return b"NIL"
        return b"(" + b"".join(b"(" + b" ".join(nstring(_bytes(v)) for v in a) + b")" for a in listed) + b")"

    fields = [nstring(_raw(info, "date")), nstring(_raw(info, "subject")), addresses("from"),
              addresses("sender", "from"), addresses("reply-to", "from"), addresses("to"), addresses("cc"),
              addresses("bcc"), nstring(_raw(info, "in-reply-to")), nstring(_raw(info, "message-id"))]
    return b"(" + b" ".join(fields) + b")"


def _bytes(value: str | None) -> bytes | None:
    return None if value is None else value.encode("ascii", "surrogateescape")


# --- an RFC 5322 address-list reader, forgiving as mail readers are ----------------------------------

_SPECIALS = "()<>[]:;@\\,\"."


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, value): kind is "word", "quoted", "literal" ([domain]) or the special character itself."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in " \t":
            i += 1
        elif char == "(":  # a comment, possibly nested: skipped
            depth, i = 1, i + 1
            while i < len(text) and depth:
                if text[i] == "\\":
                    i += 1
                elif text[i] == "(":
                    depth += 1
                elif text[i] == ")":
                    depth -= 1
                i += 1
        elif char == '"':
            j, value = i + 1, []
            while j < len(text) and text[j] != '"':
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                value.append(text[j])
                j += 1
            out.append(("quoted", "".join(value)))
            i = j + 1
        elif char == "[":
            j = text.find("]", i)
            j = len(text) - 1 if j < 0 else j
            out.append(("literal", text[i : j + 1]))
            i = j + 1
        elif char in _SPECIALS:
            out.append((char, char))
            i += 1
        else:
            j = i
            while j < len(text) and text[j] not in _SPECIALS and text[j] not in " \t":
                j += 1
            out.append(("word", text[i:j]))
            i = j
    return out


def _addr_spec(tokens: list[tuple[str, str]]) -> tuple[str, str]:
    """(mailbox, host) of ``local-part "@" domain`` tokens; host is "" when there is no "@"."""
    if ("@", "@") in tokens:
        at = tokens.index(("@", "@"))
        local, domain = tokens[:at], tokens[at + 1 :]
    else:
        local, domain = tokens, []
    def joined(part: list[tuple[str, str]]) -> str:
        return "".join(v for k, v in part if k != ",")
    return joined(local), joined(domain)


def _phrase(tokens: list[tuple[str, str]]) -> str | None:
    words = [v for k, v in tokens if k in ("word", "quoted", ".")]
    text = " ".join(words).replace(" . ", ".")
    return text or None


def parse_addresses(text: str) -> list[Address]:
    """The addresses of an address-list header value, groups marked as RFC 3501 §7.4.2 asks."""
    out: list[Address] = []
    tokens = _tokens(text)
    i = 0
    pending: list[tuple[str, str]] = []
    in_group = False

    def flush_addr_spec() -> None:
        if any(k == "@" for k, _ in pending) or any(k in ("word", "quoted") for k, _ in pending):
            mailbox, host = _addr_spec(pending)
            if mailbox or host:
                out.append((None, None, mailbox or None, host))
        pending.clear()

    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "<":
            end = next((j for j in range(i + 1, len(tokens)) if tokens[j][0] == ">"), len(tokens))
            inner = tokens[i + 1 : end]
            route = None
            if (":", ":") in inner:  # obs-route: @a,@b:
                colon = inner.index((":", ":"))
                route = "".join(v for _k, v in inner[:colon]) or None
                inner = inner[colon + 1 :]
            mailbox, host = _addr_spec(inner)
            out.append((_phrase(pending), route, mailbox or None, host))
            pending.clear()
            i = end + 1
            # skip what is left of this address up to the next separator
            while i < len(tokens) and tokens[i][0] not in (",", ";"):
                i += 1
            continue
        if kind == ":" and not in_group:
            out.append((None, None, _phrase(pending) or "", None))
            pending.clear()
            in_group = True
        elif kind == ";" and in_group:
            flush_addr_spec()
            out.append((None, None, None, None))
            in_group = False
        elif kind == ",":
            flush_addr_spec()
        else:
            pending.append((kind, value))
        i += 1
    flush_addr_spec()
    if in_group:
        out.append((None, None, None, None))
    return out
