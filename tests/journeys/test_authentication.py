"""SPF, DKIM and DMARC in whole journeys, read back from the trace and the delivered message.

The delivered copy is parsed with the standard ``email`` package; its
Authentication-Results with the authres package (RFC 8601); its
DKIM-Signature is verified again with dkimpy's own ``dkim.verify`` against
the zone the scenario publishes, so a signature the simulator only claims to
have checked would fail here.
"""

from __future__ import annotations

import email
import email.policy
import re

import authres
import dkim
import pytest

from simulator.delivery.dns import Resolvers
from simulator.dns import make_query
from simulator.run import outcomes, run_scenario, simulate
from simulator.scenario.library import open_scenario
from simulator.trace.events import Direction, Kind
from simulator.trace.jsonl import to_jsonl

AUTH_LESSONS = ["auth-pass", "spoofed-sender", "dkim-broken", "forwarding-breaks-spf"]


def _txt_lookup(scenario):
    """A dkimpy DNS function over the scenario's published zones: bytes name -> the joined TXT text."""
    resolvers = Resolvers(scenario)

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        answer = resolvers.base.parse(resolvers.base.respond(make_query(name.decode(), "TXT", 1)))
        texts = [b"".join(rd.strings) for rrset in answer.message.answer for rd in rrset if hasattr(rd, "strings")]
        return texts[0] if texts else None

    return lookup


def _dkimpy_verifies(message: bytes, scenario) -> bool:
    """dkimpy's own ``dkim.verify``, its clock set to just after the signature's t= (the simulated time).

    dkimpy refuses a t= more than 10 hours after its wall clock; the lessons are set in the
    simulator's EPOCH, so its reference to the time module is replaced for this one call only.
    """
    from types import SimpleNamespace
    from unittest import mock

    t = int(re.search(rb"t=(\d+)", message).group(1))
    with mock.patch.object(dkim, "time", SimpleNamespace(time=lambda: t + 60)):
        return dkim.verify(message, dnsfunc=_txt_lookup(scenario))


def _results(message: bytes, authserv: str) -> dict[str, str]:
    parsed = email.message_from_bytes(message, policy=email.policy.compat32)
    for value in parsed.get_all("Authentication-Results") or []:
        header = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + " ".join(value.split()))
        if header.authserv_id == authserv:
            return {r.method: r.result for r in header.results}
    raise AssertionError(f"no Authentication-Results by {authserv}")


def _questions(trace, asker: str) -> list[tuple[str, str]]:
    return [tuple(e.text.lstrip(";").split("\t")[::2]) for e in trace.events
            if e.kind is Kind.DNS and e.dir is Direction.CLIENT and e.src == asker]


def test_auth_pass_signs_verifies_and_stamps_the_header():
    scenario = open_scenario("auth-pass")
    world = simulate(scenario)
    (delivered,) = world.muas["bob"].fetched
    assert _dkimpy_verifies(delivered, scenario)  # dkimpy's own verifier, the published key
    assert _results(delivered, "mail-in.example.net") == {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
    headers = [line.split(":", 1)[0] for line in delivered.split(b"\r\n\r\n")[0].decode().split("\r\n")
               if line and line[0] not in " \t"]
    # RFC 8601 §4: above the trace fields this MX added (its Received); Return-Path is final delivery's.
    assert headers.index("Authentication-Results") < headers.index("Received")
    asked = _questions(run_scenario(scenario), "mx-net")
    assert asked == [("example.org.", "TXT"), ("sim2026._domainkey.example.org.", "TXT"),
                     ("_dmarc.example.org.", "TXT")]


def test_the_key_record_is_published_as_strings_of_at_most_255_octets():
    trace = run_scenario(open_scenario("auth-pass"))
    (line,) = [e.text for e in trace.events if e.kind is Kind.DNS and e.dir is Direction.SERVER
               and e.text.startswith("sim2026._domainkey.example.org.\t")]
    data = line.split("\t")[4]
    strings = [s for s in data.split('"') if s.strip()]
    assert len(strings) == 2 and all(len(s) <= 255 for s in strings)  # RFC 1035 §3.3
    assert "".join(strings).startswith("v=DKIM1; k=rsa; p=")


def test_spoofed_sender_is_refused_at_the_final_dot_and_nobody_gets_a_bounce():
    scenario = open_scenario("spoofed-sender")
    trace = run_scenario(scenario)
    ev = trace.events
    dot = next(i for i, e in enumerate(ev) if e.kind is Kind.SMTP and e.dir is Direction.CLIENT and e.text == ".")
    reply = next(e for e in ev[dot + 1:] if e.kind is Kind.SMTP and e.dir is Direction.SERVER)
    assert reply.text.startswith("550 5.7.1 ") and "DMARC" in reply.text  # RFC 7489 §10.3
    assert not [e for e in ev if e.kind is Kind.BOUNCE]  # no DSN: refused in the session
    assert not [e for e in ev if e.kind is Kind.SMTP and e.text.replace(" ", "").upper() == "MAILFROM:<>"]
    world = simulate(scenario)
    assert world.muas["bob"].fetched == []
    assert not [e for e in ev if e.kind is Kind.DELIVER]


@pytest.mark.parametrize("name", AUTH_LESSONS)
def test_same_seed_same_trace(name):
    a = "\n".join(to_jsonl(run_scenario(open_scenario(name), 5).events))
    b = "\n".join(to_jsonl(run_scenario(open_scenario(name), 5).events))
    assert a == b


def test_dkim_broken_shows_both_body_hashes_and_dmarc_passes_on_spf():
    scenario = open_scenario("dkim-broken")
    (delivered,) = simulate(scenario).muas["bob"].fetched
    assert not _dkimpy_verifies(delivered, scenario)  # dkimpy agrees: the body changed
    assert _results(delivered, "mail-in.example.net") == {"spf": "pass", "dkim": "fail", "dmarc": "pass"}
    parsed = email.message_from_bytes(delivered, policy=email.policy.compat32)
    signature = " ".join(parsed["DKIM-Signature"].split())
    claimed = signature.split("bh=", 1)[1].split(";", 1)[0].strip()
    body = delivered.split(b"\r\n\r\n", 1)[1]
    assert scenario.host("msa").footer.encode() in body
    # The signer's hash is of the body before the footer, by RFC 6376 §3.4.4's relaxed rules, worked out here.
    before = body.split(b"\r\n\r\n" + scenario.host("msa").footer.encode())[0]
    assert claimed == _relaxed_hash(before) != _relaxed_hash(body)
    (note,) = [e for e in run_scenario(scenario).events if e.kind is Kind.NOTE and e.text.startswith("DKIM fail")]
    assert claimed in note.explain and _relaxed_hash(body) in note.explain


def _relaxed_hash(body: bytes) -> str:
    import base64
    import hashlib
    import re

    lines = [re.sub(rb"[ \t]+", b" ", line).rstrip(b" \t") for line in body.split(b"\r\n")]
    while lines and lines[-1] == b"":
        lines.pop()
    return base64.b64encode(hashlib.sha256(b"".join(line + b"\r\n" for line in lines)).digest()).decode()


def test_forwarding_breaks_spf_at_the_last_hop_but_dkim_carries_dmarc():
    scenario = open_scenario("forwarding-breaks-spf")
    (delivered,) = simulate(scenario).muas["bob"].fetched
    assert _dkimpy_verifies(delivered, scenario)
    assert _results(delivered, "mail-in.example.net") == {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
    assert _results(delivered, "mx.newmail.example") == {"spf": "fail", "dkim": "pass", "dmarc": "pass"}
    trace = run_scenario(scenario)
    forwarder = scenario.host("mx-net")
    mail_from = [e.text for e in trace.events if e.kind is Kind.SMTP and e.dir is Direction.CLIENT
                 and e.src == "mx-net" and e.text.startswith("MAIL FROM:")]
    assert mail_from and mail_from[0].startswith("MAIL FROM:<alice@example.org>")  # no SRS: the sender kept
    assert forwarder.ip not in "v=spf1 ip4:192.0.2.25 -all"
    assert outcomes(scenario)[0]["result"] == "delivered"


from simulator.scenario.toggles import available_toggles, with_toggles  # noqa: E402


def _with(name: str, *toggles: str):
    scenario = open_scenario(name)
    assert set(toggles) <= {t.name for t in available_toggles(scenario)}
    return with_toggles(scenario, list(toggles))


def test_dkim_key_missing_makes_dkim_a_permerror_and_dmarc_lean_on_spf():
    scenario = _with("auth-pass", "dkim-key-missing")
    trace = run_scenario(scenario)
    key = "sim2026._domainkey.example.org."
    asked = [e for e in trace.events if e.kind is Kind.DNS and e.dir is Direction.CLIENT and e.text == f";{key}\tIN\tTXT"]
    assert asked  # still asked: the signature names the key
    answers = [e.text for e in trace.events if e.kind is Kind.DNS and e.dir is Direction.SERVER
               and e.text.startswith(key + "\t")]
    assert answers == []  # nothing published there
    (delivered,) = simulate(scenario).muas["bob"].fetched
    assert _results(delivered, "mail-in.example.net") == {"spf": "pass", "dkim": "permerror", "dmarc": "pass"}


def test_spf_omits_msa_fails_spf_but_dkim_carries_dmarc():
    scenario = _with("auth-pass", "spf-omits-msa")
    trace = run_scenario(scenario)
    (record,) = [e.text.split("\t")[4] for e in trace.events if e.kind is Kind.DNS and e.dir is Direction.SERVER
                 and e.text.startswith("example.org.\t") and "\tTXT\t" in e.text and "spf1" in e.text]
    assert "192.0.2.25" not in record and record.startswith('"v=spf1')
    (delivered,) = simulate(scenario).muas["bob"].fetched
    assert _results(delivered, "mail-in.example.net") == {"spf": "fail", "dkim": "pass", "dmarc": "pass"}


@pytest.mark.parametrize("policy, result", [("none", "delivered"), ("quarantine", "delivered"),
                                            ("reject", "refused")])
def test_each_dmarc_policy_on_the_forged_message(policy, result):
    scenario = _with("spoofed-sender", f"dmarc-{policy}")
    trace = run_scenario(scenario)
    (record,) = [e.text.split("\t")[4] for e in trace.events if e.kind is Kind.DNS and e.dir is Direction.SERVER
                 and e.text.startswith("_dmarc.example.org.\t")]
    assert f"p={policy};" in record  # RFC 7489 §6.3
    if result == "refused":  # a client on port 25: the outcome is the MX's answer in its own session
        assert outcomes(scenario)[0] == {"rcpt": "bob@example.net", "result": "refused", "status": "5.7.1",
                                         "dsn_to": None}
    assert not [e for e in trace.events if e.kind is Kind.BOUNCE]
    fetched = simulate(scenario).muas["bob"].fetched
    if result == "delivered":
        (delivered,) = fetched
        assert _results(delivered, "mail-in.example.net")["dmarc"] == "fail"
        assert f"dis={policy}" in " ".join(delivered.split(b"\r\n\r\n")[0].decode().split())
    else:
        assert fetched == []


def test_dmarc_reject_on_the_ordinary_journey_refuses_alices_own_unsigned_mail():
    # No SPF record and no signature: nothing can pass DMARC, so p=reject refuses the domain's own mail.
    scenario = _with("submission-starttls", "dmarc-reject")
    assert outcomes(scenario)[0] == {"rcpt": "bob@example.net", "result": "bounced", "status": "5.7.1",
                                     "dsn_to": "alice@example.org"}
