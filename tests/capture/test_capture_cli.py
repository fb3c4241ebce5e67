"""``smtpsim run S --pcap FILE [--keylog FILE]``, and the DNS bytes the trace keeps for it."""

from __future__ import annotations

import json
from pathlib import Path

import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from simulator.cli.main import main
from simulator.run import run_scenario
from simulator.scenario import list_scenarios
from simulator.scenario.library import open_scenario
from simulator.trace.events import Direction, Kind, TraceEvent
from tests.capture.pcapread import read_capture


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_pcap_and_keylog_are_written_and_json_stays_json_only(capsys, tmp_path: Path):
    _, plain_json, _ = run(capsys, "run", "submission-starttls", "--json")
    pcap, keys = tmp_path / "lesson.pcap", tmp_path / "lesson.keys"
    code, out, err = run(capsys, "run", "submission-starttls", "--json", "--pcap", str(pcap), "--keylog", str(keys))
    assert code == 0
    assert out == plain_json  # the trace's JSON does not change with a capture alongside
    assert all(json.loads(line) for line in out.splitlines())
    assert str(pcap) in err and str(keys) in err and len(err.splitlines()) == 1
    assert len(read_capture(pcap)) > 50
    secrets = [ln.split() for ln in keys.read_text().splitlines() if not ln.startswith("#")]
    # TLS 1.3: five secrets per session, keyed by the ClientHello random; three sessions in this lesson.
    assert {ln[0] for ln in secrets} == {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                         "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}
    assert len({ln[1] for ln in secrets}) == 3 and all(len(ln) == 3 for ln in secrets)


def test_the_transcript_is_unchanged_too(capsys, tmp_path: Path):
    _, before, _ = run(capsys, "run", "auth-failure", "--no-explain")
    code, after, _ = run(capsys, "run", "auth-failure", "--no-explain", "--pcap", str(tmp_path / "a.pcapng"))
    assert code == 0 and after == before
    assert (tmp_path / "a.pcapng").read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"  # pcapng's section header


@pytest.mark.parametrize(("argv", "says"), [
    (["--pcap", "{tmp}"], "is a directory"),
    (["--pcap", "{tmp}/missing/x.pcap"], "does not exist"),
    (["--pcap", "{tmp}/f.pcap", "--keylog", "{tmp}/f.pcap"], "the same file"),
    (["--keylog", "{tmp}/k.log"], "--keylog needs --pcap"),
    (["--pcap", "{tmp}/ok.pcap", "--keylog", "{tmp}/nodir/k.log"], "--keylog: the directory"),
    (["--pcap", "/dev/full"], "No space left"),
])
def test_bad_capture_paths_are_one_line_and_exit_2(capsys, tmp_path: Path, argv: list[str], says: str):
    code, out, err = run(capsys, "run", "auth-failure", *(a.format(tmp=tmp_path) for a in argv))
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "ok.pcap").exists()  # refused before anything was written


def _dig_header_id(event: TraceEvent) -> int:
    return int(event.text.rsplit("id: ", 1)[1])


@pytest.mark.parametrize("name", [s.name for s in list_scenarios()])
def test_dns_events_keep_the_messages_that_went_over_the_wire(name: str):
    trace = run_scenario(open_scenario(name))
    dns_events = [e for e in trace.events if e.kind is Kind.DNS]
    for i, e in enumerate(dns_events):
        if e.dir is Direction.CLIENT:
            assert e.wire is not None
            query = dns.message.from_wire(e.wire)
            qname, _in, qtype = e.text.lstrip(";").split("\t")
            assert (query.question[0].name.to_text(), dns.rdatatype.to_text(query.question[0].rdtype)) == (qname, qtype)
        elif e.text.startswith(";; ->>HEADER"):
            assert e.wire is not None
            response = dns.message.from_wire(e.wire)
            assert response.id == _dig_header_id(e)
            assert f"status: {dns.rcode.to_text(response.rcode())}," in e.text
            asked = [q for q in dns_events[:i] if q.dir is Direction.CLIENT]
            assert asked and asked[-1].wire[:2] == e.wire[:2]  # the answer to the last query
        else:
            assert e.wire is None  # the other lines of an answer only show it
        assert "wire" not in e.to_json()
        assert TraceEvent.from_json(e.to_json()) == e  # the bytes are not part of an event's identity


def test_the_capture_reads_traces_only():
    """An export: it may use the trace, certificates and mail dates, never the engine, actors or UI."""
    import ast

    root = Path(__file__).resolve().parents[2] / "simulator" / "capture"
    forbidden = ("simulator.actors", "simulator.engine", "simulator.run", "simulator.ui", "simulator.cli",
                 "simulator.scenario", "textual")
    offenders = {}
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        bad = sorted(n for n in names if n.startswith(forbidden))
        if bad:
            offenders[path.name] = bad
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, f"{path.name} is past 600 lines"
    assert offenders == {}
