"""What an explanation says a line is, the line must be.

Every scenario is run and each server line's explanation is checked against the
line's form, worked out here from the wire text alone: tagged, untagged or
continuation for IMAP (RFC 3501 §2.2.2), +OK/-ERR for POP3 (RFC 1939 §3), a
reply or a command for SMTP, and the record type and status for DNS.
"""

from __future__ import annotations

import re

import pytest

from simulator.trace.events import Direction, Kind
from simulator.trace.narrate.imap import IMAPNarrator
from simulator.trace.narrate.pop3 import POP3Narrator
from simulator.trace.narrate.smtp import SMTPNarrator
from tests.facts.conftest import NAMES, trace_of

_TAGGED_CLAIM = re.compile(r"(?<!un)\btagged\b", re.IGNORECASE)
_UNTAGGED_CLAIM = re.compile(r"\buntagged\b", re.IGNORECASE)
# RFC 3501 §6's commands, and the extensions' (IDLE RFC 2177, MOVE RFC 6851, UNSELECT RFC 3691,
# NAMESPACE RFC 2342, ENABLE RFC 5161, ID RFC 2971).
_COMMANDS = ("CAPABILITY", "STARTTLS", "LOGIN", "SELECT", "SEARCH", "FETCH", "LOGOUT", "NOOP", "AUTHENTICATE",
             "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "STATUS",
             "APPEND", "CHECK", "CLOSE", "EXPUNGE", "STORE", "COPY", "IDLE", "MOVE", "UNSELECT", "NAMESPACE",
             "ENABLE", "ID")


def _imap_problems(events) -> list[str]:
    problems = []
    tags: dict[tuple[int | None, str], str] = {}  # tags are per connection (RFC 3501 §2.2.1)
    for e in events:
        if e.kind is not Kind.IMAP or e.content:
            continue
        if e.dir is Direction.CLIENT:
            parts = e.text.split(" ")
            if len(parts) > 1:
                tags[(e.conn, parts[0])] = parts[1].upper()
            continue
        form = "continuation" if e.text.startswith("+") else "untagged" if e.text.startswith("* ") else (
            "rest" if e.text.startswith(")") else "tagged")
        says = e.explain
        if _TAGGED_CLAIM.search(says) and form != "tagged":
            problems.append(f"{e.text!r} is {form}, but the explanation says tagged: {says!r}")
        if _UNTAGGED_CLAIM.search(says) and form not in ("untagged", "rest"):
            problems.append(f"{e.text!r} is {form}, but the explanation says untagged: {says!r}")
        if form == "tagged":
            tag = e.text.split(" ", 1)[0]
            command = tags.get((e.conn, tag))
            prose = re.sub(r"\[[^\]]*\]", "", says)  # a quoted response code is not a command name
            named = [c for c in _COMMANDS if re.search(rf"\b{c}\b", prose)]
            if command and named != [command]:
                problems.append(f"{e.text!r} completes {command} (tag {tag}), but the explanation names {named}")
        literal = "{n}" in says or "literal" in says.lower()
        if literal and form in ("tagged", "continuation"):
            problems.append(f"{e.text!r} announces no literal, but the explanation talks of one: {says!r}")
        if "{n}" in says and "announces" in says and not re.search(r"\{\d+\}$", e.text):
            problems.append(f"{e.text!r} ends in no {{n}}, but the explanation says it announces one")
    return problems


def _pop3_problems(events) -> list[str]:
    problems = []
    for e in events:
        if e.kind is not Kind.POP3 or e.dir is not Direction.SERVER or e.content:
            continue
        says = e.explain
        if says.startswith("+OK") and not e.text.startswith("+OK"):
            problems.append(f"{e.text!r} is not +OK, but the explanation says so: {says!r}")
        if says.startswith("-ERR") and not e.text.startswith("-ERR"):
            problems.append(f"{e.text!r} is not -ERR, but the explanation says so: {says!r}")
        if e.text.startswith(("+OK", "-ERR")) and not says.startswith(("+OK", "-ERR")):
            problems.append(f"{e.text!r} is a status line, but the explanation does not say which: {says!r}")
    return problems


_REPLY = re.compile(r"^(\d{3})([ -])")
_CODE_CLAIM = re.compile(r"\b([2-5]\d\d) means\b")


def _smtp_problems(events) -> list[str]:
    problems = []
    first = True
    for e in events:
        if e.kind is not Kind.SMTP or e.content:
            continue
        says = e.explain
        if e.dir is Direction.SERVER:
            match = _REPLY.match(e.text)
            if match is None:
                problems.append(f"server line {e.text!r} is not a reply")
                continue
            if says.startswith(("The client ", "MAIL FROM", "RCPT TO", "DATA:", "QUIT:")):
                problems.append(f"reply {e.text!r} is explained as a command: {says!r}")
            for code in _CODE_CLAIM.findall(says):
                if code != match[1]:
                    problems.append(f"reply {e.text!r} is explained as {code}")
            if "continuation line" in says and first:
                problems.append(f"{e.text!r} starts a reply, but is explained as a continuation line")
            if "lines that follow" in says and match[2] != "-":
                problems.append(f"{e.text!r} is the last line of its reply; no lines follow")
            first = match[2] == " "
        elif e.dir is Direction.CLIENT:
            if _REPLY.match(e.text):
                problems.append(f"client line {e.text!r} looks like a reply")
            if says.startswith("The server "):
                problems.append(f"command {e.text!r} is explained as a reply: {says!r}")
            if "null reverse-path" in says and not re.match(r"MAIL FROM: ?<>( |$)", e.text, re.IGNORECASE):
                problems.append(f"{e.text!r} does not have the null reverse-path: {says!r}")
    return problems


def _dns_problems(events) -> list[str]:
    problems = []
    status = ""
    for e in events:
        if e.kind is not Kind.DNS or e.dir is not Direction.SERVER:
            continue
        says = e.explain
        if e.text.startswith(";; ->>HEADER"):
            status = re.search(r"status: (\w+)", e.text)[1]
            if "NXDOMAIN" in says and status != "NXDOMAIN":
                problems.append(f"{e.text!r} is {status}, explained as NXDOMAIN")
            if "NODATA" in says and status != "NOERROR":
                problems.append(f"{e.text!r} is {status}, explained as NODATA")
            continue
        fields = e.text.split("\t")
        if len(fields) < 5:
            continue
        rtype, data = fields[3], fields[4]
        if says.startswith("An MX record") and rtype != "MX":
            problems.append(f"{e.text!r} is {rtype}, explained as an MX record")
        if rtype == "MX" and data.split(" ")[1:] == ["."]:
            if "null MX" not in says or "may go to" in says:
                problems.append(f"{e.text!r} is a null MX (RFC 7505 §3), explained as {says!r}")
        if rtype == "MX" and re.search(r"may go to\s*,", says):
            problems.append(f"{e.text!r}: an MX explained with an empty host: {says!r}")
        if "SOA" in says and rtype not in ("SOA",) and not says.startswith("The authority"):
            problems.append(f"{e.text!r} is {rtype}, explained as an SOA")
    return problems


@pytest.mark.parametrize("name", NAMES)
def test_every_explanation_claims_the_form_its_line_has(name):
    events = trace_of(name).events
    problems = _imap_problems(events) + _pop3_problems(events) + _smtp_problems(events) + _dns_problems(events)
    assert not problems, "\n".join(problems)


# --- the lines the review found, fed to the narrators directly ---------------------------------


def test_an_untagged_ok_with_a_response_code_is_not_a_tagged_ok():
    n = IMAPNarrator()
    n.server(b"* OK IMAP4rev1 ready\r\n")
    n.client(b"a003 SELECT INBOX\r\n")
    (line,) = n.server(b"* OK [UNSEEN 1] Message 1 is first unseen\r\n")
    assert line.explain.startswith("An untagged OK") and not _TAGGED_CLAIM.search(line.explain)
    assert "[UNSEEN 1]" in line.explain and "first one without the \\Seen flag" in line.explain
    assert line.rfc == "RFC 3501 §7.1"  # where response codes are defined


def test_the_tagged_completion_of_fetch_is_not_the_fetch_response():
    n = IMAPNarrator()
    n.server(b"* OK IMAP4rev1 ready\r\n")
    n.client(b"a005 FETCH 1 BODY[]\r\n")
    lines = n.server(b"* 1 FETCH (FLAGS (\\Seen) BODY[] {5}\r\nHello)\r\na005 OK FETCH completed\r\n")
    fetch, body, rest, done = lines
    assert "{n}" in fetch.explain and fetch.rfc == "RFC 3501 §7.4.2"  # the literal is explained here
    assert body.content and body.text == "Hello"
    assert rest.text == ")"
    assert done.explain.startswith("Tagged OK: the FETCH command with tag a005")
    assert "literal" not in done.explain and "{n}" not in done.explain
    assert done.rfc == "RFC 3501 §7.1.1"


def test_a_tagged_line_whose_text_mentions_exists_is_still_tagged():
    # The old rules matched " EXISTS" or " FETCH " anywhere before looking at the tag.
    n = IMAPNarrator()
    n.server(b"* OK ready\r\n")
    n.client(b"a1 NOOP\r\n")
    (line,) = n.server(b"a1 OK NOOP completed: 1 EXISTS FETCH \r\n")
    assert line.explain.startswith("Tagged OK: the NOOP command")


def test_a_greeting_is_told_by_its_place_not_by_its_words():
    n = IMAPNarrator()
    (greeting,) = n.server(b"* OK [CAPABILITY IMAP4rev1] hello\r\n")  # no "IMAP4"/"ready" in the text
    assert "greeting" in greeting.explain
    (later,) = n.server(b"* OK IMAP4rev1 server ready\r\n")
    assert "greeting" not in later.explain


def test_pop3_status_is_read_before_the_command_it_answers():
    n = POP3Narrator()
    (greeting,) = n.server(b"-ERR too busy\r\n")
    assert greeting.explain.startswith("-ERR")
    n = POP3Narrator()
    n.server(b"+OK ready\r\n")
    n.client(b"USER bob\r\n")
    (bad,) = n.server(b"+OKAY\r\n")
    assert "not valid POP3" in bad.explain


def test_smtp_null_path_is_the_reverse_path_not_any_angle_brackets():
    n = SMTPNarrator(submission=False)
    (line,) = n.client(b"MAIL FROM:<alice@example.org> ENVID=<>\r\n")
    assert "null reverse-path" not in line.explain
    (null,) = n.client(b"MAIL FROM:<> SIZE=10\r\n")
    assert "null reverse-path" in null.explain
