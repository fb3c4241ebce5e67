"""``smtpsim serve`` without a browser: its checks, the command each tab runs, the page's URLs.

tests/ui/test_serve_browser.py drives the page in headless Chromium.
"""

from __future__ import annotations

import shlex
import shutil
import socket
import sys
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from simulator.cli import serve
from simulator.cli.main import build_parser, main
from simulator.scenario.library import resolve_scenario
from simulator.ui import webserver
from tests.ui.servekit import serving


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's errors leave through exit()
        return int(exc.code or 0)


@pytest.mark.parametrize(("argv", "needle"), [
    (["--lesson", "no-such-lesson"], "no such scenario"),
    (["--lesson", "user-unknown", "--fault", "no-such-fault"], "--fault"),
    (["--fault", "greylisting"], "--fault needs --lesson"),
    (["--host", "0.0.0.0"], "--public-url"),
    (["--host", "::"], "--public-url"),
    (["--public-url", "lab.example.edu/smtpsim"], "--public-url expects an http:// or https:// URL"),
    (["--port", "65536"], "--port expects 0 to 65535"),
    (["--port", "eighty"], "--port expects a whole number"),
])
def test_bad_input_is_one_line_and_exit_2_before_anything_listens(capsys, monkeypatch, argv, needle):
    def never(*_: object) -> None:
        raise AssertionError("it went on to serve")

    monkeypatch.setattr(serve, "listen", never)
    code = _exit(["serve", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.socket
@pytest.mark.timeout(30)
def test_a_port_in_use_is_one_line_and_exit_2(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"port {port} is already in use" in err and len(err.strip().splitlines()) == 1


def _tab(*argv: str) -> list[str]:
    """The words of the shell command textual-serve runs per tab, for ``smtpsim serve ARGV``."""
    return shlex.split(serve.tab_command(build_parser().parse_args(["serve", *argv])))


def test_each_tab_runs_this_interpreters_player_on_the_picker_without_a_lesson():
    assert _tab() == ["exec", sys.executable, "-m", "simulator", "play", "--pick"]


def test_each_tab_runs_the_lesson_with_the_instructors_options():
    assert _tab("--lesson", "user-unknown", "--fault", "greylisting", "--fault", "mx-down", "--seed", "7",
                "--presenter", "--profile", "room-3") == [
        "exec", sys.executable, "-m", "simulator", "play", "user-unknown", "--fault", "greylisting",
        "--fault", "mx-down", "--seed", "7", "--presenter", "--profile", "room-3"]


def test_a_lesson_file_is_named_by_its_absolute_path(tmp_path, monkeypatch):
    (tmp_path / "labs").mkdir()
    shutil.copy(resolve_scenario("user-unknown"), tmp_path / "labs" / "my lab.toml")
    monkeypatch.chdir(tmp_path)
    words = _tab("--lesson", "labs/my lab.toml")
    assert words[5] == str(tmp_path / "labs" / "my lab.toml")  # the space survives the shell too
    assert Path(words[5]).is_absolute()


def test_the_tab_command_is_a_command_play_accepts():
    # The same parser as a terminal's `smtpsim play`: every option the tab gets is one play knows.
    args = build_parser().parse_args(_tab("--lesson", "user-unknown", "--fault", "greylisting", "--presenter")[4:])
    assert (args.command, args.scenario, args.fault, args.presenter) == ("play", "user-unknown", ["greylisting"], True)
    assert build_parser().parse_args(_tab()[4:]).pick is True


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("192.0.2.10", False), ("2001:db8::1", False), ("lab.example.edu", False),
])
def test_which_hosts_only_this_machine_reaches(host, loopback):
    assert serve.is_loopback(host) is loopback


class _FakeServer:
    def __init__(self, command: str, listener: object, public: str, local: str) -> None:
        self.public, self.local = public, local
        self.served = False

    def serve(self) -> None:
        self.served = True


class _FakeListener:
    """Stands for the listening socket: nothing binds a public address in these tests."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port or 8123)

    def getsockname(self) -> tuple[str, int]:
        return self.address

    def __enter__(self) -> _FakeListener:
        return self

    def __exit__(self, *_: object) -> None:
        pass


@pytest.fixture
def fake_servers(monkeypatch) -> list[_FakeServer]:
    made: list[_FakeServer] = []
    monkeypatch.setattr(serve, "listen", _FakeListener)
    # The web server (simulator/ui/webserver.py) serves until Ctrl+C: here it records what it was given.
    monkeypatch.setattr(webserver, "serve", lambda *a: made.append(_FakeServer(*a)) or made[-1].serve())
    return made


@pytest.mark.parametrize(("argv", "warned"), [
    ([], False),
    (["--host", "192.0.2.10"], True),
    (["--host", "0.0.0.0", "--public-url", "http://lab.example.edu:8000"], True),
])
def test_a_host_other_machines_reach_gets_a_warning_line(capsys, fake_servers, argv, warned):
    assert main(["serve", *argv]) == 0
    err = capsys.readouterr().err
    assert fake_servers[0].served
    if warned:
        assert len(err.strip().splitlines()) == 1 and "warning" in err and "no login" in err
    else:
        assert err == ""


def test_the_page_names_the_server_by_its_public_url_default_host_and_port(fake_servers):
    main(["serve", "--host", "::1", "--port", "8123"])
    main(["serve", "--public-url", "https://lab.example.edu/smtpsim/", "--port", "8123"])
    first, proxied = fake_servers
    assert (first.public, first.local) == ("http://[::1]:8123", "http://[::1]:8123")
    assert (proxied.public, proxied.local) == ("https://lab.example.edu/smtpsim", "http://127.0.0.1:8123")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.websocket = ""
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "div" and found.get("id") == "terminal":
            self.websocket = found.get("data-session-websocket-url") or ""
        if tag == "script" and found.get("src"):
            self.scripts.append(found["src"] or "")


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read()


@pytest.mark.socket
@pytest.mark.timeout(60)
def test_behind_a_proxy_the_page_points_browsers_at_the_public_url():
    # A proxy at https://lab.example.edu/smtpsim/ passes /smtpsim/X on as /X: the page's WebSocket
    # and scripts must be the public addresses (wss: for https:), the server's own paths without the prefix.
    with serving("--lesson", "user-unknown", "--public-url", "https://lab.example.edu/smtpsim/") as server:
        local = server.local
        assert server.public == "https://lab.example.edu/smtpsim"
        status, body = _get(local + "/")
        page = _Page()
        page.feed(body.decode("utf-8"))
        assert status == 200
        assert page.websocket == "wss://lab.example.edu/smtpsim/ws"
        assert page.scripts == ["https://lab.example.edu/smtpsim/static/js/textual.js"]
        status, script = _get(local + "/static/js/textual.js")
        assert status == 200 and b"WebSocket" in script


@pytest.mark.socket
@pytest.mark.timeout(60)
def test_port_0_listens_on_a_free_port_and_prints_it():
    with serving("--lesson", "user-unknown") as server:
        local = server.local
        assert local == server.public and local.startswith("http://127.0.0.1:")
        port = int(local.rsplit(":", 1)[1])
        assert 0 < port < 65536
        status, body = _get(local + "/")
        page = _Page()
        page.feed(body.decode("utf-8"))
        assert status == 200 and page.websocket == f"ws://127.0.0.1:{port}/ws"
    assert server.stop() == 0  # Ctrl+C is the ordinary way to stop it
