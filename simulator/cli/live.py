"""``smtpsim live [SCENARIO]``: the scenario's servers on real sockets, for real mail clients.

At start it prints the ports, the accounts and the CA certificate to trust;
with ``--json`` the first line of standard output is one JSON object
(``ports``, ``accounts``, ``ca`` ...) and nothing else is printed there. On a
terminal, each line of every session is printed as it happens. Ctrl-C (or
SIGTERM) stops cleanly: exit 0. Bad options or scenario: one line, exit 2.
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
from pathlib import Path
from typing import Any

from simulator.cli.argtypes import whole_number
from simulator.scenario.errors import ScenarioError
from simulator.scenario.library import DEFAULT_SCENARIO

__all__ = ["add_parser", "run"]

EXIT_USAGE = 2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``live`` on the ``smtpsim`` subcommands."""
    p = subparsers.add_parser("live", help="run the scenario's servers on real sockets for real mail clients",
                              description="Run the scenario's servers on this computer: point smtplib, swaks, "
                              "openssl s_client or Thunderbird at them and watch the session.")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="a scenario name or a .toml path")
    p.add_argument("--listen", default="127.0.0.1", metavar="ADDR",
                   help="the address to listen on (default 127.0.0.1: this computer only; any other address gives "
                   "the accounts random passwords, printed at start)")
    p.add_argument("--base-port", type=whole_number("--base-port"), default=10000, metavar="N",
                   help="added to 587, 465, 25, 143, 993, 110, 995 and 53 (default 10000: 10587 ...)")
    p.add_argument("--ephemeral", action="store_true", help="let the system pick free ports (see the printout)")
    p.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                   help="where mailboxes, queue and certificates live (default: $XDG_DATA_HOME/smtpsim)")
    p.add_argument("--time-scale", type=_positive, default=1.0, metavar="X",
                   help="scenario seconds per real second for retries and greylisting (default 1)")
    p.add_argument("--idle-timeout", type=_positive, default=300.0, metavar="SECONDS",
                   help="close a connection that completes no command for this long (default 300)")
    p.add_argument("--max-connections", type=whole_number("--max-connections"), default=100, metavar="N",
                   help="concurrent connections per server group; more get 421 (default 100)")
    p.add_argument("--max-per-address", type=whole_number("--max-per-address"), default=None, metavar="N",
                   help="concurrent connections per group from one client address; more get 421 "
                        "(default: half of --max-connections, 50)")
    p.add_argument("--handshake-timeout", type=_positive, default=30.0, metavar="SECONDS",
                   help="close a connection whose TLS handshake has not ended in this time (default 30)")
    p.add_argument("--greeting-timeout", type=_positive, default=None, metavar="SECONDS",
                   help="close a connection that sends no complete command this long after the greeting, with "
                        "the idle timeout's goodbye; at most --idle-timeout (default 60, or --idle-timeout if "
                        "shorter)")
    p.add_argument("--hold-queue", action="store_true", help="accept mail but keep it queued, deliver nothing")
    p.add_argument("--keylog", type=Path, default=None, metavar="FILE",
                   help="append the TLS secrets of every session to FILE (SSLKEYLOGFILE format) for Wireshark")
    p.add_argument("--json", action="store_true", help="first line: one JSON object with ports, accounts, ca")
    p.add_argument("--ui", action="store_true", help="show the sessions in the player as they happen")
    p.add_argument("--replay", action="store_true",
                   help="send the scenario's own messages through the real servers, wait until every recipient "
                        "is settled, print one JSON line per recipient (as 'smtpsim run SCENARIO --outcomes') "
                        "and exit; ports are picked by the system and, without --data-dir, the mailboxes and "
                        "queue live in a temporary directory")
    return p


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0, found {text}")
    return value


def run(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: `smtpsim --help` needs no event loop

    from simulator.live.crashpoints import problem
    from simulator.live.runtime import LiveMode, LiveOptions
    from simulator.scenario.library import open_scenario

    if getattr(args, "replay", False):
        return _replay(args)
    if (bad_crash_point := problem()) is not None:
        return _fail(bad_crash_point)
    try:
        scenario = open_scenario(args.scenario)
        options = LiveOptions(listen=args.listen, base_port=args.base_port, ephemeral=args.ephemeral,
                              data_dir=args.data_dir, time_scale=args.time_scale, idle_timeout=args.idle_timeout,
                              max_connections=args.max_connections, max_per_address=args.max_per_address,
                              handshake_timeout=args.handshake_timeout,
                              greeting_timeout=args.greeting_timeout, hold_queue=args.hold_queue,
                              keylog=_keylog(args.keylog))
        mode = LiveMode(scenario, options)
    except (ScenarioError, ValueError) as exc:
        return _fail(str(exc))
    if args.ui:
        return _run_with_ui(mode, _ui_hook(), args)
    try:
        return asyncio.run(_serve(mode, args))
    except _StartError as exc:
        return _fail(str(exc))


def _keylog(path: Path | None) -> Path | None:
    """The key log file, checked now: a path that cannot be written is one clear message, not a traceback."""
    if path is None:
        return None
    try:
        with open(path, "a"):
            pass
    except OSError as exc:
        raise ValueError(f"--keylog: cannot write {path}: {exc.strerror or exc}") from None
    return path.resolve()


def _replay(args: argparse.Namespace) -> int:
    """``--replay``: the scenario's messages through the real servers; outcome lines; exit."""
    import asyncio
    import tempfile

    from simulator.live.replay import cannot_replay
    from simulator.live.runtime import LiveMode, LiveOptions
    from simulator.scenario.library import open_scenario

    if args.ui or args.hold_queue:
        return _fail("--replay cannot be combined with --ui or --hold-queue")
    try:
        scenario = open_scenario(args.scenario)
    except ScenarioError as exc:
        return _fail(str(exc))
    why = cannot_replay(scenario)
    if why is not None:
        return _fail(f"{scenario.name} cannot be replayed on real servers: {why} (see docs/live.md)")
    with tempfile.TemporaryDirectory(prefix="smtpsim-replay-") as scratch:
        try:
            options = LiveOptions(listen=args.listen, ephemeral=True, data_dir=args.data_dir or Path(scratch),
                                  time_scale=args.time_scale, idle_timeout=args.idle_timeout,
                                  max_connections=args.max_connections, max_per_address=args.max_per_address,
                                  handshake_timeout=args.handshake_timeout,
                                  greeting_timeout=args.greeting_timeout)
            mode = LiveMode(scenario, options)
        except ValueError as exc:
            return _fail(str(exc))
        try:
            lines = asyncio.run(_replay_in(mode))
        except _StartError as exc:
            return _fail(str(exc))
    out = sys.stdout
    for line in lines:
        out.write(json.dumps(line) + "\n")
    out.flush()
    return 0


async def _replay_in(mode: Any) -> list[dict[str, Any]]:
    from simulator.live.replay import replay

    await _start(mode)
    try:
        return await replay(mode)
    finally:
        await mode.stop()


def _fail(message: str) -> int:
    print(f"smtpsim live: {message}", file=sys.stderr)
    return EXIT_USAGE


class _StartError(Exception):
    pass


async def _start(mode: Any) -> None:
    try:
        await mode.start()
    except OSError as exc:
        raise _StartError(start_problem(mode, exc)) from None


def start_problem(mode: Any, exc: OSError) -> str:
    """Why the servers could not start, and what to try: the same words with and without --ui."""
    if exc.errno == errno.EADDRINUSE:
        return (f"a port is already in use on {mode.options.listen} ({exc.strerror}); is another "
                "smtpsim live running? Try --base-port N or --ephemeral")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"not allowed to listen on {mode.options.listen} ports from {mode.options.base_port + 25}: "
                "ports below 1024 need privileges; use --base-port 10000")
    return f"cannot start: {exc}"


async def _serve(mode: Any, args: argparse.Namespace) -> int:
    import asyncio

    await _start(mode)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.json:
        print(json.dumps(mode.info()), flush=True)
    else:
        print(banner(mode), flush=True)
        if sys.stdout.isatty():
            mode.trace.subscribe(_print_event)
    for warning in mode.warnings:
        print(f"smtpsim live: warning: {warning}", file=sys.stderr)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await mode.stop()
    left = len(mode.queue.entries) if mode.queue else 0
    print(f"smtpsim live: stopped{f'; {left} message(s) stay queued for the next start' if left else ''}",
          file=sys.stderr)
    return 0


def _run_with_ui(mode: Any, ui: Any, args: argparse.Namespace) -> int:
    """The player on the main thread, the servers on a background thread."""
    from simulator.live.runtime import LiveThread

    thread = LiveThread(mode)
    try:
        thread.start()
    except OSError as exc:
        return _fail(start_problem(mode, exc))
    try:
        # What plain `live` prints (ports, accounts, passwords, the CA) is the player's first card.
        return int(ui(mode.trace, ui_info(mode)) or 0)
    finally:
        thread.stop()


def _ui_hook() -> Any:
    """``simulator.ui.app.run_live_app(trace, info) -> int``, imported only when --ui asks for it."""
    from simulator.ui.app import run_live_app

    return run_live_app


def banner(mode: Any) -> str:
    """What plain ``smtpsim live`` prints at start: where each server listens, then how to log in."""
    s = mode.scenario
    lines = [f"smtpsim live: {s.name} ({s.title}), listening on {mode.options.listen}", "", *_port_lines(mode), ""]
    lines += [*connect_details(mode), _try_line(mode), "Ctrl-C stops."]
    return "\n".join(lines)


def ui_info(mode: Any) -> str:
    """The same for the player's first card (``--ui``): how to log in first, since the card is short."""
    s = mode.scenario
    lines = [f"{s.name} ({s.title}), listening on {mode.options.listen}", "", *connect_details(mode), ""]
    lines += [*_port_lines(mode), "", _try_line(mode), "q in the player stops the servers too."]
    lines += [f"warning: {warning}" for warning in mode.warnings]
    return "\n".join(lines)


def connect_details(mode: Any) -> list[str]:
    """The accounts with their passwords, the CA certificate to trust, and where the mail is kept."""
    if getattr(mode, "passwords_file", None) is None:
        lines = ["accounts:"]
    else:
        lines = ["accounts (random passwords: other computers can reach these servers, so the scenario's "
                 f"published ones are not used; kept in {mode.passwords_file}):"]
    for account in mode.accounts():
        # The user name is the address unless the scenario says otherwise: say it only then.
        user = f"  (user {account['username']})" if account["username"] != account["address"] else ""
        lines.append(f"  {account['address']:<22} password {account['password']}{user}")
    return lines + [
        "",
        f"CA certificate (tell your client to trust it): {mode.certs.ca}",
        *([f"DKIM: the MSA signs as d={mode.dkim.domain}, s={mode.dkim.selector}; the DNS server publishes the "
           f"key at {mode.dkim.record_name}"] if getattr(mode, "dkim", None) else []),
        f"mailboxes and queue: {mode.root}",
    ]


def _connect_host(mode: Any) -> str:
    return f"[{mode.connect_host}]" if ":" in mode.connect_host else mode.connect_host


def _port_lines(mode: Any) -> list[str]:
    host = _connect_host(mode)
    ports = mode.ports
    rows = [
        ("submission, STARTTLS", mode.world.msa.hostname, "msa-starttls", 587),
        ("submission, implicit TLS", mode.world.msa.hostname, "msa-implicit", 465),
        ("MX (SMTP relay)", ", ".join(h.hostname for h in mode.world.mtas), "mta", 25),
        ("IMAP, STARTTLS", _stores(mode), "imap", 143),
        ("IMAP, implicit TLS", _stores(mode), "imaps", 993),
        ("POP3, STLS", _stores(mode), "pop3", 110),
        ("POP3, implicit TLS", _stores(mode), "pop3s", 995),
        ("DNS (UDP and TCP)", "the scenario's zones", "dns", 53),
    ]
    return [f"  {what:<26} {host}:{ports[key]:<6} (port {port} of {name})"
            for what, name, key, port in rows if ports.get(key)]


def _try_line(mode: Any) -> str:
    return (f"try: openssl s_client -starttls smtp -crlf -quiet -connect {_connect_host(mode)}:"
            f"{mode.ports['msa-starttls']} -CAfile {mode.certs.ca}")


def _stores(mode: Any) -> str:
    return ", ".join(h.hostname for h in mode.world.stores)


def _print_event(event: Any) -> None:
    text = event.text
    if event.content:
        first = text.split("\r\n", 1)[0].split("\n", 1)[0]
        text = f"{first} ... ({len(text.splitlines())} lines)"
    arrow = f"{event.src} → {event.dst}"
    conn = f"#{event.conn}" if event.conn else "  "
    print(f"{event.t:9.3f} {conn:>4} {arrow:<22} {text.replace(chr(9), ' ')}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m simulator.cli.live``: the same command without the rest of smtpsim."""
    parser = argparse.ArgumentParser(prog="smtpsim")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    args = parser.parse_args(["live", *(sys.argv[1:] if argv is None else argv)])
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
