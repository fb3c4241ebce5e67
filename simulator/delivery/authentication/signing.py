"""Where the servers' policies meet authentication: the MSA signs, the MX verifies, forwarding.

``sign_outgoing`` is the MSA's step after it completes a submission (DKIM,
then the outbound filter's footer, if the scenario sets one: the order that
breaks signatures in real life). ``verify_incoming`` is the MX's step at the
end of DATA: the checks run through ``Site.run_check``, which asks each DNS
question and traces it (the simulation at the moment of the final dot, live
mode through its resolver).
"""

from __future__ import annotations

from collections.abc import Generator

from typing import TYPE_CHECKING

from simulator.delivery.connectcheck import Say
from simulator.delivery.site import Site
from simulator.dns import DNSAnswer
from simulator.mail.headers import sim_datetime
from simulator.scenario.model import Host, Role

if TYPE_CHECKING:
    from simulator.delivery.authentication.verdict import AuthCheck

# dkimpy, pyspf and cryptography are imported when a scenario first signs or verifies.


class Notes:
    """Trace notes only (no DNS): something a server did, for ``Site.run_check``."""

    def __init__(self, *notes: Say) -> None:
        self.notes = notes

    def steps(self) -> Generator[Say, DNSAnswer | None, None]:
        yield from self.notes


def sign_outgoing(site: Site, msa: Host, content: bytes) -> bytes:
    """``content`` as ``msa`` relays it: DKIM-signed if it has a selector, then its footer, if any."""
    key = site.signing_key(msa) if msa.dkim_selector and msa.domains else None
    if key is not None:
        from simulator.delivery.authentication.dkimcheck import sign

        domain = key.domain
        timestamp = int(sim_datetime(site.header_time()).timestamp())
        header = sign(content, key, timestamp)
        content = header + content
        site.run_check(msa, Notes(Say(
            f"DKIM-signed: d={domain} s={key.selector} (rsa-sha256, relaxed/relaxed)",
            f"{msa.hostname} hashed the body (bh=) and the header fields it lists in h=, and signed the hash with "
            f"{domain}'s private key (b=). Anyone can check it with the public key {domain} publishes at "
            f"{key.record_name}; a change to a signed part on the way breaks it.", "RFC 6376 §5")))
    if msa.footer:
        content = content.rstrip(b"\r\n") + b"\r\n\r\n" + msa.footer.encode("utf-8") + b"\r\n"
        site.run_check(msa, Notes(Say(
            f"outbound filter appended a footer: {msa.footer!r}",
            "A filter that runs after the DKIM signer changed the body: the bh= in the signature is the hash "
            "of the body before the footer, so every verifier will compute a different one.", "RFC 6376 §3.7")))
    return content


def verify_incoming(site: Site, mx: Host, ip: str, helo: str, mail_from: str, content: bytes) -> AuthCheck | None:
    """The MX's SPF/DKIM/DMARC verdict on a message (None when the MX does not check)."""
    if mx.role is not Role.MTA or not mx.mail_auth:
        return None
    from simulator.delivery.authentication.verdict import AuthCheck
    from simulator.delivery.authentication.zones import zone_fault_for

    check = AuthCheck(mx.hostname, ip, helo, mail_from, content,
                      zone_fault=zone_fault_for(site.scenario, site.faults),
                      now=int(sim_datetime(site.header_time()).timestamp()))
    site.run_check(mx, check)
    return check


def forwarded_to(mx: Host, address: str) -> str | None:
    """Where ``mx`` forwards mail for ``address``, if it does."""
    address = address.lower()
    return next((target for source, target in mx.forward if source == address), None)


def strip_claims(content: bytes, authserv_id: str) -> bytes:
    """The message without Authentication-Results that claim to be ``authserv_id``'s (RFC 8601 §5)."""
    from simulator.delivery.authentication.verdict import without_claims_of

    return without_claims_of(content, authserv_id)
