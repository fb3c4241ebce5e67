"""docs/conformance.md cannot rot: every test its tables name exists.

Each table row is "rule | RFC | our reply | test"; the last cell names one
or more tests as `path::test_name`. The test function must be defined at
the top level of that file (parametrized tests are named without their
parameters).
"""

from __future__ import annotations

import re

import pytest

from tests.doctables import ROOT, missing, table_rows

DOC = ROOT / "docs" / "conformance.md"

# The rule groups issue #4 lists; each needs its own table.
SECTIONS = ("SMTP:", "Submission and AUTH", "STARTTLS", "Relaying", "Limits", "DATA", "PIPELINING",
            "ENHANCEDSTATUSCODES", "Trace fields", "Hostile input", "IMAP", "POP3")


def rule_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    """(rule, [(file, test), ...]) for every row of a four-column rule table."""
    return table_rows(DOC.read_text(encoding="utf-8"), "rule")


def test_the_doc_has_a_table_for_every_rule_group_of_the_issue() -> None:
    headings = [ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("## ")]
    for section in SECTIONS:
        assert any(section in heading for heading in headings), section
    assert len(rule_rows()) >= 70


def test_every_rule_row_names_at_least_one_test() -> None:
    empty = [rule for rule, tests in rule_rows() if not tests]
    assert empty == []


@pytest.mark.parametrize(("path", "name"), sorted({t for _, tests in rule_rows() for t in tests}))
def test_every_referenced_test_exists(path: str, name: str) -> None:
    assert missing(path, name) is None, missing(path, name)


_SMTP_REPLY = re.compile(r"`(\d{3}) ([245]\.\d{1,3}\.\d{1,3}) ([^`]+)`")
_HOSTS = ("smtp.example.org ", "mx1.example.net ")


def smtp_replies_quoted() -> list[tuple[str, str, str]]:
    """(code, enhanced, text) of every full SMTP reply quoted in a "our reply" cell."""
    quoted = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4:
            quoted += [(c, e, t) for c, e, t in _SMTP_REPLY.findall(cells[2]) if "..." not in t]
    return quoted


def test_quoted_smtp_replies_are_the_catalogue_s() -> None:
    # The texts come from the one reply catalogue (or the sequencing table); a quote that
    # drifted from the code is caught here. The server's domain is added at run time.
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "simulator" / "protocols" / "smtp").glob("*.py"))
    quoted = smtp_replies_quoted()
    assert len(quoted) >= 30
    for code, enhanced, text in quoted:
        for host in _HOSTS:
            text = text.removeprefix(host)
        templated = re.sub(r"\b(RSET|QUIT|DATA)$", "{verb}", text)  # "Syntax: {verb}" is one template
        assert f'"{text}"' in source or f'"{templated}"' in source, (code, enhanced, text)
        assert re.search(rf"{code}, \"{re.escape(enhanced)}\"", source), (code, enhanced, text)
