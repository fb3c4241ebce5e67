"""Who may send for a domain: SPF, DKIM and DMARC, sans-I/O, over the scenario's DNS.

The stable API (live mode and the simulation both use it):

- ``signing_key(domain, selector)`` -> ``DKIMKey`` (fixed test key from
  ``assets/dkim/<selector>.pem``; ``.zone_line()`` is the TXT record to
  publish at ``<selector>._domainkey.<domain>``);
- ``sign(message, key, timestamp)`` -> the ``DKIM-Signature`` header field
  (bytes, CRLF-terminated) to prepend: rsa-sha256, relaxed/relaxed, ``t=``
  the simulated time (RFC 6376 §3.5);
- ``AuthCheck(mx, ip, helo, mail_from, message)``: the receiving MX's whole
  check. ``steps()`` is a generator of ``Ask`` (a DNS question: send back the
  ``DNSAnswer``, or None for no answer) and ``Say`` (a trace note), the same
  steps as ``connectcheck.ClientCheck`` (drive it with ``connectcheck.drive``
  when the resolver answers at once). Afterwards: ``spf`` (``SPFResult``),
  ``dkim`` (list of ``DKIMResult``), ``dmarc`` (``DMARCResult`` or None),
  ``header`` (the ``Authentication-Results`` value, RFC 8601) and
  ``refusal`` (the reply to the final dot, or None to accept);
- the parts on their own: ``spf_check``, ``dkim_verify``, ``dmarc_check``
  (generators returning their result), ``authentication_results``,
  ``aligned``, ``organizational_domain``, and the record explainers
  ``spf_record``, ``dkim_key_record``, ``dmarc_record``.

SPF is evaluated by pyspf, DKIM signed and verified by dkimpy; their DNS
lookups go through ``lookups.Answers`` so each is an ``Ask`` in the trace.

The package loads dkimpy, pyspf and cryptography only when one of these is
first used (``smtpsim run`` of a scenario without authentication loads none).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.delivery.authentication.dkimcheck import DEFAULT_SELECTOR, DKIMKey, DKIMResult, body_hash, sign, signing_key
    from simulator.delivery.authentication.dkimcheck import verify as dkim_verify
    from simulator.delivery.authentication.dmarc import DMARCRecord, DMARCResult, aligned, organizational_domain
    from simulator.delivery.authentication.dmarc import check as dmarc_check
    from simulator.delivery.authentication.explain import dkim_key_record, dmarc_record, spf_record, spf_term
    from simulator.delivery.authentication.lookups import txt_joined, txt_strings
    from simulator.delivery.authentication.spfcheck import SPFResult
    from simulator.delivery.authentication.spfcheck import check as spf_check
    from simulator.delivery.authentication.verdict import AuthCheck, author_domain, authentication_results
    from simulator.delivery.authentication.verdict import without_claims_of

_LAZY: dict[str, tuple[str, str]] = {
    "AuthCheck": ("simulator.delivery.authentication.verdict", "AuthCheck"),
    "DEFAULT_SELECTOR": ("simulator.delivery.authentication.dkimcheck", "DEFAULT_SELECTOR"),
    "DKIMKey": ("simulator.delivery.authentication.dkimcheck", "DKIMKey"),
    "DKIMResult": ("simulator.delivery.authentication.dkimcheck", "DKIMResult"),
    "DMARCRecord": ("simulator.delivery.authentication.dmarc", "DMARCRecord"),
    "DMARCResult": ("simulator.delivery.authentication.dmarc", "DMARCResult"),
    "SPFResult": ("simulator.delivery.authentication.spfcheck", "SPFResult"),
    "aligned": ("simulator.delivery.authentication.dmarc", "aligned"),
    "authentication_results": ("simulator.delivery.authentication.verdict", "authentication_results"),
    "author_domain": ("simulator.delivery.authentication.verdict", "author_domain"),
    "without_claims_of": ("simulator.delivery.authentication.verdict", "without_claims_of"),
    "body_hash": ("simulator.delivery.authentication.dkimcheck", "body_hash"),
    "dkim_key_record": ("simulator.delivery.authentication.explain", "dkim_key_record"),
    "dkim_verify": ("simulator.delivery.authentication.dkimcheck", "verify"),
    "dmarc_check": ("simulator.delivery.authentication.dmarc", "check"),
    "dmarc_record": ("simulator.delivery.authentication.explain", "dmarc_record"),
    "organizational_domain": ("simulator.delivery.authentication.dmarc", "organizational_domain"),
    "sign": ("simulator.delivery.authentication.dkimcheck", "sign"),
    "signing_key": ("simulator.delivery.authentication.dkimcheck", "signing_key"),
    "spf_check": ("simulator.delivery.authentication.spfcheck", "check"),
    "spf_record": ("simulator.delivery.authentication.explain", "spf_record"),
    "spf_term": ("simulator.delivery.authentication.explain", "spf_term"),
    "txt_joined": ("simulator.delivery.authentication.lookups", "txt_joined"),
    "txt_strings": ("simulator.delivery.authentication.lookups", "txt_strings"),
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), attr)
