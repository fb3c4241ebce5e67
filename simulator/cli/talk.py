"""``smtpsim talk ROLE``: type commands at one simulated server, as with telnet.

The server is the very state machine a scenario's journey uses, built by
the same factory (`simulator.delivery.servers`), so what it answers here is
what it answers in the simulation and in live mode. Nothing goes over a network.

What the output looks like (stable, so a scripted session can be diffed):

- every line the server sends is printed exactly as sent, without its CRLF;
- when standard input is not a terminal (a script), each line read from it
  is echoed first as ``C: <line>``, so the transcript reads like an RFC
  example (a terminal echoes what you type by itself);
- smtpsim's own remarks (who you are talking to, the accounts, a TLS
  handshake, the end) are single lines in square brackets, dimmed on a
  terminal and plain otherwise: no ANSI codes when stdout is not a terminal.
"""

from __future__ import annotations

import argparse
import base64
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from simulator.scenario.library import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from simulator.protocols.common import ServerConnection, ShutdownReason
    from simulator.actors.world import World
    from simulator.scenario.model import Host, Scenario

__all__ = ["PORTS", "TalkError", "add_parser", "run", "talk"]

EXIT_USAGE = 2

# The ports each role listens on; the first is the default.
PORTS: dict[str, tuple[int, ...]] = {"msa": (587, 465), "mta": (25,), "imap": (143, 993), "pop3": (110, 995)}
IMPLICIT_TLS_PORTS = frozenset({465, 993, 995})
_PORT_NAMES = {
    587: "submission, STARTTLS", 465: "submission, implicit TLS", 25: "SMTP relay",
    143: "IMAP, STARTTLS", 993: "IMAP, implicit TLS", 110: "POP3, STLS", 995: "POP3, implicit TLS",
}
_ENDING = {"msa": "QUIT", "mta": "QUIT", "imap": "LOGOUT", "pop3": "QUIT"}


class TalkError(Exception):
    """A role, port or scenario that does not fit: one line, exit 2."""


def add_parser(sub: Any) -> None:
    """Register ``talk`` on the ``smtpsim`` subcommands."""
    t = sub.add_parser("talk", help="type commands at one simulated server, as with telnet")
    t.add_argument("role", choices=tuple(PORTS), help="which server: msa, mta, imap or pop3")
    t.add_argument("--scenario", default=DEFAULT_SCENARIO, help="a scenario name or a .toml path")
    t.add_argument("--port", type=_port, default=None,
                   help="587/465 (msa), 25 (mta), 143/993 (imap), 110/995 (pop3); the first is the default")


def _port(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, found {text!r}") from None


def run(args: argparse.Namespace) -> int:
    try:
        return talk(args.role, args.scenario, args.port)
    except TalkError as exc:
        print(f"smtpsim talk: {exc}", file=sys.stderr)
        return EXIT_USAGE


def talk(role: str, scenario_name: str = DEFAULT_SCENARIO, port: int | None = None) -> int:
    """Run one session between standard input and a server; 0 when it ends."""
    if role not in PORTS:
        raise TalkError(f"unknown role {role!r} (expected one of: {', '.join(PORTS)})")
    port = PORTS[role][0] if port is None else port
    if port not in PORTS[role]:
        allowed = " or ".join(f"{p} ({_PORT_NAMES[p]})" for p in PORTS[role])
        raise TalkError(f"port {port} does not fit role {role}: use {allowed}")
    from simulator.scenario.library import open_scenario

    scenario = open_scenario(scenario_name)  # ScenarioError: main() prints it, exit 2
    session = _Session(role, scenario, port)
    return session.run(_input_lines())


class _Session:
    def __init__(self, role: str, scenario: Scenario, port: int) -> None:
        from simulator.actors.world import World

        self.role, self.scenario, self.port = role, scenario, port
        self.screen = _Screen()
        world = World(scenario)
        world.populate()
        if role in ("imap", "pop3"):
            _deliver_messages(world)  # so the mailboxes hold what the journey delivered
        self.host, self.server, self.notes, self.refusal = _build(world, role, port)
        # As in the simulation: the host's TLS version, 1.3 where it offers none (implicit ports).
        self.tls_version = self.host.tls if self.host.tls != "none" else "1.3"

    def run(self, lines: Iterator[bytes]) -> int:
        from simulator.protocols.common import StartTLSRequested

        host, port = self.host, self.port
        self.screen.note(f"[{self.role} {host.hostname} port {port} ({_PORT_NAMES[port]}), scenario "
                         f"{self.scenario.name}; end with {_ENDING[self.role]} or end of input]")
        for note in self.notes:
            self.screen.note(note)
        if port in IMPLICIT_TLS_PORTS:
            self._handshake(implicit=True)
        self.server.start(self.refusal)
        self._flush()
        while not self.server.closed:  # a 421 greeting closes at once
            line = next(lines, None)
            if line is None:
                break
            self.screen.echo(line)
            events = self.server.receive_data(line + b"\r\n")
            self._flush()
            if any(isinstance(e, StartTLSRequested) for e in events):
                self._handshake(implicit=False)
                self.server.tls_established()
        if self.server.closed:
            self.screen.note("[the server closed the connection]")
            return 0
        self.server.connection_lost()  # an open transaction is dropped
        self._flush()
        self.screen.note(f"[end of input: connection closed without {_ENDING[self.role]}]")
        return 0

    def _flush(self) -> None:
        data = self.server.data_to_send()
        lines = data.split(b"\r\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for line in lines:
            self.screen.wire(line)

    def _handshake(self, implicit: bool) -> None:
        from simulator.protocols.tls import handshake

        shake = handshake(self.tls_version)
        trips = f"{shake.round_trips} round trip" + ("s" if shake.round_trips > 1 else "")
        if implicit:
            self.screen.note(f"[{shake.version} handshake done in {trips} before the greeting (implicit TLS, "
                             f"port {self.port}): {shake.cipher}; the whole session is encrypted]")
        else:
            self.screen.note(f"[{shake.version} handshake done in {trips}: {shake.cipher}; "
                             "the session continues encrypted]")


def _deliver_messages(world: World) -> None:
    """Run the scenario's journey, as `simulator.run.run_scenario` does."""
    for index, message in enumerate(world.scenario.messages):
        mua = next((m for m in world.muas.values() if m.account.address == message.sender), None)
        if mua is not None:
            world.env.process(mua.submit(message, index), delay=message.at)
    world.env.run()


def _build(world: World, role: str, port: int) -> tuple[Host, ServerConnection, list[str], ShutdownReason | None]:
    """The server for ``role`` on ``port``, built as the simulation builds it."""
    from simulator.scenario.model import Role

    scenario = world.scenario
    wanted = {"msa": Role.MSA, "mta": Role.MTA, "imap": Role.STORE, "pop3": Role.STORE}[role]
    hosts = scenario.hosts_with_role(wanted)
    if not hosts:
        raise TalkError(f"scenario {scenario.name} has no {wanted.value} host")
    host = _pick_store(world, hosts) if wanted is Role.STORE else hosts[0]
    if port not in host.ports:
        listens = ", ".join(map(str, host.ports)) or "no port"
        raise TalkError(f"{host.hostname} does not listen on port {port} in scenario {scenario.name} "
                        f"(it listens on {listens})")
    from simulator.delivery.servers import server_for

    # The very factory the simulation and live mode build their servers with.
    side = server_for(world, host, port, _student())
    if role in ("msa", "mta"):
        checks = _client_checks(world, side.check) if side.check is not None else []
        return host, side.machine, _smtp_notes(scenario, host, role) + checks, side.refusal
    accounts = [a for a in scenario.accounts if a.address.split("@", 1)[1] in host.domains]
    return host, side.machine, [_accounts_note(accounts)], side.refusal


def _client_checks(world: World, check: Any) -> list[str]:
    """An MX that checks its clients asks DNS about the student's address first: one note per step."""
    from simulator.delivery.connectcheck import Ask, Say, drive
    from simulator.delivery.dns import DNSExchange
    from simulator.dns import DNSAnswer

    notes: list[str] = []

    def ask(step: Ask) -> DNSAnswer | None:
        exchange = DNSExchange(world.resolvers, world.faults, step.name, step.rdtype, world.dns_id)
        answer, _lines = exchange.answer()
        got = ", ".join(data for _o, _t, rdtype, data in answer.records if rdtype == step.rdtype) or answer.rcode
        notes.append(f"[the MX asks DNS: {step.name} {step.rdtype} -> {got}]")
        return answer

    def say(step: Say) -> None:
        notes.append(f"[{step.text}]")

    drive(check, ask, say)
    return notes


def _pick_store(world: World, hosts: tuple[Host, ...]) -> Host:
    """The first store that holds mail after the journey, else the first store."""
    for host in hosts:
        store = world.store_of(host)
        for account in world.scenario.accounts:
            box = store.mail.mailbox(account.username)
            if box is not None and box.messages:
                return host
    return hosts[0]


def _student() -> Host:
    """The student's terminal, as a client host of the scenario."""
    from simulator.scenario.model import Host, Role

    return Host(id="you", role=Role.MUA, hostname="student.example", ip="192.0.2.99", ports=())


def _smtp_notes(scenario: Scenario, host: Host, role: str) -> list[str]:
    if role == "mta":
        domains = ", ".join(host.domains) or "none"
        local = [a.address for a in scenario.accounts if a.address.split("@", 1)[1] in host.domains]
        return [f"[accepts mail for: {domains}; mailboxes: {', '.join(local) or 'none'}]"]
    notes = [_accounts_note(scenario.accounts)]
    if scenario.accounts:
        first = scenario.accounts[0]
        token = base64.b64encode(f"\0{first.username}\0{first.password}".encode()).decode("ascii")
        notes.append(f"[AUTH PLAIN {token} logs in as {first.username}]")
    return notes


def _accounts_note(accounts: Any) -> str:
    listed = ", ".join(f"{a.username} / {a.password}" for a in accounts)
    return f"[accounts: {listed or 'none'}]"


# --- the terminal ---------------------------------------------------------------------------------


def _input_lines() -> Iterator[bytes]:
    """Lines from standard input, without their line ending; stops at end of input."""
    stdin = sys.stdin
    interactive = stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass
    binary = None if interactive else getattr(stdin, "buffer", None)
    while True:
        try:
            if interactive:
                raw = (input() + "\n").encode("utf-8", "surrogateescape")
            elif binary is not None:
                raw = binary.readline()
            else:
                raw = stdin.readline().encode("utf-8", "surrogateescape")
        except (EOFError, KeyboardInterrupt):
            if interactive:
                print()
            return
        if not raw:
            return
        if raw.endswith(b"\r\n"):
            raw = raw[:-2]
        elif raw.endswith(b"\n"):
            raw = raw[:-1]
        yield raw


class _Screen:
    """Wire lines byte-exact through plain stdout; remarks dimmed through Rich."""

    def __init__(self) -> None:
        from rich.console import Console

        terminal = sys.stdout.isatty()
        self.echoing = not sys.stdin.isatty()
        # No colour system off a terminal: no ANSI codes, whatever the environment says.
        self.console = Console(highlight=False, soft_wrap=True, emoji=False, markup=False,
                               color_system="auto" if terminal else None)

    def wire(self, line: bytes) -> None:
        out = sys.stdout
        buffer = getattr(out, "buffer", None)
        if buffer is None:
            out.write(line.decode("utf-8", "replace") + "\n")
            out.flush()
            return
        out.flush()  # keep the order with what went through the text layer
        buffer.write(line + b"\n")
        buffer.flush()

    def note(self, text: str) -> None:
        from rich.text import Text

        self.console.print(Text(text, style="dim"))

    def echo(self, line: bytes) -> None:
        if self.echoing:
            from rich.text import Text

            self.console.print(Text("C: " + line.decode("utf-8", "replace"), style="dim"))

