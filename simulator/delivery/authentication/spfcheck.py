"""SPF (RFC 7208) with pyspf: may this address send mail for this domain?

pyspf does the evaluation, macros and limits included; its DNS goes through
``Answers`` (see ``lookups``), so each query it makes is an ``Ask`` step of
the check and shows in the trace. pyspf asks DNS through one module-level
function (``spf.DNSLookup``, the hook its own test suite replaces); it is
swapped in under a lock for the length of one evaluation.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import spf

from simulator.delivery.authentication.lookups import Answers, Explain, Step, ZoneFault, replay
from simulator.dns import DNSAnswer

_LOCK = threading.Lock()  # spf.DNSLookup is one global; live mode may check from more than one thread


@dataclass(frozen=True)
class SPFResult:
    """An RFC 7208 §2.6 result for one identity."""

    result: str  # none, neutral, pass, fail, softfail, temperror, permerror
    identity: str  # "mailfrom" or "helo" (RFC 7208 §2.3, §2.4)
    sender: str  # the MAIL FROM address (or postmaster@HELO) that was checked
    domain: str  # the domain whose record was asked
    ip: str
    explanation: str = ""  # pyspf's words for the result


def _lookup(answers: Answers) -> Any:
    """A pyspf ``DNSLookup`` answering from ``answers`` (raising ``NeedAnswer`` for new questions)."""

    def lookup(name: str, qtype: str, strict: object = True, timeout: object = None) -> list[tuple[tuple[str, str], Any]]:
        got = answers.get(name, qtype)
        if got is None:
            raise spf.TempError(f"DNS: no answer for {name} {qtype}")
        out: list[tuple[tuple[str, str], Any]] = []
        for rrset in got.message.answer:
            owner = rrset.name.to_text().rstrip(".")
            kind = rrset.rdtype.name if hasattr(rrset.rdtype, "name") else str(rrset.rdtype)
            for rd in rrset:
                if kind in ("A", "AAAA"):
                    out.append(((owner, kind), rd.address))
                elif kind == "MX":
                    out.append(((owner, kind), (rd.preference, rd.exchange.to_text().rstrip("."))))
                elif kind in ("PTR", "CNAME"):
                    out.append(((owner, kind), rd.target.to_text().rstrip(".")))
                elif kind == "TXT":
                    out.append(((owner, kind), list(rd.strings)))
        return out

    return lookup


def _evaluate(ip: str, sender: str, helo: str, answers: Answers) -> tuple[str, str, str]:
    with _LOCK:
        saved = spf.DNSLookup
        spf.DNSLookup = _lookup(answers)
        try:
            query = spf.query(i=ip, s=sender, h=helo, querytime=0)
            result, _code, explanation = query.check()
        finally:
            spf.DNSLookup = saved
    return result, explanation, query.ident


def explain_query(domain: str) -> Explain:
    def explain(name: str, rdtype: str) -> tuple[str, str]:
        if rdtype == "TXT" and name == domain:
            return (f"SPF: the MX asks {domain} which hosts may send its mail. The answer is a TXT record "
                    "starting v=spf1 at the domain itself; the MX picks that one from any other TXT records.",
                    "RFC 7208 §4.4")
        if rdtype == "TXT":
            return (f"The SPF record led to {name} (an include: or redirect=); its own SPF record is fetched "
                    "and evaluated the same way. Each such lookup counts against the limit of ten.",
                    "RFC 7208 §4.6.4")
        return (f"An SPF mechanism needs the {rdtype} records of {name}: the MX compares the client's address "
                "with what they give. Each mechanism that asks DNS counts against the limit of ten.",
                "RFC 7208 §5")

    return explain


def check(ip: str, mail_from: str, helo: str,
          zone_fault: ZoneFault | None = None) -> Generator[Step, DNSAnswer | None, SPFResult]:
    """Check the MAIL FROM identity (or, for the null sender, the HELO one) of a client at ``ip``.

    RFC 7208 §2.4: with an empty reverse-path the check is of
    ``postmaster@<HELO domain>``; pyspf does that itself.
    """
    sender = mail_from or f"postmaster@{helo}"
    domain = sender.rpartition("@")[2].lower() or helo.lower()
    answers = Answers()
    result, explanation, ident = yield from replay(
        lambda got: _evaluate(ip, mail_from, helo, got), answers, explain_query(domain), zone_fault)
    return SPFResult(result, ident, sender, domain, ip, explanation)

