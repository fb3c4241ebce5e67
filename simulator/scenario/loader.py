"""Load and validate scenario TOML files.

Every error names the file, the key, what was expected and what was found,
e.g. ``lab.toml: hosts.msa.ports[1]: expected a port number (1-65535), found "x"``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator.paths import assets_dir
from simulator.scenario.topics import Topic, parse_topic
from simulator.scenario.errors import ScenarioError
from simulator.scenario.faults import KINDS, Fault, FaultKind, QueuePolicy, Target, fault_param_keys, parse_param
from simulator.scenario.model import (DEFAULT_PORTS, DKIM_SELECTOR, Account, AuthoredQuestion, Host, Message, Moment,
                                      Role, Scenario)
from simulator.scenario.zonetext import _with_defaults, parse_zones  # noqa: F401 (tests import _with_defaults here)

_TOP_KEYS = {"scenario", "network", "hosts", "accounts", "dns", "messages", "faults", "queue", "quiz", "moments"}
_SCENARIO_KEYS = {"title", "summary", "seed", "goals", "debrief", "level", "order", "topics", "glossary"}
_HOST_KEYS = {
    "role", "hostname", "ip", "ports", "label", "tls", "domains", "store", "account",
    "submit_port", "msa", "read_protocol", "read_port", "read_delay", "relay_tls", "idle", "after_reading",
    "reverse_dns", "dnsbl", "dkim_selector", "footer", "mail_auth", "forward",
}
_MESSAGE_KEYS = {"from", "to", "subject", "body", "at", "headers"}
_READ_PORTS = {"imap": (993, 143), "pop3": (995, 110)}


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class _Reader:
    """Typed access to the parsed TOML with errors that name the key (``text``: the TOML as written)."""

    def __init__(self, source: str, text: str = "") -> None:
        self.source = source
        self.text = text

    def fail(self, key: str, expected: str, found: Any, *, missing: bool = False) -> ScenarioError:
        what = "nothing" if missing else _describe(found)
        return ScenarioError(self.source, key, f"expected {expected}, found {what}")

    def dangling(self, key: str, expected: str, found: str, why: str) -> ScenarioError:
        """A reference to something the scenario does not have."""
        return ScenarioError(self.source, key, f'expected {expected}, found "{found}" ({why})')

    def table(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> dict[str, Any]:
        if key not in data:
            if required:
                raise self.fail(path, "a table", None, missing=True)
            return {}
        value = data[key]
        if not isinstance(value, dict):
            raise self.fail(path, "a table", value)
        return value

    def string(self, data: Mapping[str, Any], key: str, path: str, default: str | None = None) -> str:
        if key not in data:
            if default is None:
                raise self.fail(path, "a string", None, missing=True)
            return default
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "a non-empty string", value)
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str, default: float, *, minimum: float = 0.0) -> float:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            raise self.fail(path, f"a number >= {minimum:g}", value)
        return float(value)

    def integer(self, data: Mapping[str, Any], key: str, path: str, default: int) -> int:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "a whole number", value)
        return value

    def strings(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> tuple[str, ...]:
        if key not in data:
            if required:
                raise self.fail(path, "a list of strings", None, missing=True)
            return ()
        value = data[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(path, "a list of strings", value)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{path}[{i}]", "a non-empty string", item)
        return tuple(value)

    def port(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            raise self.fail(path, "a port number (1-65535)", value)
        return value

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise ScenarioError(
                    self.source, where, f"expected one of {', '.join(sorted(allowed))}, found unknown key \"{key}\""
                )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    source = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(str(path), "", "expected a scenario file, found a directory") from None
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, "", f"expected UTF-8 text, found an undecodable byte at offset {exc.start}") from None
    return parse_scenario(text, source=source, name=path.stem, base_dir=path.parent)


def parse_scenario(text: str, *, source: str = "<scenario>", name: str = "scenario", base_dir: Path | None = None) -> Scenario:
    """Validate scenario TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"expected valid TOML, found a syntax error: {exc}") from None
    r = _Reader(source, text)
    r.unknown_keys(data, _TOP_KEYS, "")

    meta = r.table(data, "scenario", "scenario")
    r.unknown_keys(meta, _SCENARIO_KEYS, "scenario")
    title = r.string(meta, "title", "scenario.title")
    summary = r.string(meta, "summary", "scenario.summary")
    seed = r.integer(meta, "seed", "scenario.seed", 1)
    goals = r.strings(meta, "goals", "scenario.goals")
    debrief = r.string(meta, "debrief", "scenario.debrief", default="") if "debrief" in meta else ""
    level = r.string(meta, "level", "scenario.level", default="basics") if "level" in meta else "basics"
    order = r.integer(meta, "order", "scenario.order", 100)
    glossary = _parse_glossary(r, r.table(meta, "glossary", "scenario.glossary", required=False))
    topics = _parse_topics(r, meta, "scenario.topics")

    network = r.table(data, "network", "network", required=False)
    latency = r.number(network, "latency", "network.latency", 0.010)
    links_table = r.table(network, "links", "network.links", required=False)

    hosts = _parse_hosts(r, r.table(data, "hosts", "hosts"))
    host_ids = {h.id for h in hosts}
    links: list[tuple[str, str, float]] = []
    for key, value in links_table.items():
        path = f"network.links.{key}"
        ends = key.split("-", 1) if "-" in key else []
        # Host ids may contain "-": find the split that names two hosts.
        pair = next(
            ((key[:i], key[i + 1 :]) for i, ch in enumerate(key) if ch == "-" and key[:i] in host_ids and key[i + 1 :] in host_ids),
            None,
        )
        if pair is None:
            raise r.fail(path, "a key \"HOST-HOST\" naming two hosts", key if ends else key)
        links.append((pair[0], pair[1], r.number(links_table, key, path, latency)))

    accounts = _parse_accounts(r, r.table(data, "accounts", "accounts", required=False))
    zones = parse_zones(r, r.table(data, "dns", "dns", required=False), base_dir)
    messages = _parse_messages(r, data.get("messages", []))

    scenario = Scenario(
        name=name, source=source, title=title, summary=summary, seed=seed, hosts=hosts,
        accounts=accounts, zones=zones, messages=messages, latency=latency, links=tuple(links),
        goals=goals, debrief=debrief, level=level, order=order, glossary=glossary, topics=topics,
        quiz=_parse_quiz(r, data.get("quiz", [])),
        queue=_parse_queue(r, r.table(data, "queue", "queue", required=False)),
    )
    _cross_check(r, scenario)
    faults = parse_faults(r.source, data.get("faults", []), scenario)
    return replace(scenario, faults=faults, moments=_parse_moments(r, data.get("moments", []), host_ids))


_MOMENT_KEYS = {"title", "line", "host", "nth", "notes"}


def _parse_moments(r: _Reader, items: Any, host_ids: set[str]) -> tuple[Moment, ...]:
    """``[[moments]]``: the lesson's key moments, each a line of the trace, with instructor notes."""
    if not isinstance(items, list):
        raise r.fail("moments", "a list of [[moments]] tables", items)
    out = []
    for i, spec in enumerate(items):
        path = f"moments[{i}]"
        if not isinstance(spec, dict):
            raise r.fail(path, "a table", spec)
        r.unknown_keys(spec, _MOMENT_KEYS, path)
        host = None
        if "host" in spec:
            host = r.string(spec, "host", f"{path}.host")
            if host not in host_ids:
                raise r.dangling(f"{path}.host", "the id of a host in [hosts]", host, "no such host")
        nth = r.integer(spec, "nth", f"{path}.nth", 1)
        if nth < 1:
            raise r.fail(f"{path}.nth", "a whole number >= 1", nth)
        out.append(Moment(title=r.string(spec, "title", f"{path}.title"), line=r.string(spec, "line", f"{path}.line"),
                          host=host, nth=nth, notes=r.strings(spec, "notes", f"{path}.notes")))
    return tuple(out)


def _parse_quiz(r: _Reader, items: Any) -> tuple[AuthoredQuestion, ...]:
    if not isinstance(items, list):
        raise r.fail("quiz", "a list of [[quiz]] tables", items)
    out = []
    for i, spec in enumerate(items):
        path = f"quiz[{i}]"
        if not isinstance(spec, dict):
            raise r.fail(path, "a table", spec)
        r.unknown_keys(spec, {"question", "choices", "answer", "explanation", "rfc", "difficulty", "topics"}, path)
        choices = r.strings(spec, "choices", f"{path}.choices", required=True)
        if len(choices) < 3 or len(set(choices)) != len(choices):
            raise r.fail(f"{path}.choices", "at least 3 distinct choices", list(choices))
        answer = r.string(spec, "answer", f"{path}.answer")
        if answer not in choices:
            raise r.fail(f"{path}.answer", "one of the choices, word for word", answer)
        difficulty = _choice(r, spec, "difficulty", f"{path}.difficulty", ("easy", "medium", "hard"), "medium")
        out.append(AuthoredQuestion(
            question=r.string(spec, "question", f"{path}.question"), choices=choices, answer=answer,
            explanation=r.string(spec, "explanation", f"{path}.explanation"),
            rfc=r.string(spec, "rfc", f"{path}.rfc", default="") if "rfc" in spec else "", difficulty=difficulty,
            topics=_parse_topics(r, spec, f"{path}.topics"),
        ))
    return tuple(out)


def _parse_topics(r: _Reader, data: Mapping[str, Any], path: str) -> tuple[Topic, ...]:
    """A ``topics`` list: each one of the names in simulator/scenario/topics.py, none twice."""
    names = r.strings(data, "topics", path)
    expected = "one of " + ", ".join(t.value for t in Topic)
    out: list[Topic] = []
    for i, name in enumerate(names):
        topic = parse_topic(name)
        if topic is None:
            raise r.fail(f"{path}[{i}]", expected, name)
        if topic in out:
            raise r.fail(f"{path}[{i}]", "each topic once", name)
        out.append(topic)
    return tuple(out)


def _parse_queue(r: _Reader, table: dict[str, Any]) -> QueuePolicy:
    r.unknown_keys(table, {"retry", "warn_after", "give_up_after", "connect_timeout"}, "queue")
    default = QueuePolicy()
    return QueuePolicy(
        retry=r.number(table, "retry", "queue.retry", default.retry, minimum=1),
        warn_after=r.number(table, "warn_after", "queue.warn_after", default.warn_after),
        give_up_after=r.number(table, "give_up_after", "queue.give_up_after", default.give_up_after, minimum=1),
        connect_timeout=r.number(table, "connect_timeout", "queue.connect_timeout", default.connect_timeout, minimum=1),
    )


def parse_faults(source: str, items: Any, scenario: Scenario) -> tuple[Fault, ...]:
    """Validate ``[[faults]]``: each must name a target that exists in the scenario."""
    r = _Reader(source)
    if not isinstance(items, list):
        raise r.fail("faults", "a list of [[faults]] tables", items)
    faults = []
    for i, spec in enumerate(items):
        if not isinstance(spec, dict):
            raise r.fail(f"faults[{i}]", "a table", spec)
        name = spec.get("kind")
        if not isinstance(name, str) or name not in set(FaultKind):
            raise r.fail(f"faults[{i}].kind", "one of " + ", ".join(sorted(KINDS)), name if name is not None else None,
                         missing=name is None)
        kind = FaultKind(name)
        path = f"faults[{i}] ({kind})"
        r.unknown_keys(spec, fault_param_keys(kind), path)
        faults.append(_fault(r, path, kind, spec, scenario))
    return tuple(faults)


def _fault(r: _Reader, path: str, kind: FaultKind, spec: dict[str, Any], s: Scenario) -> Fault:
    fk = KINDS[kind]
    key = fk.target.value
    if key not in spec:
        raise r.fail(f"{path}.{key}", f"the {key} this fault attaches to", None, missing=True)
    subject = spec[key]
    if not isinstance(subject, str):
        raise r.fail(f"{path}.{key}", "a string", subject)
    link = None
    if fk.target is Target.HOST:
        ids = {h.id for h in s.hosts}
        if subject not in ids:
            raise r.dangling(f"{path}.host", "the id of a host in [hosts]", subject, "no such host")
        role = s.host(subject).role.value
        if fk.roles and role not in fk.roles:
            raise r.dangling(f"{path}.host", "a host with role " + " or ".join(fk.roles), subject, f"its role is {role}")
    elif fk.target is Target.DOMAIN:
        subject = subject.lower().rstrip(".")
        if subject not in {origin for origin, _ in s.zones}:
            raise r.dangling(f"{path}.domain", "a domain with a zone under [dns.zones]", subject, "no such zone")
    elif fk.target is Target.MAILBOX:
        subject = subject.lower()
        if s.account(subject) is None:
            raise r.dangling(f"{path}.mailbox", "an address listed under [accounts]", subject, "no such mailbox")
    else:
        ids = {h.id for h in s.hosts}
        pair = next(((subject[:i], subject[i + 1:]) for i, ch in enumerate(subject)
                     if ch == "-" and subject[:i] in ids and subject[i + 1:] in ids), None)
        if pair is None:
            raise r.dangling(f"{path}.link", "\"HOST-HOST\" naming two hosts in [hosts]", subject, "no such link")
        link = pair
    values: dict[str, Any] = {}
    for param in fk.params:
        if param in spec:
            ok, expected = parse_param(param, spec[param])
            if not ok:
                raise r.fail(f"{path}.{param}", expected, spec[param])
            values[param] = spec[param]
    attempts = spec.get("attempts")
    if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1):
        raise r.fail(f"{path}.attempts", "a whole number >= 1", attempts)
    until = r.number(spec, "until", f"{path}.until", -1.0) if "until" in spec else None
    params: dict[str, Any] = {k: (float(v) if k in ("delay", "seconds", "rate") else v) for k, v in values.items()}
    return Fault(
        kind=kind, target=fk.target, subject=subject, start=r.number(spec, "from", f"{path}.from", 0.0),
        until=until, attempts=attempts, link=link, **params,
    )


def _parse_hosts(r: _Reader, table: dict[str, Any]) -> tuple[Host, ...]:
    hosts = []
    for host_id, spec in table.items():
        path = f"hosts.{host_id}"
        if not isinstance(spec, dict):
            raise r.fail(path, "a table", spec)
        r.unknown_keys(spec, _HOST_KEYS, path)
        role_text = r.string(spec, "role", f"{path}.role")
        try:
            role = Role(role_text)
        except ValueError:
            raise r.fail(f"{path}.role", "one of " + ", ".join(x.value for x in Role), role_text) from None
        ports_raw = spec.get("ports", list(DEFAULT_PORTS[role]))
        if not isinstance(ports_raw, list):
            raise r.fail(f"{path}.ports", "a list of port numbers", ports_raw)
        ports = tuple(r.port(p, f"{path}.ports[{i}]") for i, p in enumerate(ports_raw))
        tls = r.string(spec, "tls", f"{path}.tls", default="1.3")
        if tls not in ("1.3", "1.2", "none"):
            raise r.fail(f"{path}.tls", '"1.3", "1.2" or "none"', tls)
        read_protocol = r.string(spec, "read_protocol", f"{path}.read_protocol", default="imap")
        if read_protocol not in _READ_PORTS:
            raise r.fail(f"{path}.read_protocol", '"imap" or "pop3"', read_protocol)
        read_port = r.port(spec.get("read_port", _READ_PORTS[read_protocol][0]), f"{path}.read_port")
        if read_port not in _READ_PORTS[read_protocol]:
            allowed = " or ".join(str(p) for p in _READ_PORTS[read_protocol])
            raise r.fail(f"{path}.read_port", f"{allowed} for {read_protocol}", read_port)
        idle = spec.get("idle", False)
        if not isinstance(idle, bool):
            raise r.fail(f"{path}.idle", "true or false", idle)
        after_reading = _choice(r, spec, "after_reading", f"{path}.after_reading", ("keep", "trash"), "keep")
        if read_protocol != "imap" and (idle or after_reading != "keep"):
            key = "idle" if idle else "after_reading"
            raise r.fail(f"{path}.{key}", 'read_protocol = "imap" (IDLE and Trash are IMAP\'s)', read_protocol)
        submit_port = r.port(spec.get("submit_port", 587), f"{path}.submit_port")
        if submit_port not in (587, 465, 25):
            raise r.fail(f"{path}.submit_port", "587 (STARTTLS), 465 (implicit TLS) or 25 (straight to an MX)",
                         submit_port)
        reverse_dns = spec.get("reverse_dns", False)
        if not isinstance(reverse_dns, bool):
            raise r.fail(f"{path}.reverse_dns", "true or false", reverse_dns)
        dnsbl = tuple(z.lower().rstrip(".") for z in r.strings(spec, "dnsbl", f"{path}.dnsbl"))
        if (reverse_dns or dnsbl) and role is not Role.MTA:
            key = "reverse_dns" if reverse_dns else "dnsbl"
            raise r.fail(f"{path}.{key}", 'role = "mta" (only an MX checks its clients)', role.value)
        hosts.append(
            Host(
                id=host_id,
                role=role,
                hostname=r.string(spec, "hostname", f"{path}.hostname").rstrip(".").lower(),
                ip=_ip(r, spec, f"{path}.ip"),
                ports=ports,
                label=r.string(spec, "label", f"{path}.label", default="") if "label" in spec else "",
                tls=tls,
                domains=tuple(d.lower() for d in r.strings(spec, "domains", f"{path}.domains")),
                store=r.string(spec, "store", f"{path}.store") if "store" in spec else None,
                account=r.string(spec, "account", f"{path}.account").lower() if "account" in spec else None,
                submit_port=submit_port,
                msa=r.string(spec, "msa", f"{path}.msa") if "msa" in spec else None,
                read_protocol=read_protocol,
                read_port=read_port,
                read_delay=r.number(spec, "read_delay", f"{path}.read_delay", 5.0),
                relay_tls=_choice(r, spec, "relay_tls", f"{path}.relay_tls", ("may", "verify"), "may"),
                idle=idle,
                after_reading=after_reading,
                reverse_dns=reverse_dns,
                dnsbl=dnsbl,
                **_mail_auth_keys(r, spec, path, role),
            )
        )
    if not hosts:
        raise r.fail("hosts", "at least one host", table)
    return tuple(hosts)


def _mail_auth_keys(r: _Reader, spec: dict[str, Any], path: str, role: Role) -> dict[str, Any]:
    """dkim_selector and footer (an MSA's), mail_auth and forward (an MX's): see docs/scenarios.md."""
    out: dict[str, Any] = {}
    for key, want in (("dkim_selector", Role.MSA), ("footer", Role.MSA), ("mail_auth", Role.MTA), ("forward", Role.MTA)):
        if key in spec and role is not want:
            raise r.fail(f"{path}.{key}", f'role = "{want.value}"', role.value)
    if "dkim_selector" in spec:
        selector = r.string(spec, "dkim_selector", f"{path}.dkim_selector")
        if not (assets_dir() / "dkim" / f"{selector}.pem").is_file():
            raise r.fail(f"{path}.dkim_selector", f"a selector with a key in assets/dkim/ ({DKIM_SELECTOR})", selector)
        out["dkim_selector"] = selector
    if "footer" in spec:
        out["footer"] = r.string(spec, "footer", f"{path}.footer")
    if "mail_auth" in spec:
        if not isinstance(spec["mail_auth"], bool):
            raise r.fail(f"{path}.mail_auth", "true or false", spec["mail_auth"])
        out["mail_auth"] = spec["mail_auth"]
    if "forward" in spec:
        table = r.table(spec, "forward", f"{path}.forward")
        pairs = []
        for address, target in table.items():
            if "@" not in address or not isinstance(target, str) or "@" not in target:
                raise r.fail(f"{path}.forward.{address}", "an email address to forward to", target)
            pairs.append((address.lower(), target.lower()))
        out["forward"] = tuple(pairs)
    return out


def _choice(r: _Reader, spec: dict[str, Any], key: str, path: str, allowed: tuple[str, ...], default: str) -> str:
    value = spec.get(key, default)
    if value not in allowed:
        raise r.fail(path, " or ".join(f'"{a}"' for a in allowed), value)
    return value


def _ip(r: _Reader, spec: dict[str, Any], path: str) -> str:
    import ipaddress

    text = r.string(spec, "ip", path)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise r.fail(path, "an IPv4 or IPv6 address", text) from None


def _parse_accounts(r: _Reader, table: dict[str, Any]) -> tuple[Account, ...]:
    accounts = []
    for address, spec in table.items():
        path = f'accounts."{address}"'
        if "@" not in address:
            raise r.fail(path, "an email address as the key", address)
        if isinstance(spec, str):
            spec = {"password": spec}
        if not isinstance(spec, dict):
            raise r.fail(path, "a table with a password", spec)
        r.unknown_keys(spec, {"password", "username"}, path)
        accounts.append(
            Account(
                address=address.lower(),
                username=r.string(spec, "username", f"{path}.username", default=address.lower()),
                password=r.string(spec, "password", f"{path}.password"),
            )
        )
    return tuple(accounts)


def _parse_glossary(r: _Reader, table: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    # term -> a short definition; in file order, which is the order a lesson shows them.
    out = []
    for term, definition in table.items():
        if not isinstance(definition, str) or not definition.strip():
            raise r.fail(f'scenario.glossary."{term}"', "a definition (a non-empty string)", definition)
        out.append((term, definition.strip()))
    return tuple(out)


def _parse_messages(r: _Reader, items: Any) -> tuple[Message, ...]:
    if not isinstance(items, list):
        raise r.fail("messages", "a list of [[messages]] tables", items)
    messages = []
    for i, spec in enumerate(items):
        path = f"messages[{i}]"
        if not isinstance(spec, dict):
            raise r.fail(path, "a table", spec)
        r.unknown_keys(spec, _MESSAGE_KEYS, path)
        headers_table = r.table(spec, "headers", f"{path}.headers", required=False)
        for key, value in headers_table.items():
            if not isinstance(value, str):
                raise r.fail(f"{path}.headers.{key}", "a string", value)
        messages.append(
            Message(
                sender=r.string(spec, "from", f"{path}.from").lower(),
                recipients=tuple(a.lower() for a in r.strings(spec, "to", f"{path}.to", required=True)),
                subject=r.string(spec, "subject", f"{path}.subject", default="(no subject)"),
                body=r.string(spec, "body", f"{path}.body", default="Hello!\n"),
                at=r.number(spec, "at", f"{path}.at", 0.0),
                headers=tuple(headers_table.items()),
            )
        )
    return tuple(messages)


def _cross_check(r: _Reader, s: Scenario) -> None:
    """References between parts of the file must resolve."""
    ids = {h.id for h in s.hosts}
    for h in s.hosts:
        path = f"hosts.{h.id}"
        if h.role is Role.MTA:
            if h.store is None:
                raise r.fail(f"{path}.store", "the id of the store this MX delivers into", None, missing=True)
            if h.store not in ids or s.host(h.store).role is not Role.STORE:
                raise r.fail(f"{path}.store", "the id of a host with role \"store\"", h.store)
            if not h.domains:
                raise r.fail(f"{path}.domains", "the mail domains this MX accepts", None, missing=True)
        if h.role is Role.MUA:
            if h.account is None:
                raise r.fail(f"{path}.account", "the address whose client this is", None, missing=True)
            if s.account(h.account) is None:
                raise r.fail(f"{path}.account", "an address listed under [accounts]", h.account)
            want = Role.MTA if h.submit_port == 25 else Role.MSA
            if h.msa is not None and (h.msa not in ids or s.host(h.msa).role is not want):
                raise r.fail(f"{path}.msa", f"the id of a host with role \"{want.value}\"", h.msa)
            if h.submit_port == 25 and h.msa is None:
                raise r.fail(f"{path}.msa", "the id of the MX this client sends to on port 25", None, missing=True)
        for zone in h.dnsbl:
            if zone not in {origin for origin, _ in s.zones}:
                raise r.dangling(f"{path}.dnsbl", "a blocklist zone under [dns.zones]", zone, "no such zone")
    if s.messages and not s.hosts_with_role(Role.MSA):
        raise r.fail("hosts", "a host with role \"msa\" to submit the messages to", None, missing=True)
    if s.messages and not s.hosts_with_role(Role.DNS):
        raise r.fail("hosts", "a host with role \"dns\" to look up MX records", None, missing=True)
    senders = {h.account for h in s.hosts if h.role is Role.MUA}
    for i, m in enumerate(s.messages):
        if m.sender not in senders:
            raise r.fail(f"messages[{i}].from", "the account of a host with role \"mua\"", m.sender)
        for j, rcpt in enumerate(m.recipients):
            if "@" not in rcpt:
                raise r.fail(f"messages[{i}].to[{j}]", "an email address", rcpt)
