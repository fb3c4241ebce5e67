"""DMARC (RFC 7489): does the From: domain's owner vouch for this message, and what if not?

The author domain is the domain of the From: address (§6.6.1). DMARC passes
when SPF or DKIM passed for a domain *aligned* with it (§3.1): the same
domain (strict, ``aspf=s`` / ``adkim=s``) or the same organizational domain
(relaxed, the default). The policy is the TXT record at ``_dmarc.<author
domain>``, or, when there is none, at ``_dmarc.<organizational domain>``
(§6.6.3), whose ``sp=`` then applies.

Simplification, said where it shows: the organizational domain is taken as
the last two labels of the name. RFC 7489 §3.2 uses a public suffix list;
the scenarios' domains (example.org, example.net, ...) are all of that
shape. ``pct=`` (sampling, §6.6.4) is explained with the record but not
applied: every message is treated as sampled, so that a run is deterministic.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from simulator.delivery.authentication.lookups import Answers, Step, ZoneFault, replay, txt_joined
from simulator.dns import DNSAnswer

if TYPE_CHECKING:
    from simulator.delivery.authentication.dkimcheck import DKIMResult
    from simulator.delivery.authentication.spfcheck import SPFResult

POLICIES = ("none", "quarantine", "reject")


def organizational_domain(domain: str) -> str:
    """The registered domain of a name: its last two labels (see the module's note on §3.2)."""
    labels = domain.rstrip(".").lower().split(".")
    return ".".join(labels[-2:])


def aligned(author: str, other: str, mode: str) -> bool:
    """RFC 7489 §3.1: strict ("s") wants the same name, relaxed ("r") the same organizational domain."""
    a, b = author.rstrip(".").lower(), other.rstrip(".").lower()
    if not b:
        return False
    if mode == "s":
        return a == b
    return organizational_domain(a) == organizational_domain(b)


@dataclass(frozen=True)
class DMARCRecord:
    """A parsed DMARC record (RFC 7489 §6.3): what this receiver acts on."""

    text: str
    policy: str  # p=
    subdomain_policy: str  # sp=, defaulting to p=
    adkim: str = "r"
    aspf: str = "r"

    @classmethod
    def parse(cls, text: str) -> "DMARCRecord | None":
        """The record, or None if it is not a valid DMARC record (§6.6.3: then it is ignored)."""
        tags: list[tuple[str, str]] = []
        for part in text.split(";"):
            if not part.strip():
                continue
            name, eq, value = part.partition("=")
            if not eq:
                return None
            tags.append((name.strip().lower(), value.strip()))
        if not tags or tags[0] != ("v", "DMARC1"):
            return None  # §6.3: v=DMARC1 must come first, exactly so
        got = dict(tags)
        policy = got.get("p", "").lower()
        if policy not in POLICIES:
            # §6.6.3: a record with an invalid or missing p= is treated as p=none when rua= is valid;
            # the simulator keeps it simple and ignores the record.
            return None
        sp = got.get("sp", policy).lower()
        return cls(text, policy, sp if sp in POLICIES else policy,
                   "s" if got.get("adkim", "r").lower() == "s" else "r",
                   "s" if got.get("aspf", "r").lower() == "s" else "r")


@dataclass(frozen=True)
class DMARCResult:
    """The DMARC verdict on one message (RFC 8601 §2.7 "dmarc" method, registered by RFC 7489 §11.1)."""

    result: str  # pass, fail, none (no policy published), temperror, permerror
    author_domain: str
    record: DMARCRecord | None = None
    record_domain: str = ""  # where the record was found (the author's or the organizational domain)
    policy: str = "none"  # the policy that applies to this message: p=, or sp= for a subdomain
    spf_aligned: bool = False
    dkim_aligned: bool = False
    aligned_dkim_domains: tuple[str, ...] = field(default=())

    @property
    def disposition(self) -> str:
        """What the domain owner asks the receiver to do with this message: none, quarantine, reject."""
        return self.policy if self.result == "fail" else "none"


def explain_query(name: str, rdtype: str) -> tuple[str, str]:
    domain = name.removeprefix("_dmarc.")
    return (f"DMARC: the MX asks the owner of {domain} what to do with mail that claims to be from it but "
            f"fails authentication. The policy is a TXT record at _dmarc.{domain}, beginning v=DMARC1.",
            "RFC 7489 §6.6.3")


def _find_record(answers: Answers, author: str) -> tuple[DMARCRecord | None, str, bool]:
    """(record, where found, a lookup went unanswered), asking the author domain then the organizational one."""
    names = [author]
    org = organizational_domain(author)
    if org != author:
        names.append(org)
    for domain in names:
        got = answers.get("_dmarc." + domain, "TXT")
        if got is None:
            return None, domain, True
        records = [r for r in (DMARCRecord.parse(t) for t in txt_joined(got)) if r is not None]
        if len(records) == 1:
            return records[0], domain, False
        if len(records) > 1:
            return None, "", False  # §6.6.3: more than one record: DMARC is not applied
        # §6.6.3: no record at this name: ask the organizational domain
    return None, "", False


def check(author_domain: str, spf: SPFResult, dkim: list[DKIMResult],
          zone_fault: ZoneFault | None = None) -> Generator[Step, DNSAnswer | None, DMARCResult]:
    """Evaluate DMARC for a message whose From: domain is ``author_domain``."""
    author = author_domain.rstrip(".").lower()
    answers = Answers()
    record, where, unanswered = yield from replay(lambda got: _find_record(got, author), answers,
                                                  explain_query, zone_fault)
    if unanswered:
        return DMARCResult("temperror", author, record_domain=where)
    if record is None:
        return DMARCResult("none", author)
    policy = record.policy if where == author else record.subdomain_policy
    spf_ok = spf.result == "pass" and aligned(author, spf.domain, record.aspf)
    dkim_domains = tuple(r.domain for r in dkim if r.result == "pass" and aligned(author, r.domain, record.adkim))
    result = "pass" if spf_ok or dkim_domains else "fail"
    return DMARCResult(result, author, record, where, policy, spf_ok, bool(dkim_domains), dkim_domains)
