"""The RFC sections smtpsim cites, and how to find citations in a text.

Every explanation names the section that rules its step ("RFC 3501 §7.1"). The
shipped table (assets/references/rfc-sections.tsv) lists, per RFC, its title
and every numbered section with its heading, generated from the RFC texts
themselves by ``python -m simulator.trace.references RFC_DIR``; a test checks
each citation in traces, lessons, quizzes and docs against it, so a section
number that does not exist (or a wrong RFC) cannot ship.

RFCs cited but not among the project's reference texts are listed by hand in
assets/references/rfc-sections-extra.tsv, each row saying where it was checked.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from simulator.paths import assets_dir

# A body heading starts in column 0: "4.1.1.1.  Extended HELLO", "3 - Negative Answers",
# "Appendix A.  TCP Transport Service", "D.1.  A Typical SMTP Transaction Scenario".
_HEADING = re.compile(
    r"^(?:Appendix\s+)?(?P<num>(?:\d+|[A-Z])(?:\.\d+)*)\.?(?:\s+-\s+|\s{1,})(?P<title>\S.*?)\s*$"
)
# A table-of-contents row: indented, a number, a title, dot leaders or spaces, a page.
_TOC_ROW = re.compile(r"^\s+(?:Appendix\s+)?(?P<num>(?:\d+|[A-Z])(?:\.\d+)*)\.?\s+(?P<title>\S.*)$")
_TOC_START = re.compile(r"^\s*(?:Table of )?Contents\s*$", re.IGNORECASE)
_PAGE_LINE = re.compile(r"(\[Page \d+\]\s*$)|(^RFC \d+ )")

# "RFC 5321 §4.2.1", "RFC 5321 §4.2, §3.1", "RFC 1870 §4/§6.1", "RFC 3463 §3.3-3.8", "RFC 3501".
# Not IMAP's data item names (RFC822.SIZE, RFC822.HEADER): a dot and a letter follow those.
_RFC = re.compile(r"\bRFC[ \u00a0]?(?P<rfc>\d{3,4})\b(?!\.[A-Za-z])")
_SECTION = re.compile(r"§\s*(?P<a>(?:\d+|[A-Z])(?:\.\d+)*)\b(?:\s*[-\u2013]\s*(?P<b>(?:\d+|[A-Z])(?:\.\d+)*)\b)?")


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited RFC, with a section or without (a citation of the whole RFC)."""

    rfc: int
    section: str | None

    def __str__(self) -> str:
        return f"RFC {self.rfc}" + (f" §{self.section}" if self.section else "")


@dataclass(slots=True)
class RFCEntry:
    number: int
    title: str
    sections: dict[str, str] = field(default_factory=dict)  # "4.1.1.1" -> "Extended HELLO (EHLO) or HELLO (HELO)"
    source: str = ""  # where it was checked: the RFC text, or a note for a hand-listed one


def find_citations(text: str) -> list[Citation]:
    """Every RFC citation in ``text``, each section of a list or range on its own.

    A section sign belongs to the nearest "RFC N" before it on the same line and
    in the same sentence: "RFC 3463 §2 classes, §3.1 details" cites two sections.
    """
    out: list[Citation] = []
    for line in text.splitlines():
        rfcs = list(_RFC.finditer(line))
        for i, match in enumerate(rfcs):
            rfc = int(match["rfc"])
            stop = rfcs[i + 1].start() if i + 1 < len(rfcs) else len(line)
            tail = line[match.end():stop]
            sentence = re.search(r"[.;:]\s|\)\s*[.;]|$", tail)
            tail = tail[: sentence.start()] if sentence else tail
            secs = list(_SECTION.finditer(tail))
            if not secs:
                out.append(Citation(rfc, None))
            for sec in secs:
                out.append(Citation(rfc, sec["a"]))
                if sec["b"]:
                    out.append(Citation(rfc, sec["b"]))
    return out


# --- reading RFC texts ----------------------------------------------------------------------


def _body_lines(text: str) -> list[str]:
    text = text.lstrip("\ufeff").replace("\r", "")
    return [line.replace("\f", "").rstrip() for line in text.split("\n")]


def rfc_title(text: str) -> str:
    """The title: the lines after the header block (the RFC Style Guide layout)."""
    lines = _body_lines(text)
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and lines[i].strip():  # the header block
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    title = []
    while i < len(lines) and lines[i].strip():
        title.append(lines[i].strip())
        i += 1
    return " ".join(title)


def body_sections(text: str) -> dict[str, str]:
    """Numbered headings in column 0 of the body (the table of contents skipped)."""
    out: dict[str, str] = {}
    for line in _body_lines(text):
        if not line or line[0].isspace() or _PAGE_LINE.search(line):
            continue
        match = _HEADING.match(line)
        if match is None:
            continue
        num, title = match["num"], match["title"]
        if num.isalpha() and not line.startswith("Appendix") and not re.match(r"^[A-Z]\.\s{2,}", line):
            continue  # a lone capital is a heading as "Appendix A" or "A.  Title", not "A. Name"
        if re.search(r"\.\s?\.\s?\.", title):  # a TOC row that starts in column 0
            continue
        out.setdefault(num, title)
    return out


def toc_sections(text: str) -> dict[str, str]:
    """The table of contents, where the RFC has one (a row may wrap onto the next line)."""
    lines = _body_lines(text)
    for start, line in enumerate(lines):
        if _TOC_START.match(line):
            break
    else:
        return {}
    rows: list[list[str]] = []  # [number, title]
    for line in lines[start + 1 :]:
        if not line.strip() or _PAGE_LINE.search(line):
            continue
        if not line[0].isspace():
            if rows:
                break
            continue
        match = _TOC_ROW.match(line)
        if match:
            rows.append([match["num"], match["title"]])
        elif rows:
            rows[-1][1] += " " + line.strip()
    out: dict[str, str] = {}
    for num, title in rows:
        title = re.sub(r"(?:\s*\.){2,}\s*\d*\s*$|\s+\d+\s*$", "", re.sub(r"\s+", " ", title)).strip()
        out.setdefault(num, title)
    return out


def parse_rfc(number: int, text: str, source: str = "") -> RFCEntry:
    sections = body_sections(text)
    # A long heading wraps in the body; the table of contents has it whole.
    for num, title in toc_sections(text).items():
        body = sections.get(num)
        if body and len(title) > len(body) and title.startswith(body) and ". ." not in title and ".." not in title:
            sections[num] = title
    return RFCEntry(number, rfc_title(text), sections, source)


# --- the shipped table ----------------------------------------------------------------------


def table_paths() -> tuple[Path, Path]:
    base = assets_dir() / "references"
    return base / "rfc-sections.tsv", base / "rfc-sections-extra.tsv"


def _read_tsv(path: Path) -> Iterator[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        yield line.split("\t")


@cache
def load_table() -> dict[int, RFCEntry]:
    """RFC number -> its entry: generated rows, then the hand-listed ones."""
    table: dict[int, RFCEntry] = {}
    for path in table_paths():
        for row in _read_tsv(path):
            number, section, title = int(row[0]), row[1], row[2]
            source = row[3] if len(row) > 3 else path.name
            entry = table.setdefault(number, RFCEntry(number, "", {}, source))
            if section == "":
                entry.title = title
            else:
                entry.sections[section] = title
    return table


def unknown(citations: Iterable[Citation], table: dict[int, RFCEntry] | None = None) -> list[Citation]:
    """The citations the table does not have (an unknown RFC, or a section it lacks)."""
    table = load_table() if table is None else table
    bad = []
    for cite in citations:
        entry = table.get(cite.rfc)
        if entry is None or (cite.section is not None and cite.section not in entry.sections):
            bad.append(cite)
    return bad


def section_title(cite: Citation) -> str | None:
    entry = load_table().get(cite.rfc)
    if entry is None:
        return None
    return entry.title if cite.section is None else entry.sections.get(cite.section)


def generate(rfc_dir: Path) -> str:
    """The generated table's text, from every rfcNNNN.txt in ``rfc_dir``."""
    rows = [
        "# RFC\tsection\ttitle (section empty: the RFC's own title)",
        "# Generated by `python -m simulator.trace.references RFC_DIR` from the RFC texts; do not edit.",
    ]
    for path in sorted(rfc_dir.glob("rfc*.txt"), key=lambda p: int(p.stem[3:])):
        number = int(path.stem[3:])
        entry = parse_rfc(number, path.read_text(encoding="utf-8", errors="replace"))
        assert "\t" not in entry.title
        rows.append(f"{number}\t\t{entry.title}")
        for num, title in entry.sections.items():
            rows.append(f"{number}\t{num}\t{title}")
    return "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m simulator.trace.references RFC_DIR  (writes assets/references/rfc-sections.tsv)",
              file=sys.stderr)
        return 2
    target = table_paths()[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(generate(Path(argv[0])), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
