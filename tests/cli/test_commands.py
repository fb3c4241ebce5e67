"""The command line: outputs, and one clear message (exit 2) for bad input."""

import json
import subprocess
import sys

import pytest

from simulator.cli.main import main

REQUIRED = {"step", "t", "kind", "src", "dst", "port", "tls", "dir", "text", "explain"}
KINDS = {"tcp", "tls", "smtp", "dns", "imap", "pop3", "queue", "deliver", "bounce", "note"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_is_one_array_with_name_title_summary(capsys):
    code, out, err = run(capsys, "list", "--json")
    assert code == 0 and err == ""
    items = json.loads(out)
    assert isinstance(items, list)
    names = {item["name"] for item in items}
    assert {"submission-starttls", "submission-implicit-tls", "user-unknown"} <= names
    assert all(item["title"] and item["summary"] for item in items)


def test_run_json_is_json_lines_and_nothing_else(capsys):
    code, out, err = run(capsys, "run", "submission-starttls", "--json")
    assert code == 0
    lines = out.splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) > 50
    for i, e in enumerate(events):
        assert REQUIRED <= e.keys()
        assert e["step"] == i
        assert isinstance(e["t"], float)
        assert e["kind"] in KINDS
        assert e["tls"] in {"none", "starttls", "implicit"}
        assert e["dir"] in {"C", "S", None}
        assert e["port"] is None or isinstance(e["port"], int)
        assert "\r\n" not in e["text"] or e.get("content")


def test_multiline_reply_is_one_event_per_line_and_dot_is_its_own(capsys):
    _, out, _ = run(capsys, "run", "submission-starttls", "--json")
    events = [json.loads(line) for line in out.splitlines()]
    ehlo_reply = [e["text"] for e in events if e["port"] == 587 and e["text"].startswith("250-")]
    assert "250-STARTTLS" in ehlo_reply
    assert any(e["text"] == "." and e["dir"] == "C" for e in events)


def test_run_text_groups_by_hop(capsys):
    code, out, _ = run(capsys, "run", "submission-starttls")
    assert code == 0
    assert "alice → msa:587 (smtp.example.org)" in out
    assert "msa → mx-net:25 (mx1.example.net)" in out
    assert "C: " in out and "S: " in out


def test_seed_changes_identifiers(capsys):
    _, a, _ = run(capsys, "run", "user-unknown", "--json", "--seed", "1")
    _, b, _ = run(capsys, "run", "user-unknown", "--json", "--seed", "2")
    assert a != b
    _, c, _ = run(capsys, "run", "user-unknown", "--json", "--seed", "1")
    assert a == c


def test_validate_ok(capsys, tmp_path):
    from simulator.scenario.library import resolve_scenario

    code, out, _ = run(capsys, "validate", str(resolve_scenario("user-unknown")))
    assert code == 0 and out.strip().endswith("valid")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "no-such-scenario"], "no such scenario"),
        (["run", "/nonexistent/x.toml"], "no such file"),
        (["run", "submission-starttls", "--seed", "abc"], "--seed expects a whole number"),
        (["run", "submission-starttls", "--seed", "-3"], "--seed expects a number >= 0"),
        (["frobnicate"], "invalid choice"),
        (["run"], "the following arguments are required"),
        (["validate", "/nonexistent/y.toml"], "no such file"),
    ],
)
def test_bad_input_is_one_message_and_exit_2(capsys, argv, needle):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's errors leave through exit()
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert needle in err
    assert "Traceback" not in err and out == ""
    assert len(err.strip().splitlines()) == 1


def test_invalid_file_names_file_key_expected_found(capsys, tmp_path):
    bad = tmp_path / "lab.toml"
    bad.write_text('[scenario]\ntitle = "t"\nsummary = "s"\n[hosts.x]\nrole = "msa"\nhostname = "h"\nip = "nope"\n')
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 2
    assert err.strip() == 'smtpsim: lab.toml: hosts.x.ip: expected an IPv4 or IPv6 address, found "nope"'


def test_installed_console_script_exits_2_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", "nope"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("smtpsim: ")


# Every command that takes a scenario name, with a misspelt one in its place.
MISSPELT = {
    "play": ["play", "retry-expird"],
    "run": ["run", "retry-expird"],
    "faults": ["faults", "retry-expird"],
    "talk": ["talk", "msa", "--scenario", "retry-expird"],
    "compare": ["compare", "retry-expird", "user-unknown"],
    "quiz": ["quiz", "--scenario", "retry-expird"],
    "live": ["live", "retry-expird"],
    "handout": ["handout", "retry-expird"],
    "serve": ["serve", "--lesson", "retry-expird"],
}


def test_the_misspelt_table_covers_every_command_that_takes_a_scenario():
    from simulator.cli.main import build_parser

    takes = {name for name, sub in build_parser().commands.items()
             if any(a.dest in {"scenario", "a", "b"} for a in sub._actions)}
    assert takes == set(MISSPELT)


@pytest.mark.parametrize("command", sorted(MISSPELT))
def test_a_misspelt_scenario_gets_did_you_mean(capsys, command):
    code = main(MISSPELT[command])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert 'did you mean "retry-expired"?' in err


@pytest.mark.parametrize(("typed", "suggested"), [
    ("nxdomian", ['"nxdomain"']),
    ("greylist", ['"greylisting"']),
    ("mx-failver", ['"mx-failover"']),
    ("submission", ['"submission-starttls"', '"submission-implicit-tls"']),
    ("user-unknwon.toml", ['"user-unknown"']),  # a path that does not exist, named like a scenario
])
def test_close_names_are_suggested(capsys, typed, suggested):
    code, out, err = run(capsys, "run", typed)
    assert code == 2 and "did you mean" in err
    for name in suggested:
        assert name in err


def test_nothing_close_lists_the_scenarios_instead(capsys):
    code, out, err = run(capsys, "run", "zzzz")
    assert code == 2 and "did you mean" not in err
    assert "no such scenario" in err and "submission-starttls" in err


def test_a_bare_scenario_name_plays_it_and_a_misspelt_one_is_suggested(capsys):
    # play is the default command: "smtpsim retry-expird" is taken for a scenario, not a command.
    code, out, err = run(capsys, "retry-expird")
    assert code == 2 and 'did you mean "retry-expired"?' in err and "invalid choice" not in err
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_live_refuses_a_crash_point_it_does_not_know(capsys, monkeypatch):
    # A misspelt SMTPSIM_CRASH_AT would otherwise crash nowhere: one line, exit 2, before any port opens.
    monkeypatch.setenv("SMTPSIM_CRASH_AT", "after-queue-writ")
    code = main(["live", "--ephemeral"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("smtpsim live: SMTPSIM_CRASH_AT='after-queue-writ' is not a crash point; expected one of ")
    assert len(err.strip().splitlines()) == 1
