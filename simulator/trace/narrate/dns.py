"""DNS answer lines, as dig prints them, and what they mean.

Each line is read by its form first: the header, the flags line, a section
title, or a record (name, TTL, class, type, data, tab-separated). A record's
explanation depends on its type and on the section it is in, never on a
substring of the line.
"""

from __future__ import annotations

from simulator.dns import DNSAnswer
from simulator.trace.narrate.authrecords import txt_meaning
from simulator.trace.narrate.checks import record_meaning

_SECTIONS = {
    ";; ANSWER SECTION:": "ANSWER",
    ";; AUTHORITY SECTION:": "AUTHORITY",
    ";; ADDITIONAL SECTION:": "ADDITIONAL",
}
_FLAGS = {
    "qr": "qr: this is a response",
    "aa": "aa: an authoritative answer",
    "tc": "tc: truncated, ask again over TCP",
    "rd": "rd: recursion was asked for",
    "ra": "ra: the resolver offers recursion",
}


def _record(text: str) -> list[str] | None:
    fields = text.split("\t")
    if len(fields) >= 5 and fields[2] == "IN" and fields[1].isdigit():
        return fields
    return None


def _negative(answer: DNSAnswer) -> bool:
    return answer.rcode == "NXDOMAIN" or (answer.rcode == "NOERROR" and not answer.records)


def answer_explain(text: str, answer: DNSAnswer, qname: str) -> str:
    """The explanation of one line of a dig-style answer."""
    name = qname.rstrip(".")
    if text.startswith(";; ->>HEADER"):
        if answer.rcode == "NXDOMAIN":
            return (f"NXDOMAIN (a name error): {name} does not exist at all, so no record of any type exists for it. "
                    "The SOA in the authority section says which zone answered and how long to cache this.")
        if answer.rcode != "NOERROR":
            return f"{answer.rcode}: the resolver could not get an answer; this is temporary."
        if not answer.records:
            return ("NOERROR with no records of this type (NODATA): the name exists, the record does not. "
                    "The SOA in the authority section says how long to cache this.")
        return "The resolver answers: status NOERROR."
    if text.startswith(";; flags:"):
        flags = text.removeprefix(";; flags:").split(";", 1)[0].split()
        said = [_FLAGS[f] for f in flags if f in _FLAGS]
        return ("; ".join(said) + ".") if said else "The header flags."
    if text in _SECTIONS:
        section = _SECTIONS[text]
        if section == "ANSWER":
            return "The records that answer the question."
        if section == "AUTHORITY":
            if _negative(answer):
                return ("The authority section: a negative answer carries the SOA record of the zone that "
                        "gave it, so that resolvers may cache it.")
            return "The authority section: who is authoritative for the answer."
        if answer.rdtype == "MX":
            return "Extra records the resolver adds to save a query: here the MX hosts' addresses."
        return "Extra records the resolver adds to save a query."
    fields = _record(text)
    if fields is None:
        return "A line of the DNS answer."
    owner, ttl, rdtype, data = fields[0].rstrip(".") or ".", int(fields[1]), fields[3], fields[4]
    checked = record_meaning(owner, rdtype, data)  # PTR records, blocklist answers
    if checked is not None:
        return checked[0]
    if rdtype == "MX":
        pref, _, host = data.partition(" ")
        if host == "." and pref == "0":
            return (f"A null MX (preference 0, exchange \".\"): {owner} accepts no mail at all. \".\" is no host, "
                    "so there is no mail server to try, and since an MX record exists the sender does not fall back "
                    "to the domain's address either: delivery fails at once instead of being retried for days.")
        return (f"An MX record: mail for {owner} may go to {host.rstrip('.')}, preference {pref}. "
                "Lower preference values are tried first.")
    if rdtype == "TXT":
        txt = txt_meaning(owner, data)
        return txt[0] if txt else (f"A TXT record of {owner}: free text, which protocols such as SPF, DKIM and "
                                     "DMARC give a meaning to by its first word. Receivers ignore TXT records "
                                     "that are not for them.")
    if rdtype in ("A", "AAAA"):
        return f"{owner} has the {'IPv4' if rdtype == 'A' else 'IPv6'} address {data}."
    if rdtype == "SOA":
        parts = data.split()
        minimum = parts[6] if len(parts) == 7 else "?"
        zone = fields[0]
        if _negative(answer):
            fact = f"{name} does not exist" if answer.rcode == "NXDOMAIN" else f"{name} has no {answer.rdtype} record"
            return (f"The SOA (start of authority) record of the zone {zone}, sent with the negative answer. Its TTL "
                    f"here, {ttl} s, is how long a resolver may cache that {fact}: the smaller of the SOA's own "
                    f"TTL and its last field, MINIMUM ({minimum} s).")
        return f"The SOA (start of authority) record of the zone {zone}: its primary server, contact and timers."
    return f"A {rdtype} record of {owner}."


def answer_rfc(text: str, answer: DNSAnswer) -> str:
    """The section that rules one line of a dig-style answer."""
    fields = _record(text)
    if fields is not None:
        checked = record_meaning(fields[0].rstrip("."), fields[3], fields[4])
        if checked is not None:
            return checked[1]
        if fields[3] == "MX":
            return "RFC 7505 §3" if fields[4] == "0 ." else "RFC 5321 §5.1"
        if fields[3] == "TXT":
            said = txt_meaning(fields[0].rstrip("."), fields[4])
            return said[1] if said else "RFC 1035 §3.3.14"
        if fields[3] == "SOA" and _negative(answer):
            return "RFC 2308 §3"
        return "RFC 1035 §4.1"
    if text.startswith(";; ->>HEADER") or text == ";; AUTHORITY SECTION:":
        if answer.rcode == "NXDOMAIN":
            return "RFC 2308 §2.1"
        if answer.rcode == "NOERROR" and not answer.records:
            return "RFC 2308 §2.2"
    return "RFC 1035 §4.1"
