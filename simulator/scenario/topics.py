"""The one list of topics: what a question asks about, and what a lesson teaches.

Questions, lessons (the ``topics`` key of a scenario file), docs/teaching.md
and the progress record (issue 18) all name topics from this list, so "how am
I doing on ports?" means the same thing everywhere. The values are the
spellings used in scenario files and exports; ``label`` is for people.
"""

from __future__ import annotations

from enum import Enum


class Topic(str, Enum):
    PORTS = "ports"
    TLS_MODES = "tls-modes"
    ROLES = "roles"  # MUA, MSA, MTA, MDA
    DNS_RECORDS = "dns-records"  # MX, A/AAAA, SOA (TXT, PTR with the authentication lessons)
    DELIVERY = "delivery"  # delivery and NDRs: who bounces, to whom, with what
    TEMPORARY_PERMANENT = "temporary-vs-permanent"
    RETRIES = "retries"
    SMTP_DIALOGUE = "smtp-dialogue"  # commands, their order, reply codes
    MAIL_ACCESS = "mail-access"  # reading mail: IMAP and POP3
    AUTHENTICATION = "authentication"  # SPF, DKIM, DMARC (lessons that come later)
    ATTACKS = "attacks"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Topic.PORTS: "ports",
    Topic.TLS_MODES: "TLS modes",
    Topic.ROLES: "roles (MUA, MSA, MTA, MDA)",
    Topic.DNS_RECORDS: "DNS record types",
    Topic.DELIVERY: "delivery and NDRs",
    Topic.TEMPORARY_PERMANENT: "temporary vs permanent",
    Topic.RETRIES: "retries",
    Topic.SMTP_DIALOGUE: "the SMTP dialogue",
    Topic.MAIL_ACCESS: "reading mail (IMAP, POP3)",
    Topic.AUTHENTICATION: "authentication (SPF, DKIM, DMARC)",
    Topic.ATTACKS: "attacks",
}


def parse_topic(value: str) -> Topic | None:
    """The topic spelled ``value`` (as in a scenario file), or None."""
    try:
        return Topic(value)
    except ValueError:
        return None
