"""Wireshark's own dissectors read every lesson's capture: cleanly, and saying what the trace says.

Each capture is read twice by tshark: without the key log (what an eavesdropper sees) and with it
(what the student sees once the TLS is decrypted). What each view must show is worked out from the
trace here, not from the capture writer.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from simulator.capture import write_capture
from simulator.capture.streams import Side
from simulator.run import run_scenario
from simulator.scenario import list_scenarios
from simulator.scenario.faults import Fault, Target
from simulator.scenario.library import open_scenario
from simulator.scenario.model import Scenario
from simulator.trace.events import ActorInfo, Direction, Kind, TLSMode, Trace
from tests.capture.conftest import ERROR, WARN, Tshark, frames, tshark_fields, variant
from tests.capture.synthetic import one_connection

pytestmark = pytest.mark.timeout(300)

FIRST_CLIENT_PORT = 49152  # the writer gives connection N the client port 49152 + N


def _views(tshark: Tshark, cases: list[tuple[str, Trace]], tmp_path: Path,
           plain: frozenset[str] = frozenset()) -> dict[str, tuple[list, list | None]]:
    """Write each capture and read it with its key log and, for the names in ``plain``, without
    (tshark takes most of a second to start: two run at a time)."""
    out = {}
    pending = []
    for name, trace in cases:
        pcap, keys = tmp_path / f"{name}.pcap", tmp_path / f"{name}.keys"
        write_capture(trace, pcap, keylog=keys)
        pending.append((name, tshark_fields(tshark, pcap, keys), tshark_fields(tshark, pcap) if name in plain else None))
        if len(pending) == 2 or name in plain:
            for n, keyed, clear in pending:
                out[n] = (frames(keyed), frames(clear) if clear is not None else None)
            pending = []
    for n, keyed, clear in pending:
        out[n] = (frames(keyed), frames(clear) if clear is not None else None)
    return out


def _on(rows: list[dict], conn_id: int) -> list[dict]:
    port = str(FIRST_CLIENT_PORT + conn_id)
    return [r for r in rows if port in r["tcp.srcport"] or port in r["tcp.dstport"]]


def _from_client(rows: list[dict], conn_id: int) -> list[dict]:
    return [r for r in rows if str(FIRST_CLIENT_PORT + conn_id) in r["tcp.srcport"]]


def _values(rows: list[dict], field: str) -> list[str]:
    return [v for r in rows for v in r[field]]


def _clear(rows: list[dict]) -> list[dict]:
    """Frames that carry no TLS record: what anyone on the path reads."""
    return [r for r in rows if not r["tls.record.content_type"]]


def _problems(trace: Trace, keyed: list[dict], plain: list[dict] | None = None) -> list[str]:
    """Everything this capture gets wrong, as sentences; ``keyed`` is tshark's reading with the key
    log, ``plain`` (if given) without it."""
    problems: list[str] = []
    say = problems.append
    events = trace.events
    resets = sum(1 for e in events if e.kind is Kind.TCP and e.text.startswith("RST"))
    syn_retries = sum(1 for e in events if e.kind is Kind.TCP and e.text.startswith("SYN") and "retransmit" in e.text)
    losses = sum(1 for e in events if e.kind is Kind.TCP and "lost" in e.text)
    for view, rows in (("with keys", keyed), ("without keys", plain)):
        if rows is None:
            continue
        if any(r["_ws.malformed"] for r in rows):
            say(f"{view}: malformed frames {[r['frame.number'] for r in rows if r['_ws.malformed']]}")
        severities = [(int(s, 0), m) for r in rows for s, m in zip(r["_ws.expert.severity"], r["_ws.expert.message"])]
        errors = [m for s, m in severities if s >= ERROR]
        warnings = [m for s, m in severities if WARN <= s < ERROR]
        if errors:
            say(f"{view}: expert errors {errors}")
        if warnings != ["Connection reset (RST)"] * resets:
            say(f"{view}: expert warnings {warnings}, expected one per reset ({resets})")
        flagged = [r for r in rows if r["tcp.analysis.flags"]]
        if any(not r["tcp.analysis.retransmission"] for r in flagged):
            say(f"{view}: TCP analysis flags other than retransmissions")
        if len(flagged) != syn_retries + losses:
            say(f"{view}: {len(flagged)} retransmissions, the trace has {syn_retries} SYN retries + {losses} losses")

    queries = [e for e in events if e.kind is Kind.DNS and e.dir is Direction.CLIENT]
    answers = [e for e in events if e.kind is Kind.DNS and e.wire is not None and e.dir is Direction.SERVER]
    asked = [r for r in keyed if r["dns.flags.response"] == ["0"]]
    if len(asked) != len(queries) or len([r for r in keyed if r["dns.flags.response"] == ["1"]]) != len(answers):
        say(f"DNS: {len(asked)} queries in the capture, {len(queries)} in the trace")
    mx = sum(1 for e in queries if e.text.endswith("\tMX"))
    if sum(1 for r in asked if r["dns.qry.type"] == ["15"]) != mx:
        say(f"DNS: the MX queries (type 15) are not the trace's {mx}")

    for conn in trace.connections:
        mine = [e for e in events if e.conn == conn.id]
        name = f"connection {conn.id} ({conn.client} → {conn.server}:{conn.port})"
        client = _from_client(keyed, conn.id)
        in_the_clear = _clear(client)
        opened = [r for r in client if r["tcp.flags.syn"] in (["1"], ["True"])]
        retries = sum(1 for e in mine if e.kind is Kind.TCP and e.text.startswith("SYN") and "retransmit" in e.text)
        if len(opened) != 1 + retries:
            say(f"{name}: {len(opened)} SYNs, the trace has 1 + {retries} retransmissions")
        if any(e.kind is Kind.TCP and e.text.startswith("RST") for e in mine) and not any(
                r["tcp.flags.reset"] in (["1"], ["True"]) for r in _on(keyed, conn.id)):
            say(f"{name}: the reset is missing")
        said_in_clear = [e.text for e in mine if e.kind is conn.protocol and e.tls is TLSMode.NONE
                         and e.dir is Direction.CLIENT]
        if conn.protocol is Kind.SMTP:
            for command in ("EHLO", "MAIL", "QUIT"):
                if any(t.startswith(command) for t in said_in_clear) and command not in _values(
                        in_the_clear, "smtp.req.command"):
                    say(f"{name}: {command} is not in clear")
            if "STARTTLS" in said_in_clear and not any(
                    "STARTTLS" in v for v in _values(in_the_clear, "smtp.command_line")):
                say(f"{name}: STARTTLS is not in clear")
        if any(e.kind is Kind.TLS for e in mine):
            hellos = [r for r in client if "1" in r["tls.handshake.type"]]
            sni = trace.actor(conn.server).hostname
            if not hellos or hellos[0]["tls.handshake.extensions_server_name"] != [sni]:
                say(f"{name}: no ClientHello naming {sni}")
        if any(e.kind is Kind.TLS and e.text.startswith("Alert") for e in mine) and not _values(
                client, "tls.alert_message.desc"):
            say(f"{name}: the client's alert is missing")
        protected = [e for e in mine if e.kind is conn.protocol and e.tls is not TLSMode.NONE]
        for e in protected:
            if e.dir is Direction.CLIENT and e.text.startswith("AUTH PLAIN "):
                password = base64.b64decode(e.text.split()[2]).split(b"\0")[2].decode()
                auth = [r for r in client if r["smtp.req.command"] == ["AUTH"]]
                if not auth or "23" not in auth[0]["tls.record.content_type"]:
                    say(f"{name}: with the key log, AUTH is not found inside TLS")
                elif auth[0]["smtp.auth.password"] != [password]:
                    say(f"{name}: Wireshark decodes the password as {auth[0]['smtp.auth.password']}")
                if plain is not None and ("AUTH" in _values(_from_client(plain, conn.id), "smtp.req.command")
                                          or _values(_on(plain, conn.id), "smtp.auth.password")):
                    say(f"{name}: AUTH is readable without the key log")
        if conn.protocol in (Kind.IMAP, Kind.POP3) and protected:
            field = "imap.request.command" if conn.protocol is Kind.IMAP else "pop.request.command"
            lines = [e.text for e in mine if e.kind is conn.protocol and e.dir is Direction.CLIENT]
            if conn.protocol is Kind.IMAP:
                # IDLE's DONE has no tag and names no command (RFC 2177 §3); Wireshark reads none in it.
                lines = [t for t in lines if t.upper() != "DONE"]
            verbs = [t.split(" ")[1 if conn.protocol is Kind.IMAP else 0].upper() for t in lines]
            if [v.upper() for v in _values(client, field)] != verbs:
                say(f"{name}: with the key log Wireshark reads {_values(client, field)}, the trace {verbs}")
            hidden = len([e for e in protected if e.dir is Direction.CLIENT and e.text.upper() != "DONE"])
            if len(_values(in_the_clear, field)) != len(verbs) - hidden:
                say(f"{name}: {field} outside TLS shows more than the trace's clear part")
            if plain is not None and len(_values(_from_client(plain, conn.id), field)) != len(verbs) - hidden:
                say(f"{name}: without the key log {field} shows more than the clear part")
    return problems


def test_every_shipped_scenario_reads_cleanly_and_decrypts_with_the_key_log(tshark, tmp_path):
    cases = [(s.name, run_scenario(open_scenario(s.name))) for s in list_scenarios()]
    # Read without the key log too where the lesson is that TLS hides the password.
    views = _views(tshark, cases, tmp_path, plain=frozenset({"submission-starttls", "submission-implicit-tls"}))
    problems = [f"{name}: {p}" for name, trace in cases for p in _problems(trace, *views[name])]
    assert not problems, "\n".join(problems)
    # The lessons the issue names: AUTH inside the TLS of 587, IMAP inside 993.
    keyed, plain = views["submission-starttls"]
    assert "AUTH" in _values(keyed, "smtp.req.command") and "AUTH" not in _values(plain, "smtp.req.command")
    assert "LOGIN" in _values(keyed, "imap.request.command") and not _values(plain, "imap.request.command")


def _variants() -> list[tuple[str, Scenario]]:
    return [
        # IMAP with STARTTLS on 143, submission on 465, and TLS 1.2 on both servers.
        ("imap143-465-tls12", variant("submission-starttls", {
            "bob": {"read_port": 143}, "alice": {"submit_port": 465}, "msa": {"tls": "1.2"},
            "store-net": {"tls": "1.2"}})),
        ("pop3-995", variant("pop3-retrieval", {"bob": {"read_port": 995}})),
        ("faults", variant("submission-starttls", faults=(
            Fault("loss", Target.LINK, "alice-msa", rate=0.4, link=("alice", "msa")),
            Fault("bad-certificate", Target.HOST, "store-net", problem="name-mismatch", attempts=1),
            Fault("connection-refused", Target.HOST, "mx-net", attempts=1),
        ))),
    ]


def test_other_ports_tls_1_2_resets_losses_and_a_refused_certificate(tshark, tmp_path):
    cases = [(name, run_scenario(s)) for name, s in _variants()]
    v6 = (ActorInfo("c", "mua", "c.example.org", "2001:db8::10"), ActorInfo("s", "mta", "mx.example.net", "2001:db8:1::25"))
    lines = [(Side.SERVER, ["220 mx.example.net ESMTP"], 0), (Side.CLIENT, ["EHLO c.example.org"], 0),
             (Side.SERVER, ["250-mx.example.net", "250 8BITMIME"], 1), (Side.CLIENT, ["QUIT"], 0),
             (Side.SERVER, ["221 2.0.0 Bye"], 0)]
    cases.append(("ipv6", one_connection(lines, 0.02, *v6)))
    views = _views(tshark, cases, tmp_path, plain=frozenset({"imap143-465-tls12"}))
    problems = [f"{name}: {p}" for name, trace in cases for p in _problems(trace, *views[name])]
    assert not problems, "\n".join(problems)
    traces = dict(cases)
    # The fault run has what it should: losses, a reset and an alert, each as the trace tells it.
    faults = traces["faults"].events
    assert any("lost" in e.text for e in faults) and any(e.text == "RST" for e in faults)
    assert any(e.text.startswith("Alert") for e in faults)
    keyed, plain = views["imap143-465-tls12"]
    assert "LOGIN" in _values(keyed, "imap.request.command")
    assert any(e.text.endswith("STARTTLS") for e in traces["imap143-465-tls12"].events if e.kind is Kind.IMAP)
    assert plain is not None and any("STARTTLS" in r["imap.request.command"] for r in plain)
    assert "LOGIN" not in _values(plain, "imap.request.command")
    assert "RETR" in _values(views["pop3-995"][0], "pop.request.command")
