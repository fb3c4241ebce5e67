"""Trace fields on a delivered message: Received (RFC 5321 §4.4, RFC 3848) and Return-Path.

The whole journey runs (the MUA submits, the MSA relays, the MX delivers, the
reader fetches), and the message is read as the reader's IMAP or POP3
client fetched it: newest trace field on top, one Received per hop.
"""

from __future__ import annotations

import re

import pytest

from simulator.run import run_scenario
from simulator.scenario.library import open_scenario
from simulator.trace.events import Kind

# RFC 5321 §4.4 Time-stamp-line, as this simulator writes it (one line once unfolded). By-domain is
# CFWS "BY" ...: a comment may come before "by"; a submission's names its login (as Postfix's does).
RECEIVED = re.compile(
    r"from (?P<helo>\S+) \((?P<host>\S+) \[(?P<ip>[0-9.]+)\]\)"
    r"(?: \(Authenticated sender: (?P<auth>[^()\\]+)\))? by (?P<by>\S+) \(smtpsim\)"
    r" with (?P<with>\S+) id (?P<id>\w+)(?: for <(?P<for>[^>]*)>)?; (?P<date>.+)"
)


def fetched(scenario: str) -> list[bytes]:
    """Each message as the reader's client received it (IMAP FETCH or POP3 RETR)."""
    trace = run_scenario(open_scenario(scenario))
    return [e.text.encode() for e in trace.events if e.content and e.kind in (Kind.IMAP, Kind.POP3)]


def header_fields(content: bytes) -> list[tuple[str, str]]:
    """The top-level header fields in order, unfolded (RFC 5322 §2.2.3)."""
    head = content.split(b"\r\n\r\n", 1)[0].decode()
    fields: list[tuple[str, str]] = []
    for line in head.split("\r\n"):
        if line[:1] in (" ", "\t"):
            name, value = fields[-1]
            fields[-1] = (name, value + " " + line.strip())
        else:
            name, _, value = line.partition(":")
            fields.append((name, value.strip()))
    return fields


def received(content: bytes) -> list[re.Match[str]]:
    hops = [value for name, value in header_fields(content) if name.lower() == "received"]
    matches = [RECEIVED.fullmatch(value) for value in hops]
    assert all(matches), hops
    return matches  # type: ignore[return-value]


@pytest.mark.parametrize("scenario", ["submission-starttls", "submission-implicit-tls"])
def test_received_says_esmtpsa_for_submission_esmtps_for_relay_and_return_path_is_on_top(scenario: str) -> None:
    [content] = fetched(scenario)
    fields = header_fields(content)
    # RFC 5321 §4.4: final delivery inserts Return-Path, with the envelope sender, on top.
    assert fields[0] == ("Return-Path", "<alice@example.org>")
    assert [name for name, _ in fields].count("Return-Path") == 1
    relay, submission = received(content)  # newest first: each hop prepends its own
    # The relay hop: MSA -> MX on 25, STARTTLS but no AUTH (RFC 3848 "ESMTPS").
    assert (relay["helo"], relay["by"], relay["with"]) == ("smtp.example.org", "mx1.example.net", "ESMTPS")
    assert relay["for"] == "bob@example.net"
    # The submission hop: client -> MSA with TLS (STARTTLS on 587 or implicit on 465) and AUTH.
    assert (submission["host"], submission["by"], submission["with"]) == (
        "alice-laptop.example.org", "smtp.example.org", "ESMTPSA")
    assert submission["ip"] == "192.0.2.10"
    # Who logged in: named on the submission hop only.
    assert (submission["auth"], relay["auth"]) == ("alice@example.org", None)
    # Each hop names the one before it.
    assert relay["host"] == submission["by"]


def test_received_says_esmtp_when_the_relay_hop_ran_without_tls() -> None:
    # A man in the middle removed the STARTTLS offer: the relay went in plaintext, and the
    # MX's Received field tells the truth about it (RFC 3848 "ESMTP").
    [content] = fetched("starttls-stripped")
    relay, submission = received(content)
    assert (relay["by"], relay["with"]) == ("mx1.example.net", "ESMTP")
    assert submission["with"] == "ESMTPSA"


def test_a_bounce_has_the_null_return_path_on_top() -> None:
    # RFC 5321 §4.5.5 / §4.4: a DSN travels with the null reverse-path, so delivery writes "<>".
    [content] = fetched("user-unknown")
    fields = header_fields(content)
    assert fields[0] == ("Return-Path", "<>")
    [relay] = received(content)  # the MSA originated the bounce: one hop, MSA -> MX
    assert (relay["helo"], relay["by"], relay["with"], relay["for"]) == (
        "smtp.example.org", "mx.example.org", "ESMTPS", "alice@example.org")
