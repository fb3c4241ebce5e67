"""Chapters, failures and key moments of real traces (simulator/trace/chapters.py)."""

from __future__ import annotations

import functools

import pytest

from simulator.paths import scenarios_dir
from simulator.run import run_scenario
from simulator.scenario import ScenarioError, list_scenarios
from simulator.scenario.library import open_scenario
from simulator.scenario.loader import parse_scenario
from simulator.trace.chapters import ChapterKind, FailureKind, Outline, find_line
from simulator.trace.events import ActorInfo, Direction, Kind, Trace, TraceEvent

LESSONS = [s.name for s in list_scenarios()]


@functools.cache
def outline(name: str) -> Outline:
    return Outline(run_scenario(open_scenario(name)))


@pytest.mark.parametrize("name", LESSONS)
def test_chapters_cover_every_step_once_in_order(name: str) -> None:
    o = outline(name)
    events = o.trace.events
    assert o.chapters[0].start == 0 and o.chapters[-1].end == len(events)
    for a, b in zip(o.chapters, o.chapters[1:]):
        assert a.end == b.start and a.start < a.end
    for chapter in o.chapters:
        first = events[chapter.start]
        if chapter.kind is ChapterKind.CONNECTION:  # a connection's first step opens it: the SYN
            assert first.conn is not None and first.kind is Kind.TCP and first.text.startswith("SYN")
            assert all(e.conn != first.conn for e in events[: chapter.start])
        elif chapter.kind is ChapterKind.DNS:
            assert first.kind is Kind.DNS and first.dir is Direction.CLIENT
        elif chapter.kind is ChapterKind.DELIVERY:
            assert first.kind is Kind.DELIVER
        elif chapter.kind in (ChapterKind.BOUNCE, ChapterKind.WARNING):
            assert first.kind is Kind.BOUNCE


def test_user_unknown_first_failure_is_the_550_at_rcpt() -> None:
    o = outline("user-unknown")
    first = o.trace.events[o.first_failure]
    # RFC 5321 §4.2.2 / RFC 3463: 550 permanent, 5.1.1 bad destination mailbox; mx1 says it to the MSA.
    assert first.text.startswith("550 5.1.1") and first.src == "mx-net" and first.dir is Direction.SERVER
    assert o.trace.events[o.first_failure - 1].text.startswith("RCPT TO:")
    assert o.failures[0].kind is FailureKind.REPLY
    # ... and the NDR the MSA writes is the next failure.
    ndr = o.trace.events[o.next_failure(o.first_failure)]
    assert ndr.kind is Kind.BOUNCE and ndr.text.startswith("DSN for")


def test_next_chapter_skips_the_whole_submission_connection() -> None:
    o = outline("user-unknown")
    events = o.trace.events
    to = o.next_chapter(0)
    assert to is not None
    # Every step before it is the submission session (or the queue line it causes): none opens a chapter.
    assert {e.conn for e in events[:to]} - {None} == {events[0].conn}
    assert events[to].kind is Kind.DNS and events[to].dir is Direction.CLIENT
    assert o.previous_chapter(to) == 0
    assert o.previous_chapter(to + 3) == to  # back goes to the start of this chapter first


def test_prelude_ends_at_the_mx_lookup() -> None:
    o = outline("user-unknown")
    step = o.trace.events[o.prelude_end]
    assert step.kind is Kind.DNS and step.text.startswith(";example.net.")
    assert all(o.trace.events[i].conn in (None, 1) for i in range(o.prelude_end))


@pytest.mark.parametrize(("name", "kind", "starts"), [
    ("greylisting", FailureKind.REPLY, "451 4.7.1"),
    ("mailbox-full", FailureKind.REPLY, "452 4.2.2"),
    ("auth-failure", FailureKind.REPLY, "535 5.7.8"),
    ("nxdomain", FailureKind.DNS, ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN"),
    ("dns-temporary-failure", FailureKind.DNS, ";; ->>HEADER<<- opcode: QUERY, status: SERVFAIL"),
    ("bad-certificate", FailureKind.TLS, "Alert: bad_certificate"),
    ("mx-failover", FailureKind.TIMEOUT, "no answer after"),
    ("starttls-stripped", FailureKind.ATTACK, "removed 250-STARTTLS"),
])
def test_each_kind_of_failure_is_found(name: str, kind: FailureKind, starts: str) -> None:
    o = outline(name)
    first = o.failures[0]
    assert first.kind is kind and o.trace.events[first.index].text.startswith(starts)


def test_a_lesson_that_goes_well_has_no_failure() -> None:
    assert outline("submission-starttls").failures == ()


def test_a_multiline_reply_is_one_failure_and_a_success_none() -> None:
    def line(step: int, text: str) -> TraceEvent:
        return TraceEvent(step, step * 0.01, Kind.SMTP, "mx", "msa", text, "", port=25, dir=Direction.SERVER, conn=1)

    trace = Trace("t", "t", "", 1, (ActorInfo("mx", "mta", "mx", "192.0.2.1"),), (
        line(0, "250-mx.example"), line(1, "250 OK"),
        line(2, "554-5.7.1 no"), line(3, "554-5.7.1 really no"), line(4, "554 5.7.1 go away"),
        line(5, "421 4.4.2 closing"),
    ))
    assert [f.index for f in Outline(trace).failures] == [2, 5]


def test_retry_expired_has_a_chapter_per_retry_and_the_give_up() -> None:
    o = outline("retry-expired")
    kinds = [c.kind for c in o.chapters]
    retries = kinds.count(ChapterKind.RETRY)
    assert retries >= 100  # a retry an hour for five days
    assert kinds.count(ChapterKind.GIVE_UP) == 1 and kinds.count(ChapterKind.WARNING) == 1
    assert len(o.chapters) < len(o.trace.events) // 4  # chapters are what make 2,000 steps walkable


def test_find_line_counts_matches_from_one() -> None:
    events = outline("greylisting").trace.events
    first, second = find_line(events, "RCPT TO:", "msa"), find_line(events, "RCPT TO:", "msa", 2)
    assert first is not None and second is not None and first < second
    assert find_line(events, "RCPT TO:", "msa", 3) is None and find_line(events, "no such line") is None


# -- [[moments]] in scenario files ------------------------------------------------------------

@pytest.mark.parametrize("name", LESSONS)
def test_every_shipped_key_moment_is_a_step_of_its_lesson(name: str) -> None:
    scenario = open_scenario(name)
    trace = outline(name).trace
    assert len(trace.moments) == len(scenario.moments)  # none left out: each names a line of this run
    for moment, found in zip(scenario.moments, trace.moments):
        assert trace.events[found.index].text.startswith(moment.line)
        assert found.notes == moment.notes


def _with(extra: str) -> str:
    text = (scenarios_dir() / "user-unknown.toml").read_text().split("\n[[moments]]")[0]
    return text + "\n" + extra if extra.startswith("[[") else extra + "\n" + text  # a bare key goes before any table


@pytest.mark.parametrize(("extra", "key", "message"), [
    ("moments = 3", "moments", "expected a list of [[moments]] tables, found 3"),
    ("[[moments]]\nline = \"550\"", "moments[0].title", "expected a string, found nothing"),
    ("[[moments]]\ntitle = \"x\"\nline = \"550\"\nhost = \"nope\"", "moments[0].host",
     'expected the id of a host in [hosts], found "nope" (no such host)'),
    ("[[moments]]\ntitle = \"x\"\nline = \"550\"\nnth = 0", "moments[0].nth", "expected a whole number >= 1, found 0"),
    ("[[moments]]\ntitle = \"x\"\nline = \"550\"\nnotes = [1]", "moments[0].notes[0]",
     "expected a non-empty string, found 1"),
    ("[[moments]]\ntitle = \"x\"\nline = \"550\"\nwhen = 3", "moments[0].when",
     'found unknown key "when"'),
])
def test_bad_moments_name_file_key_expected_and_found(extra: str, key: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(_with(extra), source="lab.toml", name="lab", base_dir=scenarios_dir())
    assert caught.value.source == "lab.toml" and caught.value.key == key
    assert message in caught.value.detail
