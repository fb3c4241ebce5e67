"""Every SMTP reply smtpsim sends or records comes from the one catalogue, protocols/smtp/replies.py.

The catalogue keeps a code, its enhanced code and its text together. This
test reads the sources: outside the catalogue, no ``Reply(...)`` is built from
literals, and no string starts like a reply line ("550 5.1.1 ..."). The
narrators, quizzes and UI are left out: they explain codes, they never send
one. Parsing a reply off the wire (``Reply(code, enhanced, texts)`` from
variables) is reading, not building, and is allowed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "simulator"
CATALOGUE = PACKAGE / "protocols" / "smtp" / "replies.py"
TEACHING = ("trace", "quiz", "ui")  # explain replies, never send them
# The man in the middle edits the server's own capability lines on the wire; it builds no reply.
EXEMPT = {PACKAGE / "protocols" / "smtp" / "stripping.py": {"250-STARTTLS", "250 STARTTLS", "250 "}}
# A reply line: the code, a space or hyphen, then an enhanced code, a word in capitals or a path.
REPLY_LINE = re.compile(r"^[2-5][0-9]{2}[ -]([2-5]\.[0-9]{1,3}\.[0-9]{1,3}\b|[A-Z<]|$)")


def _sources() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")
            if p != CATALOGUE and p.relative_to(PACKAGE).parts[0] not in TEACHING]


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    exempt = EXEMPT.get(path, set())
    found = []
    inside_fstrings = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if id(node) in inside_fstrings:
            continue
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "Reply" and any(isinstance(a, ast.Constant) for a in node.args):
                found.append(f"{path.name}:{node.lineno}: Reply(...) built from literals")
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            text = str(node.values[0].value)
        if text is not None and REPLY_LINE.match(text) and text not in exempt:
            found.append(f"{path.name}:{node.lineno}: a reply line typed inline: {text[:40]!r}")
    return found


def test_no_reply_is_built_outside_the_catalogue() -> None:
    offences = [o for path in _sources() for o in _offences(path)]
    assert offences == []


def test_the_check_catches_an_inline_reply(tmp_path: Path) -> None:
    sample = tmp_path / "policy.py"
    sample.write_text(
        'from x import Reply\n'
        'def refuse(address):\n'
        '    return Reply(550, "5.1.1", f"<{address}>: no such user")\n'
        'LINE = "550 5.1.1 no such user"\n'
        'WIRE = f"421 4.7.0 {host} busy"\n'
        'PARSED = Reply(code, enhanced, texts)\n',
        encoding="utf-8",
    )
    offences = _offences(sample)
    assert len(offences) == 3 and all("policy.py" in o for o in offences)


def test_the_recipient_refusals_of_the_catalogue_are_used() -> None:
    # These were defined but unused while the policies typed their own texts.
    used = " ".join(p.read_text(encoding="utf-8") for p in _sources())
    for name in ("USER_UNKNOWN", "MAILBOX_FULL", "MAILBOX_FULL_TEMP", "greylisted", "QUEUE_WRITE_ERROR",
                 "MAILBOX_WRITE_ERROR", "TIMEOUT_EXCEEDED", "TOO_MANY_CONNECTIONS", "null_mx_domain"):
        assert re.search(rf"\bR\.{name}\b", used), name
