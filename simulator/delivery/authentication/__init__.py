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
"""

from simulator.delivery.authentication.dkimcheck import DEFAULT_SELECTOR, DKIMKey, DKIMResult, body_hash, sign, signing_key
from simulator.delivery.authentication.dkimcheck import verify as dkim_verify
from simulator.delivery.authentication.dmarc import DMARCRecord, DMARCResult, aligned, organizational_domain
from simulator.delivery.authentication.dmarc import check as dmarc_check
from simulator.delivery.authentication.explain import dkim_key_record, dmarc_record, spf_record, spf_term
from simulator.delivery.authentication.lookups import txt_joined, txt_strings
from simulator.delivery.authentication.spfcheck import SPFResult
from simulator.delivery.authentication.spfcheck import check as spf_check
from simulator.delivery.authentication.verdict import AuthCheck, author_domain, authentication_results

__all__ = [
    "DEFAULT_SELECTOR", "AuthCheck", "DKIMKey", "DKIMResult", "DMARCRecord", "DMARCResult", "SPFResult",
    "aligned", "author_domain", "authentication_results", "body_hash", "dkim_key_record", "dkim_verify",
    "dmarc_check", "dmarc_record", "organizational_domain", "sign", "signing_key", "spf_check", "spf_record",
    "spf_term", "txt_joined", "txt_strings",
]
