"""``smtpsim talk``: a scripted session with one simulated server of a scenario.

The scripts are what a student would type; the expected replies are the
RFCs' (see docs/conformance.md), checked here through the command line.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SMTPSIM = Path(sys.executable).with_name("smtpsim")
USER, PASSWORD = "alice@example.org", "correct horse battery staple"
READER, READER_PASSWORD = "bob@example.net", "hunter2-but-longer"
PLAIN = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()

SUBMISSION = f"""EHLO laptop.example.org
STARTTLS
EHLO laptop.example.org
AUTH PLAIN {PLAIN}
MAIL FROM:<{USER}>
RCPT TO:<bob@example.net>
RCPT TO:<carol@example.com>
DATA
Subject: talk

..a stuffed dot
.
QUIT
"""


def run_talk(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], script: str | bytes,
             *args: str) -> tuple[int, list[str], str]:
    """main(["talk", ...]) with ``script`` on a (non-terminal) standard input."""
    data = script.encode() if isinstance(script, str) else script
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = main(["talk", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def wire(lines: list[str]) -> list[str]:
    """The server's lines only: not the echo ("C: ") nor smtpsim's remarks ("[...]")."""
    return [ln for ln in lines if not ln.startswith(("C: ", "["))]


def codes(lines: list[str]) -> list[str]:
    """The code of each complete SMTP reply (its last line)."""
    return [ln[:3] for ln in wire(lines) if ln[:3].isdigit() and ln[3:4] != "-"]


# --- SMTP submission ---------------------------------------------------------------------------


def test_talk_full_submission_as_a_script_through_the_real_command() -> None:
    result = subprocess.run(
        [str(SMTPSIM), "talk", "msa"], input=SUBMISSION.encode(), capture_output=True, timeout=60, cwd=ROOT,
        env={**os.environ, "FORCE_COLOR": "1"},  # even so: stdout is a pipe, so no ANSI codes
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = result.stdout.decode()
    assert "\x1b" not in out and "\r" not in out
    lines = out.splitlines()
    # Greeting, EHLO, STARTTLS, EHLO again, AUTH, MAIL, RCPT x2, DATA, end of data, QUIT.
    assert codes(lines) == ["220", "250", "220", "250", "235", "250", "250", "250", "354", "250", "221"]
    assert wire(lines)[0] == "220 smtp.example.org ESMTP smtpsim"
    assert "250-STARTTLS" in lines and "250-AUTH PLAIN LOGIN" in lines  # the second EHLO, inside TLS
    assert "220 2.0.0 Ready to start TLS" in lines
    handshake = [ln for ln in lines if ln.startswith("[TLS 1.3 handshake done")]
    assert len(handshake) == 1
    assert lines.index(handshake[0]) == lines.index("220 2.0.0 Ready to start TLS") + 1
    assert "235 2.7.0 Authentication successful" in lines
    assert lines[-2] == "221 2.0.0 smtp.example.org Service closing transmission channel"
    assert lines[-1] == "[the server closed the connection]"
    assert "C: ..a stuffed dot" in lines  # the script's lines are echoed, as typed


def test_talk_output_is_stable(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_talk(monkeypatch, capsys, SUBMISSION, "msa")
    second = run_talk(monkeypatch, capsys, SUBMISSION, "msa")
    assert first == second and first[0] == 0


def test_talk_accounts_are_shown_at_the_start(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, lines, _ = run_talk(monkeypatch, capsys, "QUIT\n", "msa")
    assert lines[0].startswith("[msa smtp.example.org port 587")
    assert f"{USER} / {PASSWORD}" in lines[1]
    assert PLAIN in lines[2]  # a ready-made AUTH PLAIN line


def test_talk_465_is_implicit_tls(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    script = f"EHLO laptop.example.org\nSTARTTLS\nAUTH PLAIN {PLAIN}\nQUIT\n"
    code, lines, _ = run_talk(monkeypatch, capsys, script, "msa", "--port", "465")
    assert code == 0
    handshake = next(i for i, ln in enumerate(lines) if ln.startswith("[TLS 1.3 handshake done"))
    assert lines[handshake + 1] == "220 smtp.example.org ESMTP smtpsim"  # TLS first (RFC 8314)
    assert "250-AUTH PLAIN LOGIN" in lines and "250-STARTTLS" not in lines
    assert codes(lines) == ["220", "250", "503", "235", "221"]  # no STARTTLS inside TLS


def test_talk_msa_auth_before_tls_is_538_and_mail_before_auth_530(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = f"EHLO laptop.example.org\nAUTH PLAIN {PLAIN}\nMAIL FROM:<{USER}>\nQUIT\n"
    _, lines, _ = run_talk(monkeypatch, capsys, script, "msa")
    assert "250-AUTH PLAIN LOGIN" not in lines
    assert "538 5.7.11 Encryption required for requested authentication mechanism" in lines
    assert "530 5.7.0 Authentication required" in lines


def test_talk_state_is_forgotten_after_starttls(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    script = f"EHLO laptop.example.org\nSTARTTLS\nMAIL FROM:<{USER}>\nSTARTTLS\nQUIT\n"
    _, lines, _ = run_talk(monkeypatch, capsys, script, "msa")
    assert codes(lines) == ["220", "250", "220", "503", "503", "221"]
    assert "503 5.5.1 Send HELO/EHLO first" in lines  # RFC 3207 §4.2


def test_talk_mta_relays_only_for_its_domains(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    script = "EHLO relay.example.org\nMAIL FROM:<>\nRCPT TO:<bob@example.net>\nRCPT TO:<x@far.example>\nRCPT TO:<postmaster>\nQUIT\n"
    code, lines, _ = run_talk(monkeypatch, capsys, script, "mta")
    assert code == 0 and wire(lines)[0] == "220 mx1.example.net ESMTP smtpsim"
    assert codes(lines) == ["220", "250", "250", "250", "550", "250", "221"]
    assert "550 5.7.1 Relay access denied" in lines


def test_talk_hostile_lines_get_500_and_the_session_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = b"\xff\xfe garbage\n" + b"NOOP " + b"x" * 600 + b"\nEHLO a\rb\nNOOP\nQUIT\n"
    code, lines, _ = run_talk(monkeypatch, capsys, script, "mta")
    assert code == 0
    assert codes(lines) == ["220", "500", "500", "500", "250", "221"]


# --- IMAP and POP3 ----------------------------------------------------------------------------------


def test_talk_imap_143_refuses_login_before_starttls_then_accepts_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = (f"a1 CAPABILITY\na2 LOGIN {READER} {READER_PASSWORD}\na3 STARTTLS\n"
              f"a4 LOGIN {READER} {READER_PASSWORD}\na5 SELECT INBOX\na6 FETCH 1 BODY[]\na7 LOGOUT\n")
    code, lines, _ = run_talk(monkeypatch, capsys, script, "imap")
    assert code == 0
    assert wire(lines)[0].startswith("* OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED]")
    assert "a2 NO [PRIVACYREQUIRED] Connection offers no privacy" in lines
    assert "a3 OK Begin TLS negotiation now" in lines
    assert lines[lines.index("a3 OK Begin TLS negotiation now") + 1].startswith("[TLS 1.3 handshake done")
    assert ("a4 OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN "
            "LIST-EXTENDED LIST-STATUS SPECIAL-USE APPENDLIMIT=52428800] LOGIN completed") in lines
    assert "a5 OK [READ-WRITE] SELECT completed" in lines
    fetch = next(ln for ln in lines if ln.startswith("* 1 FETCH ("))
    assert "BODY[] {" in fetch  # the message the journey delivered, as a literal
    assert "Return-Path: <alice@example.org>" in lines
    assert lines[-3:] == ["* BYE imap.example.net IMAP4rev1 server logging out", "a7 OK LOGOUT completed",
                          "[the server closed the connection]"]


def test_talk_pop3_session(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    script = f"USER {READER}\nSTLS\nUSER {READER}\nPASS {READER_PASSWORD}\nSTAT\nRETR 1\nDELE 1\nQUIT\n"
    code, lines, _ = run_talk(monkeypatch, capsys, script, "pop3")
    assert code == 0
    status = [ln for ln in wire(lines) if ln.startswith(("+OK", "-ERR"))]
    assert [s.split(" ")[0] for s in status] == ["+OK", "-ERR", "+OK", "+OK", "+OK", "+OK", "+OK", "+OK", "+OK"]
    # The message's line ".. and bring the book" (two dots, as in the scenario) is dot-stuffed
    # to three on the wire (RFC 1939 §3); IMAP sends it as is, inside a literal.
    assert "... and bring the book, please." in lines
    retr = lines.index(next(s for s in status if s.endswith(" octets")))
    assert lines[lines.index("C: DELE 1") - 1] == "."  # the multi-line response ends with "."
    assert retr < lines.index("C: DELE 1")
    assert lines[-2] == "+OK imap.example.net POP3 server signing off (maildrop empty)"


def test_talk_993_and_995_are_implicit_tls(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, lines, _ = run_talk(monkeypatch, capsys, "a LOGOUT\n", "imap", "--port", "993")
    assert lines[2].startswith("[TLS 1.3 handshake done") and lines[3].startswith(
        "* OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ AUTH=PLAIN]")
    _, lines, _ = run_talk(monkeypatch, capsys, "QUIT\n", "pop3", "--port", "995")
    assert lines[2].startswith("[TLS 1.3 handshake done") and lines[3] == "+OK imap.example.net POP3 ready"


# --- the end, and bad input to the command ----------------------------------------------------------


@pytest.mark.parametrize(("role", "script"), [("msa", "EHLO x.example\nMAIL FROM:<a@b.example>\n"),
                                               ("imap", "a NOOP\n"), ("pop3", "CAPA\n"), ("mta", "")])
def test_talk_end_of_input_without_quit_ends_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], role: str, script: str
) -> None:
    code, lines, err = run_talk(monkeypatch, capsys, script, role)
    assert code == 0 and err == ""
    assert lines[-1].startswith("[end of input: connection closed without ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "invalid choice: 'nope'"),
        (["msa", "--port", "25"], "port 25 does not fit role msa"),
        (["imap", "--port", "110"], "port 110 does not fit role imap"),
        (["pop3", "--port", "http"], "expected a port number, found 'http'"),
        (["mta", "--scenario", "no-such-scenario"], "no-such-scenario"),
    ],
)
def test_talk_bad_role_port_or_scenario_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("QUIT\n"))
    try:
        code = main(["talk", *args])
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_talk_bad_port_through_the_real_command() -> None:
    result = subprocess.run([str(SMTPSIM), "talk", "mta", "--port", "587"], input=b"", capture_output=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().splitlines() == [
        "smtpsim talk: port 587 does not fit role mta: use 25 (SMTP relay)"
    ]


def test_talk_to_an_mx_that_checks_reverse_dns(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # The student's terminal (192.0.2.99) has no PTR in reverse-dns's zones: RFC 7372 §3.3 at RCPT.
    script = "EHLO me.example\nMAIL FROM:<a@example.org>\nRCPT TO:<bob@example.net>\nQUIT\n"
    code, lines, _ = run_talk(monkeypatch, capsys, script, "mta", "--scenario", "reverse-dns")
    assert code == 0
    assert "[the MX asks DNS: 99.2.0.192.in-addr.arpa PTR -> NXDOMAIN]" in lines  # RFC 1035 §3.5
    rcpt = [ln for ln in wire(lines) if ln.startswith("550 ")]
    assert rcpt and rcpt[0].split()[1] == "5.7.25"
    assert codes(lines) == ["220", "250", "250", "550", "221"]
