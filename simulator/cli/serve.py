"""``smtpsim serve``: the player in web browsers, one player process per browser tab.

textual-serve (the Textual project's own server) does the web part: a page
with a terminal (xterm.js), and a WebSocket that runs a command for each tab
and carries its screen and keys. The command here is this installation's own
``python -m simulator play ...``, so a tab is the same player as in a
terminal, in a process of its own that ends when the tab closes.

The page names the server by its public URL (the WebSocket and static files
are absolute URLs built from it), so behind a reverse proxy ``--public-url``
must be the address browsers use; docs/serve.md shows an nginx example.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from simulator.cli.argtypes import seed, whole_number
from simulator.cli.progress import add_profile_argument

if TYPE_CHECKING:
    import socket

# socket, ipaddress, shlex and errno are imported where they are used: `smtpsim --help` builds
# this command's parser and needs none of them (bench/cli.py, tests/cli/test_startup.py).

EXIT_USAGE = 2
WILDCARDS = ("0.0.0.0", "::", "")  # every address of the machine: no one URL browsers could use


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="the player in web browsers: each tab gets its own (textual-serve)")
    s.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default 127.0.0.1: browsers on this machine only)")
    s.add_argument("--port", type=whole_number("--port", 0, 65535), default=8000,
                   help="the port (default 8000; 0: any free one, and the URL printed says which)")
    s.add_argument("--public-url", metavar="URL", default=None,
                   help="the address browsers use, when a reverse proxy is in front "
                        "(e.g. https://lab.example.edu/smtpsim); default http://HOST:PORT")
    s.add_argument("--lesson", dest="scenario", metavar="S", default=None,
                   help="every tab opens this lesson (a name or a .toml path); default: the lesson picker")
    s.add_argument("--fault", action="append", default=[], metavar="NAME",
                   help="the lesson starts with this fault on (repeatable; needs --lesson)")
    s.add_argument("--seed", type=seed, default=None)
    s.add_argument("--presenter", action="store_true", help="every tab in the presenter layout (for a projector)")
    add_profile_argument(s)


def run(args: argparse.Namespace) -> int:
    problem = _check(args)
    if problem is not None:
        print(f"smtpsim serve: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        listener = listen(args.host, args.port)
    except OSError as exc:
        print(f"smtpsim serve: {listen_problem(args.host, args.port, exc)}", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(args.host):
        print(f"smtpsim serve: warning: listening on {args.host}, which other machines can reach: anyone who can "
              "connect opens a player (a process each), with no login; see docs/serve.md", file=sys.stderr)
    local = local_url(args.host, int(listener.getsockname()[1]))
    public = (args.public_url or local).rstrip("/")
    from simulator.ui.webserver import serve  # the web server is the UI's: only simulator.ui imports Textual's

    with listener:
        serve(tab_command(args), listener, public, local)
    return 0


def _check(args: argparse.Namespace) -> str | None:
    """What is wrong with the options (None: nothing); a bad lesson or fault raises ScenarioError."""
    if args.scenario is None:
        if args.fault:
            return "--fault needs --lesson (the picker's lessons start without faults)"
    else:
        # Loaded now, so a bad lesson or fault is one message here, not a broken page in every tab.
        from simulator.scenario.library import open_scenario
        from simulator.scenario.toggles import with_toggles

        with_toggles(open_scenario(args.scenario), list(args.fault))
    if args.public_url is not None and not args.public_url.startswith(("http://", "https://")):
        return f"--public-url expects an http:// or https:// URL, found {args.public_url!r}"
    if args.public_url is None and args.host in WILDCARDS:
        return (f"--host {args.host or repr('')} listens on every address, so the page cannot name one for "
                "browsers: add --public-url http://THIS-MACHINE:PORT (the address students type)")
    return None


def tab_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser tab: this interpreter's ``smtpsim play``."""
    from pathlib import Path

    argv = [sys.executable, "-m", "simulator", "play"]
    if args.scenario is None:
        argv.append("--pick")
    else:
        lesson = Path(args.scenario)
        # A file is named absolutely: the tabs need not share the instructor's working directory.
        argv.append(str(lesson.resolve()) if lesson.is_file() else args.scenario)
        for name in args.fault:
            argv += ["--fault", name]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.presenter:
        argv.append("--presenter")
    if args.profile is not None:
        argv += ["--profile", args.profile]
    import shlex

    # exec: the player is the tab's process itself (no shell in between to outlive it or eat signals).
    return "exec " + shlex.join(argv)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may well resolve to an address others reach


def local_url(host: str, port: int) -> str:
    """``http://HOST:PORT``, an IPv6 address in the brackets that URLs put it in."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``, ``port`` (0: a free one), for the server to accept on.

    Bound here, not by aiohttp: a port in use is a message, not a traceback, and with port 0 the
    port is known before the line that names it is printed.
    """
    import socket

    family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait for TIME_WAIT
        listener.bind(address)
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def listen_problem(host: str, port: int, exc: OSError) -> str:
    import errno
    import socket

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is already in use on {host}; try another --port (0: any free one)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"not allowed to listen on {host} port {port}: ports below 1024 need privileges; try --port 8000"
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host!r}: {exc.strerror or exc}"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"
