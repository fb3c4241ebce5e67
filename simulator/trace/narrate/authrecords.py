"""What each authentication record says, term by term: teaching text for the trace and handouts."""

from __future__ import annotations

from collections.abc import Iterator

_QUALIFIERS = {  # RFC 7208 §4.6.2
    "+": ("pass", "allowed to send"),
    "-": ("fail", "not allowed: the domain asks receivers to refuse"),
    "~": ("softfail", "probably not allowed: accept, but treat with suspicion"),
    "?": ("neutral", "the domain says nothing either way"),
}


def is_spf_record(text: str) -> bool:
    """A TXT record is an SPF record when it begins with exactly the version ``v=spf1`` (RFC 7208 §4.5)."""
    low = text.lower()
    return low == "v=spf1" or low.startswith("v=spf1 ")


def spf_term(term: str) -> str:
    """One term of an SPF record in words (RFC 7208 §4.6.1, §5, §6)."""
    if term.lower() == "v=spf1":
        return "v=spf1: this TXT record is an SPF record (version 1)."
    name, eq, value = term.partition("=")
    if eq and name.isalpha() and ":" not in name:
        if name.lower() == "redirect":
            return f"{term}: if nothing above matched, use {value}'s SPF record instead (RFC 7208 §6.1)."
        if name.lower() == "exp":
            return f"{term}: a TXT record at {value} explains a failure to the sender (RFC 7208 §6.2)."
        return f"{term}: a modifier this receiver does not know; it is ignored (RFC 7208 §6)."
    qualifier = term[0] if term[0] in _QUALIFIERS else "+"
    body = term[1:] if term[0] in _QUALIFIERS else term
    result, meaning = _QUALIFIERS[qualifier]
    mech, _colon, arg = body.partition(":")
    mech, _slash, _cidr = mech.partition("/")
    what = {
        "all": "any address at all (so it comes last and says what happens to everyone else)",
        "ip4": f"an IPv4 address in {arg}",
        "ip6": f"an IPv6 address in {arg}",
        "a": f"an address of {arg or 'the domain itself'} (its A/AAAA records)",
        "mx": f"an address of one of {arg or 'the domain'}'s MX hosts",
        "include": f"an address that {arg}'s own SPF record passes",
        "exists": f"any client, if the name {arg} exists in DNS",
        "ptr": "a client whose confirmed reverse DNS name ends in the domain (slow and unreliable: RFC 7208 §5.5 says not to publish it)",
    }.get(mech.lower(), f"(unknown mechanism {mech}: the record is a permerror)")
    mark = "" if term[0] in _QUALIFIERS else " (no qualifier means +)"
    return f"{term}: a client at {what}: {result}, {meaning}{mark}."


def spf_record(text: str) -> str:
    """The record, each term on its own sentence, evaluated left to right (RFC 7208 §4.6.2)."""
    terms = text.split()
    return " ".join(spf_term(t) for t in terms) + " Terms are tried left to right; the first that matches decides."


_DKIM_TAGS = {  # RFC 6376 §3.6.1
    "v": "version of the key record (DKIM1)",
    "k": "key type (rsa)",
    "h": "hash algorithms the key may be used with",
    "s": "service types (* or email)",
    "t": "flags (y: the domain is testing DKIM; s: i= must be exactly d=)",
    "n": "notes for humans",
}


def _tags(text: str) -> Iterator[tuple[str, str]]:
    """``name=value`` pairs of a tag-list record (RFC 6376 §3.2, RFC 7489 §6.4), empty ones skipped."""
    for part in text.split(";"):
        name, _eq, value = part.strip().partition("=")
        if name:
            yield name, value


def dkim_key_record(text: str) -> str:
    """A DKIM key record (``v=DKIM1; k=rsa; p=...``), tag by tag."""
    out = []
    for name, value in _tags(text):
        if name == "p":
            out.append("p=: the public key, base64 of its DER encoding; empty means the key was revoked"
                       if not value else f"p={value[:12]}...: the public key ({len(value)} base64 characters), "
                       "with which the verifier checks the signature's b=")
        else:
            out.append(f"{name}={value}: {_DKIM_TAGS.get(name, 'a tag this verifier ignores')}")
    return "; ".join(out) + " (RFC 6376 §3.6.1)."


_DMARC_TAGS = {  # RFC 7489 §6.3
    "v": "this is a DMARC record (version DMARC1, which must come first)",
    "sp": "the policy for subdomains of the domain",
    "adkim": "DKIM alignment: r (relaxed, same organizational domain) or s (strict, exactly the same name)",
    "aspf": "SPF alignment: r (relaxed) or s (strict)",
    "pct": "the percentage of failing mail the policy applies to",
    "rua": "where to send daily aggregate reports of what receivers saw",
    "ruf": "where to send reports about single failing messages",
    "fo": "which failures make a failure report",
    "ri": "how often, in seconds, aggregate reports are wanted",
    "rf": "the format of failure reports",
}
POLICY_MEANING = {
    "none": "none: only watch and report, deliver as usual",
    "quarantine": "quarantine: treat failing mail as suspicious, e.g. put it in the spam folder",
    "reject": "reject: refuse failing mail during the SMTP session",
}


def dmarc_record(text: str) -> str:
    """A DMARC record (``v=DMARC1; p=reject; rua=...``), tag by tag."""
    out = []
    for name, value in _tags(text):
        if name.lower() == "p":
            out.append(f"p={value}: the policy for mail from the domain that fails DMARC: "
                       + POLICY_MEANING.get(value.lower(), "not a valid policy"))
        else:
            out.append(f"{name}={value}: {_DMARC_TAGS.get(name.lower(), 'a tag receivers ignore')}")
    return "; ".join(out) + " (RFC 7489 §6.3)."


def txt_strings(data: str) -> list[str]:
    """The character-strings of a TXT record as dig prints it (each quoted, backslash escapes)."""
    out: list[str] = []
    i, n = 0, len(data)
    while i < n:
        if data[i] != '"':
            i += 1
            continue
        i += 1
        chunk = []
        while i < n and data[i] != '"':
            if data[i] == "\\" and i + 1 < n:
                if data[i + 1].isdigit() and i + 3 < n:
                    chunk.append(chr(int(data[i + 1:i + 4])))
                    i += 4
                    continue
                chunk.append(data[i + 1])
                i += 2
                continue
            chunk.append(data[i])
            i += 1
        out.append("".join(chunk))
        i += 1
    return out


def txt_meaning(owner: str, data: str) -> tuple[str, str] | None:
    """(explanation, RFC) of an SPF, DKIM key or DMARC record in a TXT answer; None for other TXT."""
    strings = txt_strings(data)
    text = "".join(strings)
    joined = (f" dig shows it as {len(strings)} quoted strings (one holds at most 255 octets); the record is "
              "their concatenation, with nothing added between them." if len(strings) > 1 else "")
    low = text.lower()
    if is_spf_record(text):
        return (f"{owner}'s SPF record: which hosts may send mail whose envelope sender is at {owner}.{joined} "
                + spf_record(text), "RFC 7208 §3.3" if strings[1:] else "RFC 7208 §4.6")
    if "._domainkey." in owner.lower() or low.startswith("v=dkim1"):
        return (f"A DKIM key record: the public key verifiers use for signatures with s= and d= naming "
                f"{owner}.{joined} " + dkim_key_record(text), "RFC 6376 §3.6.2.2" if strings[1:] else "RFC 6376 §3.6.1")
    if owner.lower().startswith("_dmarc.") and low.startswith("v=dmarc1"):
        return (f"{owner.removeprefix('_dmarc.')}'s DMARC policy.{joined} " + dmarc_record(text), "RFC 7489 §6.3")
    return None
