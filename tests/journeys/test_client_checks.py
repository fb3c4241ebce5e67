"""The receiving MX's checks of its client, read back from the trace and checked against the RFCs.

Each DNS question is parsed from the trace's dig-style line and worked out
again here from the client's address: the PTR owner is the address's four
numbers reversed under in-addr.arpa (RFC 1035 §3.5), a blocklist's name the
same four numbers under the list's zone (RFC 5782 §2.1). Each refusal is the
RCPT reply on the wire, with the basic and enhanced codes RFC 7372 §3.3
assigns (550 5.7.25) or RFC 3463 X.7.1 (delivery not authorized); the sender
turns a permanent refusal into a DSN whose Status is the enhanced code.
"""

from __future__ import annotations

import email
import email.policy
import ipaddress

import pytest

from simulator.run import outcomes, run_scenario, simulate
from simulator.scenario.library import open_scenario
from simulator.scenario.toggles import available_toggles, with_toggles
from simulator.trace.events import Direction, Kind
from simulator.trace.jsonl import to_jsonl


def _reversed(ip: str, zone: str) -> str:
    return ".".join(reversed(ip.split("."))) + "." + zone + "."


def _questions(trace, asker: str) -> list[tuple[str, str]]:
    """(name, type) of every DNS question ``asker`` sent, parsed from the dig-style line."""
    out = []
    for e in trace.events:
        if e.kind is Kind.DNS and e.dir is Direction.CLIENT and e.src == asker:
            name, klass, rdtype = e.text.lstrip(";").split("\t")
            assert klass == "IN"
            out.append((name, rdtype))
    return out


def _rcpt_replies(trace, server: str) -> list[tuple[str, str]]:
    """(RCPT command, final reply) pairs the server answered."""
    events = trace.events
    pairs = []
    for i, e in enumerate(events):
        if e.kind is Kind.SMTP and e.dir is Direction.CLIENT and e.dst == server and e.text.startswith("RCPT TO:"):
            reply = next(r for r in events[i + 1:] if r.conn == e.conn and r.dir is Direction.SERVER)
            pairs.append((e.text, reply.text))
    return pairs


def _answers(trace, name: str, rdtype: str) -> list[tuple[str, str]]:
    """The (type, data) records answering the first question for ``name``/``rdtype``."""
    events = trace.events
    start = next(i for i, e in enumerate(events) if e.kind is Kind.DNS and e.dir is Direction.CLIENT
                 and e.text == f";{name}\tIN\t{rdtype}")
    out = []
    for e in events[start + 1:]:
        if e.kind is not Kind.DNS or e.dir is not Direction.SERVER:
            break
        fields = e.text.split("\t")
        if len(fields) == 5 and fields[0] == name:
            out.append((fields[3], fields[4]))
    return out


def test_reverse_dns_asks_the_ptr_then_the_name_forward_and_refuses_550_5_7_25():
    scenario = open_scenario("reverse-dns")
    trace = run_scenario(scenario)
    ip = scenario.host("msa").ip
    ptr_name = _reversed(ip, "in-addr.arpa")
    assert ptr_name == ipaddress.ip_address(ip).reverse_pointer + "."
    asked = _questions(trace, "mx-net")
    assert asked[0] == (ptr_name, "PTR")  # RFC 1035 §3.5: the question comes first, before the greeting
    (ptr,) = [data for rdtype, data in _answers(trace, ptr_name, "PTR") if rdtype == "PTR"]
    assert asked[1] == (ptr, "A")  # RFC 8601 §3: each name the PTR gave, looked up for its addresses
    assert ip not in [d for t, d in _answers(trace, ptr, "A") if t == "A"]  # I is not in L: the check fails
    greeting = next(e for e in trace.events if e.src == "mx-net" and e.text.startswith("220 "))
    last_question = max(e.step for e in trace.events if e.kind is Kind.DNS and e.src == "mx-net")
    assert last_question < greeting.step
    ((command, reply),) = _rcpt_replies(trace, "mx-net")
    code, enhanced = reply.split(" ")[:2]
    assert (code, enhanced) == ("550", "5.7.25")  # RFC 7372 §3.3: X.7.25, basic code 550
    assert ip in reply
    assert outcomes(scenario) == [{"rcpt": "bob@example.net", "result": "bounced", "status": "5.7.25",
                                   "dsn_to": "alice@example.org"}]


def test_the_dsn_carries_the_reverse_dns_refusal():
    scenario = open_scenario("reverse-dns")
    trace = run_scenario(scenario)
    stored = trace_dsn(scenario)
    dsn = email.message_from_bytes(stored, policy=email.policy.default)
    assert dsn.get_content_type() == "multipart/report"  # RFC 6522
    (status,) = [p for p in dsn.walk() if p.get_content_type() == "message/delivery-status"]
    text = status.as_string()
    assert "Status: 5.7.25" in text and "550 5.7.25" in text  # RFC 3464 §2.3.4, §2.3.6


def trace_dsn(scenario) -> bytes:
    """The DSN as Alice's client fetched it from her mailbox."""
    (dsn,) = simulate(scenario).muas["alice"].fetched
    return dsn


def test_fcrdns_that_confirms_passes_and_the_blocklist_refuses_554_5_7_1_naming_it():
    scenario = open_scenario("dnsbl-listed")
    trace = run_scenario(scenario)
    ip = scenario.host("msa").ip
    asked = _questions(trace, "mx-net")
    ptr_name = _reversed(ip, "in-addr.arpa")
    (ptr,) = [d for t, d in _answers(trace, ptr_name, "PTR") if t == "PTR"]
    assert ip in [d for t, d in _answers(trace, ptr, "A") if t == "A"]  # confirmed: reverse DNS passes
    listed = _reversed(ip, "dnsbl.example")
    assert (listed, "A") in asked and (listed, "TXT") in asked  # RFC 5782 §2.1: A, then the TXT reason
    codes = [d for t, d in _answers(trace, listed, "A") if t == "A"]
    assert codes and all(ipaddress.ip_address(c) in ipaddress.ip_network("127.0.0.0/8") for c in codes)
    assert "127.0.0.2" in codes
    ((_, reply),) = _rcpt_replies(trace, "mx-net")
    code, enhanced = reply.split(" ")[:2]
    assert code[0] == "5" and enhanced == "5.7.1"  # permanent, X.7.1 delivery not authorized
    assert "dnsbl.example" in reply and ip in reply  # the reply names the list and the address
    (reason,) = [d for t, d in _answers(trace, listed, "TXT") if t == "TXT"]
    assert reason.strip('"').split(";")[0] in reply


def test_an_address_the_list_does_not_hold_gets_nxdomain_and_is_accepted():
    scenario = open_scenario("dnsbl-listed")
    # The MX checks example.org's own MX when it sends (mx-org is not listed): move the list's entry away.
    zones = tuple((o, t.replace("25.2.0.192  IN", "99.2.0.192  IN")) for o, t in scenario.zones)
    from dataclasses import replace
    trace = run_scenario(replace(scenario, zones=zones))
    listed = _reversed(scenario.host("msa").ip, "dnsbl.example")
    header = next(e for e in trace.events[[e.text for e in trace.events].index(f";{listed}\tIN\tA") + 1:]
                  if e.kind is Kind.DNS)
    assert "status: NXDOMAIN" in header.text  # RFC 5782 §2.1: not listed
    assert (listed, "TXT") not in _questions(trace, "mx-net")
    assert outcomes(replace(scenario, zones=zones))[0]["result"] == "delivered"


def test_open_relay_refused_550_5_7_1_without_dns_and_nothing_queued():
    scenario = open_scenario("open-relay-denied")
    trace = run_scenario(scenario)
    conns = [c for c in trace.connections if c.server == "mx-net"]
    assert [c.port for c in conns] == [25] and conns[0].client == "alice"
    session = [e.text for e in trace.events if e.conn == conns[0].id and e.kind is Kind.SMTP]
    assert not any(t.startswith("AUTH") for t in session)  # no login
    ((command, reply),) = _rcpt_replies(trace, "mx-net")
    assert command == "RCPT TO:<carol@example.com>"
    domain = command.split("@")[1].rstrip(">")
    assert domain not in scenario.host("mx-net").domains  # a third domain: relaying
    assert reply.split(" ")[:2] == ["550", "5.7.1"]  # RFC 3463 X.7.1, as Postfix words relaying denied
    assert not _questions(trace, "mx-net")  # relaying is judged without DNS
    assert not [e for e in trace.events if e.kind is Kind.QUEUE and e.src == "mx-net"]
    assert outcomes(scenario) == [{"rcpt": "carol@example.com", "result": "refused", "status": "5.7.1",
                                   "dsn_to": None}]


@pytest.mark.parametrize("name", ["reverse-dns", "dnsbl-listed", "open-relay-denied"])
def test_same_seed_same_trace(name):
    a = "\n".join(to_jsonl(run_scenario(open_scenario(name), 5).events))
    b = "\n".join(to_jsonl(run_scenario(open_scenario(name), 5).events))
    assert a == b


@pytest.mark.parametrize("toggle,code", [("ptr-missing", "550 5.7.25"), ("dnsbl-listed", "554 5.7.1")])
def test_the_ordinary_journey_shows_each_refusal_with_a_toggle(toggle, code):
    base = open_scenario("submission-starttls")
    assert not any(h.reverse_dns or h.dnsbl for h in base.hosts)  # off unless a lesson turns it on
    assert toggle in {t.name for t in available_toggles(base)}
    scenario = with_toggles(base, [toggle])
    trace = run_scenario(scenario)
    ip = base.host("msa").ip
    asked = _questions(trace, "mx-net")
    if toggle == "ptr-missing":
        assert asked == [(_reversed(ip, "in-addr.arpa"), "PTR")]  # no PTR, so nothing to confirm forward
    else:
        assert (_reversed(ip, "dnsbl.example"), "A") in asked
    ((_, reply),) = _rcpt_replies(trace, "mx-net")
    assert reply.startswith(code + " ")
    assert outcomes(scenario)[0]["status"] == code.split(" ")[1]


def test_ptr_missing_removes_a_ptr_the_zone_has():
    scenario = with_toggles(open_scenario("dnsbl-listed"), ["ptr-missing"])
    trace = run_scenario(scenario)
    name = _reversed(scenario.host("msa").ip, "in-addr.arpa")
    assert _answers(trace, name, "PTR") == []
    ((_, reply),) = _rcpt_replies(trace, "mx-net")
    assert reply.startswith("550 5.7.25 ")
