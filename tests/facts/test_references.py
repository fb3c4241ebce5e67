"""Every RFC section smtpsim cites exists, and says what the citation claims.

The table (assets/references/rfc-sections.tsv) is generated from the RFC texts;
these tests check it against the texts themselves, then check every citation in
every scenario's trace, the lessons, the quiz bank, docs/ and the source.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from simulator.quiz.build import questions_for
from simulator.trace.references import (
    Citation,
    find_citations,
    load_table,
    parse_rfc,
    table_paths,
    toc_sections,
    unknown,
)
from tests.facts.conftest import NAMES, ROOT, SCENARIOS, require_rfc_dir, trace_of

# --- the table against the texts ------------------------------------------------------------


def _generated_rows() -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for line in table_paths()[0].read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            number, section, title = line.split("\t")[:3]
            rows.setdefault(int(number), {})[section] = title
    return rows


def test_table_lists_every_rfc_text_with_its_title_and_sections():
    rfc_dir = require_rfc_dir()
    rows = _generated_rows()
    texts = {int(p.stem[3:]): p for p in rfc_dir.glob("rfc*.txt")}
    assert set(rows) == set(texts), "regenerate: python -m simulator.trace.references " + str(rfc_dir)
    for number, path in sorted(texts.items()):
        entry = parse_rfc(number, path.read_text(encoding="utf-8", errors="replace"))
        assert rows[number] == {"": entry.title, **entry.sections}, f"RFC {number}: the table is stale"


def test_every_table_of_contents_entry_is_in_the_table():
    # A second, independent reading of each text: its own table of contents.
    rfc_dir = require_rfc_dir()
    rows = _generated_rows()
    for path in rfc_dir.glob("rfc*.txt"):
        number = int(path.stem[3:])
        toc = toc_sections(path.read_text(encoding="utf-8", errors="replace"))
        missing = sorted(set(toc) - set(rows[number]))
        assert not missing, f"RFC {number}: in its table of contents but not in the table: {missing}"


def test_the_table_knows_what_the_issue_named():
    table = load_table()
    assert table[8314].sections["3.1"] == "Implicit TLS for POP"
    assert table[8314].sections["3.2"] == "Implicit TLS for IMAP"
    assert table[8314].sections["3.3"] == "Implicit TLS for SMTP Submission"
    assert table[5321].sections["2.3.5"] == "Domain Names"
    assert table[2308].sections["3"] == "Negative Answers from Authoritative Servers"
    assert table[1870].sections["6.1"].startswith("Server action on receipt of the extended MAIL")


def test_hand_listed_rfcs_are_the_ones_without_a_text():
    rfc_dir = require_rfc_dir()
    have = {int(p.stem[3:]) for p in rfc_dir.glob("rfc*.txt")}
    extra: set[int] = set()
    for line in table_paths()[1].read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            assert len(fields) == 4 and fields[2] and fields[3], f"incomplete row: {line!r}"
            extra.add(int(fields[0]))
    assert not extra & have, f"these have texts now; regenerate and drop them from the extra list: {extra & have}"


def test_citations_are_found_in_lists_and_ranges():
    found = [str(c) for c in find_citations("RFC 5321 §4.2, §3.1; RFC 2034 §3 and RFC 1870 §4/§6.1, RFC 3463 §3.1-3.8")]
    assert found == ["RFC 5321 §4.2", "RFC 5321 §3.1", "RFC 2034 §3", "RFC 1870 §4", "RFC 1870 §6.1",
                     "RFC 3463 §3.1", "RFC 3463 §3.8"]
    assert [str(c) for c in find_citations("RFC 8314 (2018) says. Then §9 alone")] == ["RFC 8314"]
    assert unknown([Citation(5321, "2.3.5"), Citation(5321, "9.9.9"), Citation(1, None)]) == [
        Citation(5321, "9.9.9"), Citation(1, None)]


# --- every citation anywhere exists ---------------------------------------------------------


def _trace_texts(name: str) -> list[str]:
    trace = trace_of(name)
    return [*(e.rfc or "" for e in trace.events), *(e.explain for e in trace.events),
            trace.summary, trace.debrief, *trace.goals]


def _quiz_texts(name: str) -> list[str]:
    scenario = next(s for s in SCENARIOS if s.name == name)
    out = []
    for q in questions_for(scenario, trace_of(name), random.Random(7)):
        out.extend([q.question, *q.choices, q.answer, q.explanation, q.rfc or ""])
    return out


def _files(pattern: str) -> list[Path]:
    return sorted(ROOT.glob(pattern))


SOURCES = (
    [pytest.param(("trace", n), id=f"trace-{n}") for n in NAMES]
    + [pytest.param(("quiz", n), id=f"quiz-{n}") for n in NAMES]
    + [pytest.param(("file", str(p.relative_to(ROOT))), id=str(p.relative_to(ROOT)))
       for p in [*_files("scenarios/*.toml"), *_files("docs/*.md"), ROOT / "README.md",
                 *_files("simulator/**/*.py"), *_files("assets/**/*.tcss")]]
)


def _texts(source: tuple[str, str]) -> list[str]:
    kind, name = source
    if kind == "trace":
        return _trace_texts(name)
    if kind == "quiz":
        return _quiz_texts(name)
    return [(ROOT / name).read_text(encoding="utf-8")]


@pytest.mark.parametrize("source", SOURCES)
def test_every_cited_rfc_section_exists(source):
    cited = [c for text in _texts(source) for c in find_citations(text)]
    bad = sorted({str(c) for c in unknown(cited)})
    assert not bad, f"{source[1]} cites sections that the RFC does not have (see assets/references): {bad}"


# --- and says what it is cited for ------------------------------------------------------------

_POP = re.compile(r"\bPOP3?\b|\b995\b|\b110\b|STLS", re.IGNORECASE)
_IMAP = re.compile(r"\bIMAPS?\b|\b993\b|\b143\b", re.IGNORECASE)
_SUBMISSION = re.compile(r"submission|submit|\b465\b|\b587\b", re.IGNORECASE)


def _wrong_subject(cite: Citation, context: str) -> str | None:
    """Why ``cite`` does not fit ``context`` (the line, explanation or question it backs), or None."""
    if cite.rfc == 8314 and cite.section in ("3.1", "3.2", "3.3"):
        want = {"3.1": ("POP", _POP), "3.2": ("IMAP", _IMAP), "3.3": ("submission", _SUBMISSION)}[cite.section]
        others = [name for sec, (name, rx) in {"3.1": ("POP", _POP), "3.2": ("IMAP", _IMAP),
                                                "3.3": ("submission", _SUBMISSION)}.items()
                  if sec != cite.section and rx.search(context)]
        if not want[1].search(context) and others:
            return f"{cite} is implicit TLS for {want[0]}, but this is about {', '.join(others)}"
    if cite.rfc == 5321 and cite.section == "2.3.5" and re.search(r"\bport\b|\b25\b", context):
        return f"{cite} is 'Domain Names'; port 25 is RFC 5321 §4.5.4.2"
    if cite.rfc == 7505 and cite.section == "3" and re.search(r"\b556\b|5\.1\.10", context):
        return f"{cite} defines the record; 556 5.1.10 is RFC 7505 §4.1"
    return None


def _cited_contexts(source: tuple[str, str]) -> list[tuple[Citation, str]]:
    kind, name = source
    out = []
    if kind == "trace":
        for e in trace_of(name).events:
            context = f"{e.text}\n{e.explain}"
            out.extend((c, context) for c in find_citations(f"{e.rfc or ''}\n{e.explain}"))
    elif kind == "quiz":
        scenario = next(s for s in SCENARIOS if s.name == name)
        for q in questions_for(scenario, trace_of(name), random.Random(7)):
            context = f"{q.question}\n{q.answer}\n{q.explanation}"
            out.extend((c, context) for c in find_citations(f"{q.rfc or ''}\n{q.explanation}"))
    else:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            out.extend((c, line) for c in find_citations(line))
    return out


@pytest.mark.parametrize("source", SOURCES)
def test_every_citation_fits_what_it_backs(source):
    wrong = sorted({why for cite, context in _cited_contexts(source) if (why := _wrong_subject(cite, context))})
    assert not wrong, f"{source[1]}: {wrong}"


@pytest.mark.parametrize(("cite", "context", "ok"), [
    (Citation(8314, "3.3"), "Bob reads mail with IMAP on 993", False),
    (Citation(8314, "3.2"), "Bob reads mail with IMAP on 993", True),
    (Citation(8314, "3.3"), "Course notes call port 465 deprecated", True),
    (Citation(8314, "3.1"), "POP3 on 995", True),
    (Citation(5321, "2.3.5"), "Which port does it use? 25", False),
    (Citation(7505, "3"), "fails at once with 556 5.1.10", False),
    (Citation(7505, "3"), "example.net. 3600 IN MX 0 .", True),
])
def test_the_subject_rules_themselves(cite, context, ok):
    assert (_wrong_subject(cite, context) is None) is ok
