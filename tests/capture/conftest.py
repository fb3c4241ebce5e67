"""Shared pieces of the capture tests: tshark (Wireshark's own dissectors) and scenario variants."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # for tests.capture.pcapread
    sys.path.insert(0, str(ROOT))

from simulator.scenario.faults import Fault  # noqa: E402
from simulator.scenario.library import open_scenario  # noqa: E402
from simulator.scenario.model import Scenario  # noqa: E402

# Expert info severities as tshark prints _ws.expert.severity (epan/proto.h PI_CHAT ... PI_ERROR).
CHAT, NOTE, WARN, ERROR = 0x00200000, 0x00400000, 0x00600000, 0x00800000

FIELDS = (
    "frame.number", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "_ws.malformed",
    "_ws.expert.severity", "_ws.expert.message", "tcp.analysis.flags", "tcp.analysis.retransmission",
    "tcp.flags.syn", "tcp.flags.reset", "dns.qry.type", "dns.flags.response", "smtp.req.command",
    "smtp.command_line", "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.record.content_type",
    "tls.alert_message.desc", "imap.request.command", "pop.request.command", "smtp.auth.password",
)


@dataclass(frozen=True)
class Tshark:
    command: list[str]
    env: dict[str, str]


@pytest.fixture(scope="session")
def tshark(tmp_path_factory: pytest.TempPathFactory) -> Tshark:
    """tshark, checking every checksum, with an empty profile so a user's preferences change nothing."""
    path = shutil.which("tshark")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("tshark is missing under CI: .ci/run installs it (apt-get install -y tshark)")
        pytest.skip("tshark is not installed (apt-get install tshark); under CI this test runs")
    env = {**os.environ, "WIRESHARK_CONFIG_DIR": str(tmp_path_factory.mktemp("wireshark-profile"))}
    return Tshark([path, "-n", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                   "-o", "udp.check_checksum:TRUE", "-o", "smtp.decryption:TRUE"], env)


def tshark_fields(tshark: Tshark, pcap: Path, keylog: Path | None = None) -> subprocess.Popen:
    """Start tshark printing FIELDS per frame ('|' between fields, ';' between occurrences)."""
    args = [*tshark.command, "-r", str(pcap), "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
            "-E", "aggregator=;"]
    if keylog is not None:
        args += ["-o", f"tls.keylog_file:{keylog}"]
    for name in FIELDS:
        args += ["-e", name]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tshark.env)


def frames(process: subprocess.Popen) -> list[dict[str, list[str]]]:
    """The frames a tshark_fields process printed: field name -> its values."""
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    rows = []
    for line in out.splitlines():
        values = line.split("|")
        assert len(values) == len(FIELDS), line
        rows.append({name: [v for v in value.split(";") if v] for name, value in zip(FIELDS, values)})
    return rows


def variant(name: str, hosts: dict[str, dict[str, object]] | None = None,
            faults: tuple[Fault, ...] = ()) -> Scenario:
    """A shipped scenario with some hosts changed (ports, TLS version) and faults added."""
    scenario = open_scenario(name)
    changed = tuple(dataclasses.replace(h, **(hosts or {}).get(h.id, {})) for h in scenario.hosts)
    return dataclasses.replace(scenario, hosts=changed, faults=scenario.faults + faults)
