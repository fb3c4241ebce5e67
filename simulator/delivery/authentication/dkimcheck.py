"""DKIM (RFC 6376) with dkimpy: the MSA's signature, the MX's verification.

The scenario's signing key is fixed data (``assets/dkim/<selector>.pem``), so
a seeded run signs the same bytes every time; its public half is what the
scenario's zone publishes at ``<selector>._domainkey.<domain>``. dkimpy does
the cryptography and the canonicalization; the one thing done here is the
signature's ``t=`` (RFC 6376 §3.5), which dkimpy's ``sign`` takes from the
wall clock: ``sign`` passes the simulated time instead. The RSA operation itself
is OpenSSL's (``cryptography``): dkimpy's is pure Python, about twenty times
slower (6 ms a signature against 0.3), which live mode's MSA would pay per
message; RSASSA-PKCS1-v1_5 is deterministic, so the bytes are the same.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from dkim.canonicalization import CanonicalizationPolicy
from dkim.crypto import HASH_ALGORITHMS
from dkim.util import parse_tag_value

from simulator.delivery.authentication.lookups import Answers, Step, ZoneFault, replay, txt_joined
from simulator.dns import DNSAnswer
from simulator.paths import assets_dir
from simulator.scenario.model import DKIM_SELECTOR

DEFAULT_SELECTOR = DKIM_SELECTOR  # the scenarios' key
CANONICALIZATION = (b"relaxed", b"relaxed")  # RFC 6376 §3.4: tolerant of re-folded headers and whitespace
TXT_CHUNK = 255  # RFC 1035 §3.3: one character-string holds at most 255 octets

_LOG = logging.getLogger("smtpsim.dkim")  # dkimpy logs what failed; the result says it instead
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False


@dataclass(frozen=True)
class DKIMKey:
    """A signing key: who signs (``d=``), with which selector (``s=``), and the key itself."""

    domain: str
    selector: str
    private_pem: bytes

    @property
    def record_name(self) -> str:
        """Where the public key is published (RFC 6376 §3.6.2.1)."""
        return f"{self.selector}._domainkey.{self.domain}"

    @functools.cached_property
    def public_b64(self) -> str:
        """The public key as p= carries it: base64 of the DER SubjectPublicKeyInfo (RFC 6376 §3.6.1)."""
        der = _rsa_key(self.private_pem).public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode("ascii")

    @property
    def record(self) -> str:
        """The key record's text: ``v=DKIM1; k=rsa; p=...`` (RFC 6376 §3.6.1)."""
        return f"v=DKIM1; k=rsa; p={self.public_b64}"

    def zone_line(self) -> str:
        """The TXT record as a zone file line, split into 255-octet strings (RFC 6376 §3.6.2.2)."""
        text = self.record
        strings = " ".join(f'"{text[i:i + TXT_CHUNK]}"' for i in range(0, len(text), TXT_CHUNK))
        return f"{self.record_name}. IN TXT {strings}"


def signing_key(domain: str, selector: str = DEFAULT_SELECTOR) -> DKIMKey:
    """The scenario key for ``domain``: ``assets/dkim/<selector>.pem`` (test data, never a real key)."""
    return DKIMKey(domain.lower(), selector, (assets_dir() / "dkim" / f"{selector}.pem").read_bytes())


_SIGNING = threading.Lock()  # dkim.RSASSA_PKCS1_v1_5_sign is one global; it is swapped while one signs
_PREHASHED = {"sha256": hashes.SHA256, "sha1": hashes.SHA1}


@functools.lru_cache(maxsize=16)
def _rsa_key(private_pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("a DKIM rsa-sha256 key must be an RSA key")
    return key


def _openssl_signer(private_pem: bytes) -> Callable[[Any, object], bytes]:
    """dkimpy's ``RSASSA_PKCS1_v1_5_sign(hash, private_key)``, done by OpenSSL with ``private_pem``."""
    key = _rsa_key(private_pem)

    def rsassa_sign(digest: Any, _private_key: object) -> bytes:
        algorithm = _PREHASHED[digest.name]()  # dkimpy's hash wrapper names its algorithm like hashlib
        return key.sign(digest.digest(), padding.PKCS1v15(), Prehashed(algorithm))

    return rsassa_sign


class _Signer(dkim.DKIM):
    """dkimpy's signer with the time of signing given, not read from the clock."""

    def sign_at(self, key: DKIMKey, timestamp: int, include_headers: list[bytes] | None) -> bytes:
        self.signature_algorithm = b"rsa-sha256"
        policy = CanonicalizationPolicy.from_c_value(b"/".join(CANONICALIZATION))
        headers = tuple(h.lower() for h in (include_headers or self.default_sign_headers()))
        self.include_headers = headers
        self.hasher = HASH_ALGORITHMS[self.signature_algorithm]
        body_hash = base64.b64encode(self.hasher(policy.canonicalize_body(self.body)).digest())
        domain = key.domain.encode("ascii")
        fields = [  # the order dkimpy's own sign() writes them
            (b"v", b"1"), (b"a", self.signature_algorithm), (b"c", policy.to_c_value()),
            (b"d", domain), (b"i", b"@" + domain), (b"q", b"dns/txt"),
            (b"s", key.selector.encode("ascii")), (b"t", str(int(timestamp)).encode("ascii")),
            (b"h", b" : ".join(headers)), (b"bh", body_hash), (b"b", b"0" * 60),
        ]
        with _SIGNING:
            saved = dkim.RSASSA_PKCS1_v1_5_sign
            dkim.RSASSA_PKCS1_v1_5_sign = _openssl_signer(key.private_pem)
            try:
                # dkimpy hashes the header fields and folds; the key is OpenSSL's, so none is passed.
                header = self.gen_header(fields, headers, policy, b"DKIM-Signature", None)
            finally:
                dkim.RSASSA_PKCS1_v1_5_sign = saved
        return b"DKIM-Signature: " + header


SLOP = 36000  # dkimpy's leeway for a signer's clock, 10 hours


class _Verifier(dkim.DKIM):
    """dkimpy's verifier with ``t=`` and ``x=`` judged against a given time (the simulated clock), not the wall's.

    dkimpy checks them against ``time.time()``; a simulation set in another year
    would see every signature as made in the future. Everything else is dkimpy's
    own validation, on the tags without those two.
    """

    def __init__(self, message: bytes, now: int | None) -> None:
        super().__init__(message, logger=_LOG)
        self.now = now

    def verify_headerprep(self, idx: int = 0) -> Any:
        if self.now is None:
            return super().verify_headerprep(idx)
        sigheaders = [(x, y) for x, y in self.headers if x.lower() == b"dkim-signature"]
        if len(sigheaders) <= idx:
            return False
        try:
            sig = parse_tag_value(sigheaders[idx][1])
        except dkim.InvalidTagValueList as error:
            raise dkim.MessageFormatError(error) from error
        self.signature_fields = sig
        dkim.validate_signature_fields({k: v for k, v in sig.items() if k not in (b"t", b"x")})
        _check_times(sig, self.now)
        self.domain, self.selector = sig[b"d"], sig[b"s"]
        include_headers = [x.lower() for x in re.split(rb"\s*:\s*", sig[b"h"])]
        self.include_headers = tuple(include_headers)
        return sig, include_headers, sigheaders


def _check_times(sig: dict[bytes, bytes], now: int) -> None:
    """RFC 6376 §3.5: t= not in the future (beyond the slop), x= not past."""
    for tag in (b"t", b"x"):
        if tag in sig and re.fullmatch(rb"\d+", sig[tag]) is None:
            raise dkim.ValidationError(f"{tag.decode()}= value is not a decimal integer")
    if b"t" in sig and int(sig[b"t"]) > now + SLOP:
        raise dkim.ValidationError("t= value is in the future")
    if b"x" in sig and int(sig[b"x"]) < now - SLOP:
        raise dkim.ValidationError("x= value is past")


def sign(message: bytes, key: DKIMKey, timestamp: int, include_headers: list[bytes] | None = None) -> bytes:
    """The DKIM-Signature header field (ending in CRLF) to put on top of ``message``.

    rsa-sha256, relaxed/relaxed; ``timestamp`` (seconds since 1970) is the
    simulated time of signing. By default dkimpy picks the header fields that
    RFC 6376 §5.4.1 recommends and signs From twice, so that nobody can add a
    second From after signing.
    """
    return _Signer(message, logger=_LOG).sign_at(key, timestamp, include_headers)


@dataclass(frozen=True)
class DKIMResult:
    """One signature's verification: an RFC 8601 §2.7.1 result and why."""

    result: str  # pass, fail, neutral, permerror, temperror; "none" when the message is unsigned
    domain: str = ""  # d=
    selector: str = ""  # s=
    reason: str = ""
    header_b: str = ""  # the first characters of b=, to tell signatures apart (RFC 6008)
    body_hash_claimed: str = ""  # bh= as the signer wrote it
    body_hash_computed: str = ""  # what the verifier computed over the body it received
    signed_headers: str = ""  # h=
    canonicalization: str = "simple/simple"  # c= (header/body), simple/simple when absent (RFC 6376 §3.5)


def _signatures(message: bytes) -> list[dict[bytes, bytes]]:
    out = []
    for name, value in dkim.DKIM(message, logger=_LOG).headers:
        if name.lower() == b"dkim-signature":
            try:
                out.append(parse_tag_value(value))
            except dkim.InvalidTagValueList:
                out.append({})
    return out


def body_hash(message: bytes, sig: dict[bytes, bytes]) -> str:
    """The body hash a verifier computes for ``sig`` (RFC 6376 §3.7), base64."""
    d = dkim.DKIM(message, logger=_LOG)
    policy = CanonicalizationPolicy.from_c_value(sig.get(b"c", b"simple/simple"))
    body = policy.canonicalize_body(d.body)
    if b"l" in sig:
        body = body[:int(sig[b"l"])]
    hasher = HASH_ALGORITHMS.get(sig.get(b"a", b"rsa-sha256"), HASH_ALGORITHMS[b"rsa-sha256"])
    return base64.b64encode(hasher(body).digest()).decode("ascii")


def _verify_one(message: bytes, idx: int, sig: dict[bytes, bytes], answers: Answers, now: int | None) -> DKIMResult:
    text = lambda tag: sig.get(tag, b"").decode("ascii", "replace")  # noqa: E731
    domain, selector = text(b"d").lower(), text(b"s")
    base = dict(domain=domain, selector=selector, header_b=re.sub(r"\s+", "", text(b"b"))[:8],
                body_hash_claimed=re.sub(r"\s+", "", text(b"bh")),
                signed_headers=" ".join(text(b"h").split()), canonicalization=text(b"c") or "simple/simple")
    if not sig or not domain or not selector:
        return DKIMResult("permerror", reason="the signature lacks required tags", **base)
    name = f"{selector}._domainkey.{domain}"
    timed_out = False

    def dnsfunc(qname: bytes, timeout: int = 5) -> bytes | None:
        nonlocal timed_out
        got = answers.get(qname.decode("ascii"), "TXT")
        if got is None:
            timed_out = True
            raise dkim.DnsTimeoutError("no answer")
        records = txt_joined(got)
        return records[0].encode("ascii") if records else None

    d = _Verifier(message, now)
    try:
        ok = d.verify(idx, dnsfunc=dnsfunc)
    except dkim.ValidationError as error:
        computed = body_hash(message, sig)
        base.update(body_hash_computed=computed)
        if "body hash mismatch" in str(error):
            return DKIMResult("fail", reason="body hash did not verify", **base)
        return DKIMResult("permerror", reason=str(error), **base)
    except dkim.DKIMException as error:
        return DKIMResult("permerror", reason=str(error), **base)
    base.update(body_hash_computed=body_hash(message, sig))
    if ok:
        return DKIMResult("pass", **base)
    if timed_out:
        return DKIMResult("temperror", reason="the key could not be retrieved", **base)
    if not txt_joined(answers.get(name, "TXT")):
        return DKIMResult("permerror", reason="no key for signature", **base)
    return DKIMResult("fail", reason="signature did not verify", **base)


def explain_key_query(name: str, rdtype: str) -> tuple[str, str]:
    selector, _sep, domain = name.partition("._domainkey.")
    return (f"To check the signature, the MX fetches the public key of {domain}: the signature names the "
            f"selector {selector} (s=) and the domain {domain} (d=), and the key lives in a TXT record at "
            f"{selector}._domainkey.{domain}. Selectors let a domain publish several keys and change them "
            "one at a time.", "RFC 6376 §3.6.2.1")


def verify(message: bytes, zone_fault: ZoneFault | None = None,
           now: int | None = None) -> Generator[Step, DNSAnswer | None, list[DKIMResult]]:
    """Verify every DKIM-Signature of ``message``; one result each, or one "none" if unsigned.

    ``now``: the time of verification (seconds since 1970) that ``t=`` and ``x=``
    are judged against; None for the wall clock.
    """
    sigs = _signatures(message)
    if not sigs:
        return [DKIMResult("none", reason="the message is not signed")]
    answers = Answers()
    results = []
    for idx, sig in enumerate(sigs):
        result = yield from replay(functools.partial(_verify_one, message, idx, sig, now=now), answers,
                                   explain_key_query, zone_fault)
        results.append(result)
    return results
