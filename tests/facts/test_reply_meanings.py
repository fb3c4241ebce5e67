"""Reply codes are read in context, and the player never says a code's meaning twice."""

from __future__ import annotations

import re

import pytest

from simulator.protocols.smtp.meanings import describe
from simulator.trace.events import Direction, Kind
from simulator.ui.tracemodel import reply_meaning
from tests.facts.conftest import NAMES, trace_of


def test_greylisting_451_is_try_again_later_not_a_local_error():
    said = describe(451, "4.7.1")
    assert said.startswith("451: try again later: greylisted")
    assert "local error" not in said
    assert "local error" in describe(451, "4.3.0")  # elsewhere 451 keeps RFC 5321's words


def test_552_with_5_3_4_is_the_size_limit_rfc_1870_reuses_not_a_quota():
    said = describe(552, "5.3.4")
    assert "RFC 1870 §6.1" in said and "size" in said
    assert "storage allocation" not in said
    assert "storage allocation" in describe(552, "5.2.2")  # a full mailbox is what 552 first meant


def _server_replies(name):
    return [e for e in trace_of(name).events if e.kind is Kind.SMTP and e.dir is Direction.SERVER
            and re.match(r"\d{3}", e.text)]


@pytest.mark.parametrize("name", NAMES)
def test_no_explanation_repeats_the_decoded_code_lines_shown_beside_it(name):
    # The explanation panel shows reply_meaning(event) (the codes decoded) above the
    # explanation; the explanation must add to it, not say it again.
    repeats = []
    for event in _server_replies(name):
        for line in reply_meaning(event):
            code, _, words = line.partition(": ")
            for phrase in [words, *words.split(", ")]:
                if len(phrase) > 12 and phrase.lower() in event.explain.lower():
                    repeats.append(f"{event.text!r}: {phrase!r} is shown decoded and again in {event.explain!r}")
            if re.search(rf"\b{re.escape(code)}: ", event.explain):
                repeats.append(f"{event.text!r}: the explanation decodes {code} again")
    assert not repeats, "\n".join(repeats)


def test_the_greylisting_lesson_shows_451_as_greylisting():
    (line,) = [e for e in _server_replies("greylisting") if e.text.startswith("451 4.7.1")][:1]
    decoded = reply_meaning(line)
    assert decoded[0] == "451: try again later: greylisted"
    assert "Greylisting" in line.explain and "local error" not in line.explain


def test_the_size_lesson_says_rfc_1870_reuses_552():
    (line,) = [e for e in _server_replies("message-too-large") if e.text.startswith("552 5.3.4")]
    assert line.rfc == "RFC 1870 §6.1"
    assert "reuses 552" in line.explain and "quota" in line.explain
    assert "RFC 1870 §6.1" in reply_meaning(line)[0]
