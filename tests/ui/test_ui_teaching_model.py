"""The plain-Python parts of the teaching tools: where the player stands after a re-run, and
how compare lines two runs up."""

from __future__ import annotations

from dataclasses import replace

from simulator.run import run_scenario
from simulator.scenario.library import open_scenario
from simulator.scenario.toggles import with_toggles
from simulator.trace.hops import Hop, summarize_hops
from simulator.ui.compare import align_hops, hop_lines, run_label, same
from simulator.ui.player import same_moment
from tests.ui.conftest import real_trace
from tests.ui.synthetic import journey


def test_same_moment_keeps_the_index_when_the_runs_agree_up_to_it():
    old = journey().events
    new = old[:20] + tuple(replace(e, text=e.text + " (changed)") for e in old[20:])
    assert same_moment(old, new, 19) == 19
    assert same_moment(old, old, len(old) - 1) == len(old) - 1


def test_same_moment_falls_back_to_the_simulated_time():
    old = journey().events
    # The new run takes an extra second from step 10 on: step 30's moment is now earlier in it.
    new = old[:10] + tuple(replace(e, t=e.t + 1.0) for e in old[10:])
    index = same_moment(old, new, 30)
    assert new[index].t <= old[30].t < new[index + 1].t
    assert index == 9


def test_same_moment_on_a_shorter_run_and_at_the_start():
    old = journey().events
    assert same_moment(old, old[:5], 40) == 4  # later than anything in the new run: its last step
    assert same_moment(old, (), 3) == 0
    changed = (replace(old[0], text="SYN → port 465"),) + old[1:]
    assert same_moment(old, changed, 0) == 0


def test_same_moment_with_a_real_fault():
    base = open_scenario("greylisting")
    old = real_trace("greylisting").events
    new = run_scenario(with_toggles(base, ["user-unknown"])).events
    greylisted = next(i for i, e in enumerate(old) if e.text.startswith("451 4.7.1"))
    assert same_moment(old, new, greylisted - 1) == greylisted - 1  # the RCPT: the same so far
    assert new[same_moment(old, new, greylisted)].text.startswith("550 5.1.1")  # the same moment, refused


def _hop(title: str, detail: str = "plain", secure: bool | None = False, t: float = 0.0) -> Hop:
    return Hop(t, 0, title, detail, secure)


def test_align_puts_equal_hops_on_one_row_and_pairs_what_differs():
    a = [_hop("alice → msa:587 SMTP", "STARTTLS · message sent", True), _hop("dns"),
         _hop("msa → mx:25 SMTP", "STARTTLS · 451 4.7.1", True), _hop("msa → mx:25 SMTP", "STARTTLS", True),
         _hop("deliver", "stored", None)]
    b = [_hop("alice → msa:465 SMTP", "implicit TLS · message sent", True), _hop("dns"),
         _hop("msa → mx:25 SMTP", "STARTTLS", True), _hop("deliver", "stored", None)]
    rows = align_hops(a, b)
    assert [(x.title if x else None, y.title if y else None) for x, y in rows] == [
        ("alice → msa:587 SMTP", "alice → msa:465 SMTP"),  # 587 against 465: one row
        ("dns", "dns"),
        ("msa → mx:25 SMTP", None),  # the greylisted attempt: A only
        ("msa → mx:25 SMTP", "msa → mx:25 SMTP"),
        ("deliver", "deliver"),
    ]
    assert [same(r) for r in rows] == [False, True, False, True, True]


def test_align_real_runs_with_and_without_the_attacker():
    plain = summarize_hops(real_trace("submission-starttls"))
    stripped = summarize_hops(run_scenario(with_toggles(open_scenario("submission-starttls"),
                                                        ["starttls-stripped"])))
    rows = align_hops(plain, stripped)
    assert len(rows) >= max(len(plain), len(stripped))
    assert [h for h, _ in rows if h is not None] == plain
    assert [h for _, h in rows if h is not None] == stripped
    assert any("STARTTLS stripped" in (h.detail if h else "") for _, h in rows)


def test_hop_lines_show_protection_by_glyph_and_word():
    assert hop_lines(_hop("alice → msa:465 SMTP", "implicit TLS · login ok", True)) == (
        "[#] alice → msa:465 SMTP", "implicit TLS · login ok")
    assert hop_lines(_hop("msa → mx:25 SMTP", "plain · STARTTLS stripped!", False))[0].startswith("[ ] ")
    assert hop_lines(_hop("deliver", "stored", None))[0] == " ·  deliver"
    assert hop_lines(None) == ("", "")
    assert run_label("greylisting", ()) == "greylisting"
    assert run_label("greylisting", ("user-unknown", "mx-down")) == "greylisting + user-unknown, mx-down"
