"""The receiving MX's whole check of one message: SPF, DKIM, DMARC; the header it stamps; its answer."""

from __future__ import annotations

import re
from collections.abc import Generator
from email.utils import getaddresses

from simulator.delivery.authentication import dkimcheck, dmarc, spfcheck
from simulator.delivery.authentication.dkimcheck import DKIMResult
from simulator.delivery.authentication.dmarc import DMARCResult
from simulator.delivery.authentication.explain import POLICY_MEANING
from simulator.delivery.authentication.lookups import Step, ZoneFault
from simulator.delivery.authentication.spfcheck import SPFResult
from simulator.delivery.connectcheck import Say
from simulator.dns import DNSAnswer
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp.replies import Reply

_TOKEN = re.compile(r"[^\x00-\x20()<>@,;:\\\"/\[\]?=\x7f]+")  # RFC 2045 §5.1 token


def _value(text: str) -> str:
    """A pvalue: a token as it is, anything else as a quoted-string (RFC 8601 §2.2, RFC 2045 §5.1)."""
    if _TOKEN.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authentication_results(authserv_id: str, spf: SPFResult | None, dkim: list[DKIMResult],
                           dmarc_result: DMARCResult | None) -> str:
    """The value of an Authentication-Results header field (RFC 8601 §2.2), folded one result a line.

    ``Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org;
    dkim=pass header.d=example.org header.s=sim2026 header.b="AbCd/123"; dmarc=pass
    header.from=example.org``: the authserv-id names who checked (§2.5), then
    each method's result and the property it was about (§2.3, §2.7).
    """
    parts: list[str] = []
    if spf is not None:
        prop = "smtp.mailfrom" if spf.identity == "mailfrom" else "smtp.helo"
        # The domain only: SPF says nothing about the local-part, so it SHOULD NOT be reported (§2.7.2).
        parts.append(f"spf={spf.result} ({spf.domain}: {spf.ip} is {_spf_words(spf.result)}) {prop}={spf.domain}")
    for result in dkim:
        if result.result == "none":
            parts.append("dkim=none (message not signed)")
            continue
        reason = f" reason={_value(result.reason)}" if result.reason else ""
        parts.append(f"dkim={result.result}{reason} header.d={result.domain} header.s={_value(result.selector)}"
                     + (f" header.b={_value(result.header_b)}" if result.header_b else ""))
    if dmarc_result is not None:
        comment = f" (p={dmarc_result.policy} dis={dmarc_result.disposition})" if dmarc_result.record else ""
        parts.append(f"dmarc={dmarc_result.result}{comment} header.from={dmarc_result.author_domain}")
    if not parts:
        return f"{authserv_id}; none"
    return authserv_id + ";" + ";".join(f"\r\n\t{p}" for p in parts)


def _spf_words(result: str) -> str:
    return {"pass": "a permitted sender", "fail": "not a permitted sender", "softfail": "probably not a permitted sender",
            "neutral": "neither permitted nor denied", "none": "unchecked: no SPF record",
            "temperror": "unchecked: DNS failed", "permerror": "unchecked: the record is broken"}.get(result, result)


def without_claims_of(message: bytes, authserv_id: str) -> bytes:
    """``message`` without Authentication-Results fields that claim to be ``authserv_id``'s (RFC 8601 §5).

    A sender can write any header field, including one that says this MX checked
    the message and it passed; the MX removes such fields before adding its own,
    so that readers can trust the ones with its name.
    """
    head, sep, body = message.partition(b"\r\n\r\n")
    out: list[bytes] = []
    dropping = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                out.append(line)
            continue
        name, _colon, value = line.partition(b":")
        claimed = value.split(b";", 1)[0].strip().lower()
        dropping = name.strip().lower() == b"authentication-results" and \
            claimed.split()[:1] == [authserv_id.lower().encode()]
        if not dropping:
            out.append(line)
    return b"\r\n".join(out) + sep + body


def author_domain(message: bytes) -> str:
    """The domain of the From: address (RFC 7489 §6.6.1), or "" if there is not exactly one."""
    head = message.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    values = [line.split(":", 1)[1] for line in re.sub(r"\r\n[ \t]", " ", head).split("\r\n")
              if line.lower().startswith("from:")]
    addresses = getaddresses(values)
    if len(values) != 1 or len(addresses) != 1:
        return ""
    return addresses[0][1].rpartition("@")[2].lower()


class AuthCheck:
    """What ``mx`` concludes about a message from ``ip`` (HELO ``helo``, MAIL FROM ``mail_from``).

    ``steps()`` yields the DNS questions (``Ask``) and notes (``Say``) in
    order, the way ``connectcheck.ClientCheck`` does, and sets ``spf``,
    ``dkim``, ``dmarc``, ``refusal`` (the reply to the end of DATA, or None to
    accept) and ``header`` (the Authentication-Results value to stamp).
    ``now``: the time of the check, seconds since 1970 (the simulated clock), for DKIM's
    ``t=``/``x=``; None reads the wall clock. An SPF fail is refused with 550 5.7.23 when no DMARC
    policy decides (RFC 7208 §8.4 leaves it to local policy).
    """

    def __init__(self, mx: str, ip: str, helo: str, mail_from: str, message: bytes, *,
                 zone_fault: ZoneFault | None = None, now: int | None = None) -> None:
        self.mx, self.ip, self.helo, self.mail_from, self.message = mx, ip, helo, mail_from, message
        self.zone_fault = zone_fault
        self.now = now  # the time DKIM's t= and x= are judged against (None: the wall clock)
        self.spf: SPFResult | None = None
        self.dkim: list[DKIMResult] = []
        self.dmarc: DMARCResult | None = None
        self.refusal: Reply | None = None
        self.header = ""

    def steps(self) -> Generator[Step, DNSAnswer | None, None]:
        # The records themselves are explained where their answers are traced (trace/narrate/dns.py).
        spf = self.spf = yield from spfcheck.check(self.ip, self.mail_from, self.helo, self.zone_fault)
        yield Say(f"SPF {spf.result}: {spf.ip} for {spf.sender}", _spf_say(spf), "RFC 7208 §2.6")
        self.dkim = yield from dkimcheck.verify(self.message, self.zone_fault, self.now)
        for result in self.dkim:
            yield Say(_dkim_line(result), _dkim_say(result), "RFC 6376 §6.1.3" if result.body_hash_computed
                      and result.body_hash_computed != result.body_hash_claimed else "RFC 6376 §6.1")
        author = author_domain(self.message)
        if author:
            self.dmarc = yield from dmarc.check(author, spf, self.dkim, self.zone_fault)
            yield Say(f"DMARC {self.dmarc.result} for From: domain {author}", _dmarc_say(self.dmarc), "RFC 7489 §3.1")
            if self.dmarc.disposition == "quarantine":
                yield Say(f"p=quarantine: {self.mx} accepts the message but treats it as suspicious",
                          "The domain owner asks that failing mail be treated as suspicious, not refused. Real "
                          "receivers file it in the spam folder; here it is delivered to the inbox with "
                          "dmarc=fail (p=quarantine dis=quarantine) in Authentication-Results, for the mail "
                          "client or a filter to act on.", "RFC 7489 §6.3")
        self.refusal = self._policy(author)
        self.header = authentication_results(self.mx, spf, self.dkim, self.dmarc)
        if self.refusal is None:
            yield Say("Authentication-Results: " + " ".join(self.header.split()),
                      f"{self.mx} records its verdicts in a header field it puts on top of the message: first its "
                      "own name (the authserv-id), then one method=result per check, each with the property it "
                      "was about (smtp.mailfrom, header.d, header.from). Readers trust only the header fields "
                      "their own receiving servers add.", "RFC 8601 §2.2")

    def _policy(self, author: str) -> Reply | None:
        result = self.dmarc
        if result is not None and result.result == "fail" and result.policy == "reject":
            return R.dmarc_rejected(author)
        if result is not None and result.result == "temperror":
            return R.dmarc_temp_error(author)
        decided = result is not None and result.record is not None
        if self.spf is not None and not decided:
            if self.spf.result == "fail":
                return R.spf_failed(self.spf.domain, self.ip)
            if self.spf.result == "temperror":
                return R.spf_error(self.spf.domain, temporary=True)
        return None


def _spf_say(spf: SPFResult) -> str:
    meaning = {
        "pass": f"{spf.domain}'s record lists {spf.ip}: the client may send mail with this envelope sender.",
        "fail": f"The first term of {spf.domain}'s record that matches {spf.ip} has the qualifier - (usually "
                "-all): the domain says mail from this address is not its mail.",
        "softfail": f"The first term of {spf.domain}'s record that matches {spf.ip} has the qualifier ~ (usually "
                    "~all): probably not its mail.",
        "neutral": f"{spf.domain}'s record says nothing about {spf.ip}.",
        "none": f"{spf.domain} publishes no SPF record: nothing can be said.",
        "temperror": "A DNS lookup failed: the check may succeed later.",
        "permerror": f"{spf.domain}'s SPF record is broken (a syntax error, or more than ten lookups).",
    }.get(spf.result, spf.explanation)
    return (meaning + " SPF checks the envelope sender (MAIL FROM), not the From: line people see; DMARC "
            "connects the two.")


def _dkim_line(result: DKIMResult) -> str:
    if result.result == "none":
        return "DKIM none: the message is not signed"
    why = f" ({result.reason})" if result.reason else ""
    return f"DKIM {result.result} for d={result.domain} s={result.selector}{why}"


def _dkim_say(result: DKIMResult) -> str:
    if result.result == "none":
        return "No DKIM-Signature header field: no domain has taken responsibility for this message."
    if result.result == "pass":
        return (f"The body hash the MX computed ({result.body_hash_computed[:12]}...) equals bh=, and the "
                f"signature b= verifies with {result.domain}'s public key over the signed header fields "
                f"({result.signed_headers}): {result.domain} takes responsibility for this message, unchanged.")
    if result.reason == "body hash did not verify":
        return (f"The signer wrote bh={result.body_hash_claimed}, the SHA-256 hash of the body as it signed it. "
                f"The MX canonicalized the body it received (c={result.canonicalization}) and hashed "
                f"it: {result.body_hash_computed}. They differ, so the body changed after signing and the "
                "signature fails, whatever the change was (RFC 6376 §6.1.3).")
    if result.reason == "no key for signature":
        return (f"{result.selector}._domainkey.{result.domain} has no key record, so the signature cannot be "
                "checked: a permanent error (RFC 6376 §6.1.2: no key for signature).")
    return f"The signature could not be verified: {result.reason}."


def _dmarc_say(result: DMARCResult) -> str:
    if result.result == "none":
        return f"{result.author_domain} publishes no DMARC policy: receivers decide for themselves."
    if result.result == "temperror":
        return "The DMARC policy could not be fetched: the receiver defers rather than guess."
    how = []
    if result.spf_aligned:
        how.append("SPF passed for an aligned domain")
    if result.dkim_aligned:
        how.append(f"DKIM passed for {', '.join(result.aligned_dkim_domains)}, aligned with it")
    if result.result == "pass":
        return (f"DMARC passes because {' and '.join(how)}: the From: domain {result.author_domain} is "
                "authenticated, not only some other domain.")
    return (f"Neither SPF nor DKIM passed for a domain aligned with {result.author_domain}; its policy is "
            f"p={POLICY_MEANING[result.policy]}.")
