"""``smtpsim handout``: one page per lesson, committed under docs/handouts/ and kept current."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli.main import main
from simulator.run import run_scenario
from simulator.scenario import list_scenarios
from simulator.scenario.library import open_scenario
from simulator.trace.chapters import Outline
from simulator.trace.handout import key_step, render_handout

ROOT = Path(__file__).resolve().parents[2]
HANDOUTS = ROOT / "docs" / "handouts"
LESSONS = [s.name for s in list_scenarios()]


@pytest.mark.parametrize("name", LESSONS)
def test_the_committed_handout_is_current(name: str) -> None:
    path = HANDOUTS / f"{name}.md"
    assert path.exists(), f"no handout for {name}: run `smtpsim handout --all -o docs/handouts`"
    assert path.read_text(encoding="utf-8") == render_handout(run_scenario(open_scenario(name))), \
        f"docs/handouts/{name}.md is stale: run `smtpsim handout --all -o docs/handouts`"


@pytest.mark.parametrize("name", LESSONS)
def test_each_handout_quotes_the_key_exchange_from_the_real_trace(name: str) -> None:
    trace = run_scenario(open_scenario(name))
    k = key_step(Outline(trace))
    text = (HANDOUTS / f"{name}.md").read_text(encoding="utf-8")
    key = trace.events[k]
    # The key line, word for word as on the wire, marked; and the line before it in the same exchange.
    assert f"▶ {key.dir.value}: {key.text.expandtabs(8)}" in text if key.dir else f"▶ ({key.kind.value})" in text
    same = [e for e in trace.events[:k] if e.conn == key.conn and key.conn is not None]
    if same:
        assert same[-1].text.expandtabs(8) in text
    for goal in trace.goals:
        assert f"- {goal}" in text
    if key.rfc:
        assert f"Reference: {key.rfc}." in text


def test_user_unknown_handout_has_the_550_its_meaning_and_the_questions() -> None:
    text = (HANDOUTS / "user-unknown.md").read_text(encoding="utf-8")
    assert "C: RCPT TO:<bbo@example.net>\n▶ S: 550 5.1.1 <bbo@example.net>" in text
    assert "- **550**: requested action not taken, mailbox unavailable" in text  # RFC 5321 §4.2.3's words
    assert "- **5.1.1**: permanent failure, bad destination mailbox address" in text  # RFC 3463 §3.2 X.1.1
    assert "Reference: RFC 5321" in text
    assert "## Questions for the class" in text and "1. Is 550 permanent or temporary" in text


def test_handout_writes_a_file_and_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "h.md"
    assert main(["handout", "greylisting", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# ") and "451 4.7.1" in out.read_text(encoding="utf-8")
    assert main(["handout", "no-such-lesson"]) == 2
    assert "no such scenario" in capsys.readouterr().err
    assert main(["handout", "greylisting", "-o", str(tmp_path / "missing" / "h.md")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert main(["handout", "--all"]) == 2
