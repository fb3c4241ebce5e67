"""What ``smtpsim`` loads before it does anything: behaviour, not time (bench/cli.py measures time).

Each check runs a fresh interpreter and reads ``sys.modules`` after the
command, so an import added at the top of a CLI module shows up here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Nothing of these is needed to print the help or to parse the command line.
HEAVY_FOR_HELP = (
    "asyncio", "rich", "textual", "dns", "ssl", "cryptography", "sqlite3", "email", "tomllib", "dataclasses",
    "simulator.scenario.loader", "simulator.scenario.model", "simulator.protocols", "simulator.trace",
    "simulator.run", "simulator.actors", "simulator.engine", "simulator.quiz.model", "textual_serve", "aiohttp",
    "socket",
)

_PROBE = """
import json, sys
from simulator.cli.main import main
try:
    main({argv!r})
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def _loaded(argv: list[str]) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv)], capture_output=True, text=True,
                          timeout=60, check=True)
    line = next(li for li in done.stderr.splitlines() if li.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def _heavy(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in names))


def test_help_loads_no_simulation_protocol_or_ui_code():
    assert _heavy(_loaded(["--help"]), HEAVY_FOR_HELP) == []


@pytest.mark.parametrize("command", ["talk", "compare", "quiz", "progress", "live", "run", "play", "list", "serve"])
def test_a_subcommands_help_loads_none_of_it_either(command):
    assert _heavy(_loaded([command, "--help"]), HEAVY_FOR_HELP) == []


def test_run_json_loads_no_ui_rich_asyncio_capture_or_pop3():
    # submission-starttls reads its mail with IMAP: POP3 and its narrator stay out, as do the
    # packet-capture code (no --pcap), Rich (no table is printed) and the live mode's event loop.
    loaded = _loaded(["run", "submission-starttls", "--json"])
    assert "simulator.protocols.smtp" in loaded  # it did run
    assert _heavy(loaded, ("textual", "rich", "asyncio", "simulator.capture", "simulator.protocols.pop3",
                           "simulator.trace.narrate.pop3", "simulator.live", "simulator.ui", "cryptography")) == []
    # A command line that starts with `run` builds only the commands defined in main.py.
    assert _heavy(loaded, ("simulator.cli.talk", "simulator.cli.compare", "simulator.cli.quiz",
                           "simulator.cli.live", "simulator.cli.handout", "simulator.cli.serve")) == []


# The dataclasses defined by every loaded smtpsim module, after the command.
_CLASSES = """
import dataclasses, json, sys
from simulator.cli.main import main
main({argv!r})
sys.stdout.flush()
made = sorted(name + "." + value.__qualname__ for name, module in list(sys.modules.items())
              if name.startswith("simulator") for value in vars(module).values()
              if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name)
sys.stderr.write("\\nCLASSES " + json.dumps(made) + "\\n")
"""

# What the happy path does not use, imported on first use: each @dataclass costs start-up time to create.
NOT_CREATED_ON_THE_HAPPY_PATH = (
    # IMAP failures, IDLE, ID, mailbox and flag changes (simulator.protocols.imap._events_more)
    "LoginFailed", "CommandFailed", "InvalidCommand", "IdleStarted", "FlagsStored", "MailboxCreated",
    # SMTP refusals and failed sessions (simulator.protocols.smtp._events_more)
    "AuthFailed", "RecipientRejected", "MessageRejected", "TLSUnavailable", "SessionFailed",
    # the queue's retry and DSN actions (simulator.delivery._actions_more)
    "Wait", "Report",
    # a kept trace (simulator.trace.events): a streamed run writes each event's line without making it
    "TraceEvent", "Trace", "ActorInfo", "KeyMoment",
)


def test_run_json_creates_no_class_its_scenario_does_not_use():
    done = subprocess.run([sys.executable, "-c", _CLASSES.format(argv=["run", "submission-starttls", "--json"])],
                          capture_output=True, text=True, timeout=60, check=True)
    line = next(li for li in done.stderr.splitlines() if li.startswith("CLASSES "))
    made = {name.rpartition(".")[2] for name in json.loads(line.removeprefix("CLASSES "))}
    assert {"MessageFetched", "ConnectionInfo"} <= made  # Bob read his mail over IMAP; connections recorded
    assert sorted(made & set(NOT_CREATED_ON_THE_HAPPY_PATH)) == []


def test_the_events_left_out_are_still_reported():
    # A wrong password still gets its LoginFailed (from _events_more), the class the package exports.
    from simulator.protocols.imap import IMAPServer, IMAPServerConfig, LoginFailed
    from simulator.protocols.mailstore import MailStore

    store = MailStore()
    store.add_account("bob", "right")
    server = IMAPServer(IMAPServerConfig("imap.example.net", implicit_tls=True), store)
    server.start()
    server.data_to_send()
    events = server.receive_data(b"a1 LOGIN bob wrong\r\n")
    assert [e.user for e in events if isinstance(e, LoginFailed)] == ["bob"]
    assert server.data_to_send().startswith(b"a1 NO")


@pytest.mark.parametrize("argv", [
    ["run", "submission-starttls", "--json"],
    ["run", "retry-expired", "--seed", "7", "--fault", "x", "--no-explain"],
    ["run", "submission-starttls", "--outcomes"],
    ["list", "--json"],
    ["faults", "submission-starttls"],
    ["validate", "some.toml"],
    ["play", "submission-starttls", "--at", "key"],
])
def test_a_builtin_command_parses_the_same_without_the_other_subcommands(argv):
    from simulator.cli.main import build_parser

    assert build_parser(only=argv[0]).parse_args(argv) == build_parser().parse_args(argv)


def test_a_bad_run_option_reads_the_same_without_the_other_subcommands(capsys):
    from simulator.cli.main import build_parser

    messages = []
    for parser in (build_parser(only="run"), build_parser()):
        with pytest.raises(SystemExit) as exit:
            parser.parse_args(["run", "submission-starttls", "--seed", "x"])
        messages.append((exit.value.code, capsys.readouterr().err))
    assert messages[0] == messages[1] and messages[0][0] == 2 and "--seed" in messages[0][1]


def test_a_pop3_scenario_still_reads_its_mail():
    # The lazy import of the reading protocol: a POP3 reader gets POP3 (and the trace shows RETR).
    from simulator.run import run_scenario
    from simulator.scenario.library import list_scenarios

    pop3 = [s for s in list_scenarios() if any(h.read_protocol == "pop3" for h in s.hosts)]
    if not pop3:
        pytest.skip("no shipped scenario reads with POP3")
    trace = run_scenario(pop3[0])
    assert any(e.kind.value == "pop3" and "RETR" in e.text for e in trace.events)


def _modules_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                          capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("code, absent", [
    # The player's trace model explains reply codes: the catalogue alone, not the SMTP machines.
    ("from simulator.protocols.smtp.meanings import describe",
     ("simulator.protocols.smtp.server", "simulator.protocols.smtp.client", "simulator.protocols.smtp._events")),
    # A front end may import the run entry point and the trace cache before it knows whether to run.
    ("import simulator.run, simulator.trace.cache",
     ("simulator.actors", "simulator.engine", "simulator.protocols", "simulator.delivery", "dns")),
    ("from simulator.scenario import ScenarioError, DEFAULT_SCENARIO", ("simulator.scenario.loader", "dns")),
])
def test_light_imports_stay_light(code, absent):
    assert _heavy(_modules_after(code), absent) == []


def test_every_event_left_out_resolves_to_its_class():
    # Each lazily exported event (PEP 562) is the class _events_more defines, from the package and from
    # _events alike; a name neither defines is an AttributeError, not a silent None.
    import importlib

    import pytest

    for package in ("simulator.protocols.imap", "simulator.protocols.smtp"):
        events = importlib.import_module(package + "._events")
        more = importlib.import_module(package + "._events_more")
        left_out = [name for name in vars(more) if isinstance(getattr(more, name), type)
                    and getattr(more, name).__module__ == more.__name__]
        assert left_out
        top = importlib.import_module(package)
        for name in left_out:
            assert getattr(events, name) is getattr(top, name) is getattr(more, name)
        for module in (events, top):
            with pytest.raises(AttributeError):
                module.NoSuchEvent  # noqa: B018
