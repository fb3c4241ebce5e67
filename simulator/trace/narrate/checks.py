"""What the receiving MX's checks of its client look like in the trace: PTR and blocklist answers, refusals.

The DNS narrator and the SMTP narrator ask here first for the lines these
checks produce (``simulator/delivery/connectcheck.py``): a PTR record, a
blocklist's 127.0.0.x answer and its TXT reason, and the replies 550 5.7.25
(reverse DNS), 554 5.7.1 (a blocklist) and 550 5.7.1 (relaying denied).
Lines are recognised by their form (record type, owner name, reply codes),
never by the text a server chose.
"""

from __future__ import annotations


def _blocklist_owner(owner: str) -> bool:
    """A blocklist entry's name: four address numbers reversed, under a zone other than in-addr.arpa."""
    labels = owner.rstrip(".").lower().split(".")
    return (len(labels) > 5 and all(x.isdigit() and int(x) < 256 for x in labels[:4])
            and labels[4:] != ["in-addr", "arpa"])


def _address_of(owner: str) -> str:
    return ".".join(reversed(owner.rstrip(".").split(".")[:4]))


def record_meaning(owner: str, rdtype: str, data: str) -> tuple[str, str] | None:
    """(explanation, RFC) for a PTR record or a blocklist's answer; None for other records."""
    if rdtype == "PTR":
        name = data.rstrip(".")
        if owner.lower().endswith(".in-addr.arpa"):
            return (f"A PTR record: the address {_address_of(owner)} (its numbers reversed under in-addr.arpa) "
                    f"says its name is {name}. That is only a claim by whoever runs the address's reverse zone, "
                    "until the name's own A record leads back.", "RFC 1035 §3.5")
        return f"A PTR record: {owner.rstrip('.')} points to the name {name}.", "RFC 1035 §3.3.12"
    if not _blocklist_owner(owner):
        return None
    ip = _address_of(owner)
    zone = ".".join(owner.rstrip(".").split(".")[4:])
    if rdtype == "A" and data.startswith("127."):
        return (f"The blocklist {zone} answers {data}: {ip} is listed. The answer is a code in the loopback "
                "range, never an address to connect to; 127.0.0.2 is the usual plain \"listed\".", "RFC 5782 §2.1")
    if rdtype == "TXT":
        return (f"The TXT record beside the listing: why {zone} lists {ip}, in words a receiver can quote in its "
                "refusal.", "RFC 5782 §2.1")
    return None


def reply_meaning(code: int, detail: str, command: str) -> tuple[str, str] | None:
    """(explanation, RFC) for the refusals of these checks and of relaying; None for other replies."""
    if command == "DATA-END":
        return _auth_reply_meaning(code, detail)
    if command != "RCPT":
        return None
    if detail == "7.25" and code in (450, 550):
        when = ("Permanent: the sender does not retry, and reports the failure to whoever sent the message."
                if code == 550 else "Temporary (the lookup itself failed): the sender keeps the message and retries.")
        return ("Refused because of the client's reverse DNS: its address has no PTR record, or the PTR's name "
                "does not lead back to the address. X.7.25 is the code for exactly this. " + when, "RFC 7372 §3.3")
    if detail == "7.1" and code == 554:
        return ("Refused because the client's address is on a DNS blocklist; the reply names the list, so that "
                "the sender's administrator knows where to ask for delisting. Permanent: the sender reports it.",
                "RFC 5782 §2.1")
    if detail == "7.1" and code == 550:
        return ("Relaying denied: the recipient's domain is not one this server takes mail for, and the client "
                "has not logged in. A server that relayed for anyone (an open relay) would be used to send spam; "
                "mail clients submit on 587 or 465 with AUTH instead.", "RFC 5321 §3.6.2")
    return None


def _auth_reply_meaning(code: int, detail: str) -> tuple[str, str] | None:
    """The refusals of SPF and DMARC, after the final dot (simulator/delivery/authentication)."""
    if detail == "7.1" and code == 550:
        return ("Refused per the From: domain's DMARC policy (p=reject): neither SPF nor DKIM passed for a domain "
                "aligned with it. The word DMARC in the text tells software why; refusing in the session, rather "
                "than bouncing later, sends no bounce to a sender address that may be forged.", "RFC 7489 §10.3")
    if detail == "7.23" and code == 550:
        return ("SPF validation failed: the envelope sender's domain does not authorize the client's address (its "
                "record gave fail, usually through -all). X.7.23 is the code for exactly this, used instead of "
                "5.7.1.", "RFC 7372 §3.2")
    if detail == "7.24":
        when = "temporary: the sender retries" if code // 100 == 4 else "permanent: the record is broken"
        return (f"SPF could not be evaluated ({when}). X.7.24 is the code for an SPF error.", "RFC 7372 §3.2")
    if detail == "7.1" and code == 451:
        return ("The DMARC policy could not be fetched; the receiver defers rather than guess, and the sender "
                "retries later.", "RFC 7489 §10.3")
    return None
