"""Named faults an instructor can switch on for an open scenario.

Each toggle is worked out from the scenario itself (its first message's
recipient, that domain's best MX, the submitting client), so the same name
means the same lesson in every scenario it fits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from simulator.scenario.errors import ScenarioError
from simulator.scenario.faults import KINDS, Fault, FaultKind, Target
from simulator.scenario.model import Host, Role, Scenario


@dataclass(frozen=True)
class Toggle:
    name: str
    label: str
    summary: str
    faults: tuple[Fault, ...]
    extra_hosts: tuple[Host, ...] = ()


_ATTACKER = Host(id="mallory", role=Role.ATTACKER, hostname="mallory.example", ip="198.18.0.66", ports=(),
                 label="attacker (on-path)")


def available_toggles(scenario: Scenario) -> list[Toggle]:
    """The faults that fit this scenario, in teaching order."""
    if not scenario.messages:
        return []
    message = scenario.messages[0]
    rcpt = message.recipients[0]
    domain = rcpt.rsplit("@", 1)[1]
    zones = {origin for origin, _ in scenario.zones}
    mxs = [h for h in scenario.hosts_with_role(Role.MTA) if domain in h.domains]
    msa = scenario.hosts_with_role(Role.MSA)[0]
    sender = next((h for h in scenario.hosts_with_role(Role.MUA) if h.account == message.sender), None)
    out: list[Toggle] = []

    def add(name: str, label: str, kind_name: str, subject: str, link: tuple[str, str] | None = None,
            **params: Any) -> None:
        kind = FaultKind(kind_name)  # a misspelt kind fails here, not silently
        fault = Fault(kind=kind, target=KINDS[kind].target, subject=subject, link=link, **params)
        extra = (_ATTACKER,) if kind == "starttls-stripped" and not scenario.hosts_with_role(Role.ATTACKER) else ()
        out.append(Toggle(name, label, KINDS[kind].summary, (fault,), extra))

    if mxs:
        add("mx-down", f"{mxs[0].hostname} down for 2 hours", "host-down", mxs[0].id, until=7200.0)
        add("greylisting", f"{mxs[0].hostname} greylists", "greylisting", mxs[0].id, delay=300.0)
    if scenario.account(rcpt) is not None:
        add("user-unknown", f"{rcpt} does not exist", "user-unknown", rcpt)
        add("mailbox-full", f"{rcpt}'s mailbox is full", "mailbox-full", rcpt, attempts=2)
        add("remote-bounce", f"{rcpt}: bounce after 250", "remote-bounce", rcpt)
    if domain in zones:
        add("nxdomain", f"{domain} does not exist (NXDOMAIN)", "nxdomain", domain)
        add("dns-servfail", f"DNS fails for {domain} for an hour", "servfail", domain, until=3600.0)
        add("null-mx", f"{domain} publishes a null MX", "null-mx", domain)
    if mxs:
        add("starttls-stripped", "STARTTLS stripped on the relay", "starttls-stripped",
            f"{msa.id}-{mxs[0].id}", link=(msa.id, mxs[0].id))
    if sender is not None:
        add("submission-stripped", "STARTTLS stripped on submission", "starttls-stripped",
            f"{sender.id}-{msa.id}", link=(sender.id, msa.id))
        add("bad-password", f"{sender.id} types the wrong password", "bad-password", sender.id)
    add("bad-certificate", f"{msa.hostname}'s certificate names another host", "bad-certificate", msa.id,
        problem="name-mismatch")
    return out


def with_toggles(scenario: Scenario, names: list[str] | tuple[str, ...]) -> Scenario:
    """The scenario with the named toggles' faults added (unknown names are an error)."""
    if not names:
        return scenario
    toggles = {t.name: t for t in available_toggles(scenario)}
    faults = list(scenario.faults)
    hosts = list(scenario.hosts)
    for name in names:
        toggle = toggles.get(name)
        if toggle is None:
            known = ", ".join(toggles) or "none"
            raise ScenarioError(scenario.source, "--fault",
                                f"expected one of the faults that fit this scenario ({known}), found \"{name}\"")
        faults.extend(toggle.faults)
        hosts.extend(h for h in toggle.extra_hosts if h.id not in {x.id for x in hosts})
    return replace(scenario, faults=tuple(faults), hosts=tuple(hosts))


__all__ = ["Target", "Toggle", "available_toggles", "with_toggles"]
