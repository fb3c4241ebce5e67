"""The lessons say what is true: SHOULD where the RFC says SHOULD, roles named, 465 as it is today."""

from __future__ import annotations

import re

import pytest

from simulator.scenario.errors import ScenarioError
from simulator.scenario.loader import parse_scenario
from simulator.trace.events import Direction, Kind
from simulator.ui.screens import help as help_screen
from tests.facts.conftest import NAMES, ROOT, SCENARIOS, trace_of

# Policies the RFCs recommend (SHOULD), which a sentence must not state as the protocol's rule.
_POLICY = [
    # RFC 3501 §6.2.3: a server MUST be able to refuse LOGIN unprotected; sites SHOULD run it so.
    (re.compile(r"refus\w* LOGIN|LOGIN .*before STARTTLS", re.IGNORECASE), re.compile(r"SHOULD")),
    # RFC 4954 §4: sites SHOULD NOT allow plaintext mechanisms without TLS; RFC 8314 recommends TLS.
    (re.compile(r"AUTH (only|inside)|offers? (AUTH|them) only|only (inside|after) (TLS|STARTTLS)", re.IGNORECASE),
     re.compile(r"SHOULD|policy|recommend")),
    # RFC 5321 §4.5.4.1: "the retry interval SHOULD be at least 30 minutes".
    (re.compile(r"at least 30 minutes", re.IGNORECASE), re.compile(r"SHOULD")),
]


def _policy_problems(texts: list[str]) -> list[str]:
    problems = []
    for text in texts:
        for claim, hedge in _POLICY:
            if claim.search(text) and not hedge.search(text):
                problems.append(f"states a recommendation as a rule (say SHOULD): {text!r}")
    return sorted(set(problems))


@pytest.mark.parametrize("name", NAMES)
def test_traces_say_should_where_the_rfc_says_should(name):
    assert not _policy_problems([e.explain for e in trace_of(name).events])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_lessons_say_should_where_the_rfc_says_should(scenario):
    texts = [scenario.summary, scenario.debrief, *scenario.goals, *(d for _, d in scenario.glossary)]
    assert not _policy_problems(texts)


def test_the_policy_rules_catch_the_old_sentences():
    old = [
        "That is why a server on port 143 refuses LOGIN before STARTTLS (it advertises LOGINDISABLED).",
        "AUTH lists the login mechanisms. A submission server offers them only inside TLS, because PLAIN and "
        "LOGIN send the password merely base64-encoded.",
        "Watch the queue wait at least 30 minutes between attempts (RFC 5321 §4.5.4.1).",
    ]
    assert len(_policy_problems(old)) == 3


# --- roles ------------------------------------------------------------------------------------------

ROLES = {"MUA": "Mail User Agent", "MSA": "Mail Submission Agent", "MTA": "Mail Transfer Agent",
         "MDA": "Mail Delivery Agent"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_every_lesson_glossary_names_the_four_roles(scenario):
    glossary = dict(scenario.glossary)
    for role, words in ROLES.items():
        assert glossary.get(role, "").startswith(words), f"{scenario.name}: glossary lacks {role} ({words})"


def test_roles_are_named_where_each_acts():
    trace = trace_of("submission-starttls")
    smtp = [e for e in trace.events if e.kind is Kind.SMTP]
    ehlo_587 = next(e for e in smtp if e.port == 587 and e.text.startswith("EHLO"))
    ehlo_25 = next(e for e in smtp if e.port == 25 and e.text.startswith("EHLO"))
    assert "MUA" in ehlo_587.explain and "MSA" in ehlo_587.explain
    assert "MTA" in ehlo_25.explain
    took = [e for e in smtp if e.dir is Direction.SERVER and e.text.startswith("250 2.0.0 Ok: queued")]
    assert "MSA" in took[0].explain and "receiving MTA" in took[1].explain
    labels = {a.role: a.label for a in trace.actors}
    assert "MSA" in labels["msa"] and "MTA" in labels["mta"] and "MDA" in labels["store"]


def test_a_bad_glossary_entry_is_named():
    text = (ROOT / "scenarios" / "submission-starttls.toml").read_text(encoding="utf-8")
    bad = text.replace('[scenario.glossary]\n', '[scenario.glossary]\nSMTP = 25\n', 1)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(bad, source="lab.toml")
    assert 'scenario.glossary."SMTP"' in str(err.value) and "a definition" in str(err.value)


# --- hostnames --------------------------------------------------------------------------------------


def test_the_pop3_server_is_not_named_imap():
    trace = trace_of("pop3-retrieval")
    pop_servers = {e.src for e in trace.events if e.kind is Kind.POP3 and e.dir is Direction.SERVER}
    for actor in trace.actors:
        if actor.id in pop_servers:
            assert not actor.hostname.startswith("imap."), actor.hostname
    assert not [e.text for e in trace.events if e.kind is Kind.POP3 and "imap.example.net" in e.text]
    scenario = next(s for s in SCENARIOS if s.name == "pop3-retrieval")
    net_zone = dict(scenario.zones)["example.net"]
    assert re.search(r"^pop\s+IN\s+A\s", net_zone, re.MULTILINE) and not re.search(r"^imap\s", net_zone, re.MULTILINE)


# --- 465 and STARTTLS: what is true today -------------------------------------------------------


def test_the_implicit_tls_lesson_says_what_is_true_about_465_and_starttls():
    lesson = next(s for s in SCENARIOS if s.name == "submission-implicit-tls")
    text = lesson.debrief
    assert "RFC 8314" in text and "recommends implicit TLS for submission" in text
    assert "STARTTLS is not\ndeprecated" in text or "STARTTLS is not deprecated" in text.replace("\n", " ")
    assert "587" in text and "25" in text  # where STARTTLS stays standard
    for label in ('"SMTPS"', '"SMTP (TLS)"'):
        assert label in text  # the labels students will meet in course tables
    glossary = dict(lesson.glossary)
    assert "SMTPS" in glossary and "label" in glossary["SMTPS"]


def test_the_help_screen_says_it_too():
    rows = {port: (use, protection) for port, use, protection in help_screen.PORTS}
    assert "RFC 8314" in rows["465"][1] and "recommends" in rows["465"][1]
    assert "still standard" in rows["587"][1] and "SMTPS" in rows["587"][1]
    assert "SMTPS" in rows["465"][1]
    assert "still the standard" in rows["25"][1]
    for role in ROLES:
        assert role in help_screen.GLYPHS
