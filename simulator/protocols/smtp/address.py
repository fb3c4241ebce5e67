"""Parsing of SMTP paths and ESMTP parameters (RFC 5321 §4.1.2, §4.1.3, §4.5.3.1).

Only US-ASCII is accepted: the server does not offer SMTPUTF8, and RFC 5321
§4.1.2 forbids non-ASCII and control characters in mailbox names.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

# RFC 5322 atext, which RFC 5321 Atom uses.
_ATEXT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~")
# sub-domain = Let-dig [Ldh-str]: letters, digits, inner hyphens; no underscore (§4.1.2).
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_IPV4_RE = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
_GENERAL_LITERAL_RE = re.compile(r"[A-Za-z0-9-]*[A-Za-z0-9]:[\x21-\x5a\x5e-\x7e]+")
_KEYWORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_VALUE_RE = re.compile(r"[\x21-\x3c\x3e-\x7e]+")  # esmtp-value: CHAR except "=", SP, CTLs

MAX_PATH = 256  # §4.5.3.1.3, including the angle brackets and any source route
MAX_DOMAIN = 255  # §4.5.3.1.2


class AddressError(ValueError):
    """The text is not a valid path or mailbox."""


class PathTooLong(AddressError):
    """The path is over 256 octets (RFC 5321 §4.5.3.1.3)."""


class ParameterError(ValueError):
    """The ESMTP parameters do not follow esmtp-param syntax."""


@dataclass(frozen=True)
class Path:
    """A parsed reverse-path or forward-path."""

    mailbox: str  # "local@domain" as written; "" for <>, "postmaster" for <postmaster>
    local_part: str
    domain: str  # "" for <> and <postmaster>
    source_route: tuple[str, ...] = ()  # tolerated and ignored (§4.1.2, Appendix C)

    @property
    def is_null(self) -> bool:
        return self.mailbox == ""

    @property
    def is_bare_postmaster(self) -> bool:
        return self.mailbox != "" and self.domain == ""


# A run checks the same few domains and paths again and again (each EHLO name, each recipient):
# the answers for the latest PARSED_CACHED of them are kept; they are pure functions of the text.
PARSED_CACHED = 1024


@lru_cache(maxsize=PARSED_CACHED)
def is_domain(text: str) -> bool:
    """Domain = sub-domain *("." sub-domain) (§4.1.2)."""
    if not text or len(text) > MAX_DOMAIN:
        return False
    return all(len(label) <= 63 and _LABEL_RE.fullmatch(label) for label in text.split("."))


def is_address_literal(text: str) -> bool:
    """address-literal = "[" IPv4 / "IPv6:" IPv6 / General-address-literal "]" (§4.1.3)."""
    if len(text) < 3 or text[0] != "[" or text[-1] != "]":
        return False
    inner = text[1:-1]
    match = _IPV4_RE.fullmatch(inner)
    if match is not None:
        return all(int(part) <= 255 for part in match.groups())
    if inner[:5].lower() == "ipv6:":
        try:
            ipaddress.IPv6Address(inner[5:])
        except ValueError:
            return False
        return True
    return _GENERAL_LITERAL_RE.fullmatch(inner) is not None


def is_domain_or_literal(text: str) -> bool:
    return is_domain(text) or is_address_literal(text)


def _is_dot_string(text: str) -> bool:
    return bool(text) and all(atom and all(c in _ATEXT for c in atom) for atom in text.split("."))


def _quoted_string_end(text: str) -> int:
    """Index just past a Quoted-string at the start of `text`, or -1."""
    if not text.startswith('"'):
        return -1
    i = 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            # quoted-pairSMTP = "\" followed by any ASCII graphic or space
            if i + 1 >= len(text) or not 32 <= ord(text[i + 1]) <= 126:
                return -1
            i += 2
            continue
        if c == '"':
            return i + 1
        if not 32 <= ord(c) <= 126:  # qtextSMTP: graphic or space
            return -1
        i += 1
    return -1


def parse_mailbox(text: str) -> tuple[str, str]:
    """Mailbox = Local-part "@" ( Domain / address-literal ); returns (local, domain)."""
    if text.startswith('"'):
        end = _quoted_string_end(text)
        if end < 0 or text[end:end + 1] != "@":
            raise AddressError("bad quoted local part")
        local, domain = text[:end], text[end + 1:]
    else:
        local, at, domain = text.partition("@")
        if not at or not _is_dot_string(local):
            raise AddressError("bad local part")
    if not is_domain_or_literal(domain):
        raise AddressError("bad domain")
    return local, domain


def parse_path(text: str, *, allow_null: bool = False, allow_postmaster: bool = False) -> Path:
    """Parse `<...>`: Path = "<" [ A-d-l ":" ] Mailbox ">", plus "<>" and "<postmaster>"."""
    key = (text, allow_null, allow_postmaster)
    path = _PATHS.get(key)
    if path is None:  # (only paths that parse are kept: an error is raised afresh each time)
        path = _parse_path(text, allow_null, allow_postmaster)
        if len(_PATHS) < PARSED_CACHED:
            _PATHS[key] = path
    return path


_PATHS: dict[tuple[str, bool, bool], Path] = {}


def _parse_path(text: str, allow_null: bool, allow_postmaster: bool) -> Path:
    if not text.isascii():
        raise AddressError("non-ASCII characters in path")
    if len(text) > MAX_PATH:
        raise PathTooLong("path longer than 256 octets")
    if len(text) < 2 or text[0] != "<" or text[-1] != ">":
        raise AddressError("path must be enclosed in <>")
    inner = text[1:-1]
    if inner == "":
        if allow_null:
            return Path("", "", "")
        raise AddressError("null path not allowed here")
    # §4.1.1.3: RCPT TO:<Postmaster> without a domain, case-insensitive.
    if allow_postmaster and inner.lower() == "postmaster":
        return Path(inner, inner, "")
    route: tuple[str, ...] = ()
    if inner.startswith("@"):
        # A-d-l = At-domain *( "," At-domain ): "MUST BE accepted ... SHOULD be ignored".
        adl, colon, inner = inner.partition(":")
        if not colon:
            raise AddressError("source route without ':'")
        hops = adl.split(",")
        if not all(h.startswith("@") and is_domain(h[1:]) for h in hops):
            raise AddressError("bad source route")
        route = tuple(h[1:] for h in hops)
    local, domain = parse_mailbox(inner)
    return Path(f"{local}@{domain}", local, domain, route)


def split_path(text: str) -> tuple[str, str]:
    """Split "<path> params" into ("<path>", "params"), honouring quoted local parts."""
    if not text.startswith("<"):
        raise AddressError("path must start with '<'")
    if '"' not in text:
        # No quoted local part, so nothing can hide a ">": the first one closes the path.
        end = text.find(">")
        if end < 0:
            raise AddressError("unterminated path")
        return _path_and_rest(text, end)
    in_quote = False
    i = 1
    while i < len(text):
        c = text[i]
        if in_quote and c == "\\":
            i += 2
            continue
        if c == '"':
            in_quote = not in_quote
        elif c == ">" and not in_quote:
            return _path_and_rest(text, i)
        i += 1
    raise AddressError("unterminated path")


def _path_and_rest(text: str, end: int) -> tuple[str, str]:
    rest = text[end + 1:]
    if rest and not rest.startswith(" "):
        raise AddressError("junk after path")
    return text[: end + 1], rest.strip(" ")


def parse_params(text: str) -> dict[str, str | None]:
    """Mail-parameters = esmtp-param *(SP esmtp-param); keywords upper-cased.

    A keyword without "=value" maps to None. Duplicates are an error.
    """
    params: dict[str, str | None] = {}
    for token in text.split(" "):
        if not token:
            continue  # tolerate doubled spaces
        keyword, eq, value = token.partition("=")
        if _KEYWORD_RE.fullmatch(keyword) is None:
            raise ParameterError(f"bad parameter keyword {keyword!r}")
        if eq and _VALUE_RE.fullmatch(value) is None:
            raise ParameterError(f"bad value for {keyword}")
        key = keyword.upper()
        if key in params:
            raise ParameterError(f"duplicate parameter {key}")
        params[key] = value if eq else None
    return params


def domain_of(address: str) -> str:
    """The domain of "local@domain", lower-cased; "" if there is none."""
    if address.startswith('"'):
        end = _quoted_string_end(address)
        return address[end + 1:].lower() if end > 0 else ""
    return address.rpartition("@")[2].lower() if "@" in address else ""
