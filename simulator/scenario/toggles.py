"""Named faults an instructor can switch on for an open scenario, and faults in words.

Each toggle is worked out from the scenario itself (its first message's
recipient, that domain's best MX still up, the submitting client), so the
same name means the same lesson in every scenario it fits. A toggle that
would only repeat a fault the scenario file already has is not offered: in
mx-failover, where mx1 is down, ``mx-down`` takes the next MX down instead.

A toggle's ``label`` says what is wrong ("bob@example.net does not exist")
and its ``summary`` what the class will see happen because of it, so that
the two read as one sentence without saying the same thing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from simulator.protocols.smtp import replies
from simulator.scenario.errors import ScenarioError
from simulator.scenario.faults import KINDS, Fault, FaultKind, Target
from simulator.scenario.model import DKIM_SELECTOR, Host, Role, Scenario


@dataclass(frozen=True)
class Toggle:
    """A fault an instructor can switch on for a scenario, with what it adds."""

    name: str
    label: str  # what is wrong, naming the scenario's host, domain or mailbox
    summary: str  # what happens because of it
    faults: tuple[Fault, ...]
    extra_hosts: tuple[Host, ...] = ()
    changed_hosts: tuple[Host, ...] = ()  # by id: what differs from the scenario's host is applied (an MX that checks)
    extra_zones: tuple[tuple[str, str], ...] = ()  # zones added when the scenario lacks them (a blocklist)


_ATTACKER = Host(id="mallory", role=Role.ATTACKER, hostname="mallory.example", ip="198.18.0.66", ports=(),
                 label="attacker (on-path)")
# Faults after which a host takes no connections: an MX with one of these is not "up".
_DOWN = ("host-down", "no-answer", "connection-refused")


def _code(reply: replies.Reply) -> str:
    return f"{reply.code} {reply.enhanced}" if reply.enhanced else str(reply.code)


# What the class sees happen, per toggle (codes from the reply catalogue).
_EFFECTS = {
    "mx-down": "connections to it time out, so the sender tries the next MX or keeps the message queued and retries",
    "greylisting": f"a new sender's first try gets {_code(replies.GREYLISTED)} (try again later) "
                   "and the queue's retry gets through",
    "user-unknown": f"the MX refuses RCPT TO with {_code(replies.USER_UNKNOWN)} "
                    "and the sender gets a Non-Delivery Report",
    "mailbox-full": f"the MX answers {_code(replies.MAILBOX_FULL_TEMP)} (temporary) "
                    "and the queue retries until there is room",
    "remote-bounce": "the MX accepts the message, cannot store it, and sends the Non-Delivery Report itself",
    "nxdomain": "the MX lookup fails for good, so nothing is sent and the sender gets a Non-Delivery Report",
    "dns-servfail": "lookups answer SERVFAIL (temporary), so the message stays queued and is retried",
    "null-mx": "MX 0 . means it takes no mail (RFC 7505), so the sender bounces the message at once",
    "starttls-stripped": "a man in the middle deletes 250-STARTTLS from the EHLO reply, "
                         "so the relay sends the message in the clear",
    "submission-stripped": "a man in the middle deletes 250-STARTTLS from the EHLO reply, "
                           "so the client will not send its password in the clear",
    "bad-password": f"AUTH fails with {_code(replies.AUTH_CREDENTIALS_INVALID)} and the message is not sent",
    "bad-certificate": "the client's certificate check fails (a bad_certificate alert) and it sends nothing",
    "ptr-missing": f"the MX's PTR lookup finds nothing and it refuses RCPT TO with "
                   f"{_code(replies.REVERSE_DNS_FAILED)}, so the sender gets a Non-Delivery Report",
    "dnsbl-listed": f"the MX's blocklist query answers 127.0.0.2 and it refuses RCPT TO with "
                    f"{_code(replies.BLOCKLISTED)} naming the list, so the sender gets a Non-Delivery Report",
}
_EFFECTS.update({
    "dkim-key-missing": "the MX finds no key at the signature's selector: DKIM is a permerror, and DMARC "
                        "passes only if SPF does",
    "spf-omits-msa": "SPF fails at the MX; DMARC still passes on the DKIM signature, or, without one, the "
                     f"domain's policy decides (without a policy the MX refuses with {_code(replies.SPF_FAILED)})",
    "dmarc-none": "mail that fails DMARC is delivered anyway, with dmarc=fail in Authentication-Results: p=none "
                  "only asks for reports",
    "dmarc-quarantine": "mail that fails DMARC is accepted but marked as suspicious (the spam folder, at real "
                        "receivers)",
    "dmarc-reject": f"mail that fails DMARC is refused at the final dot with {_code(replies.DMARC_REJECTED)}, "
                    "so no bounce goes to a forged sender",
})
_BLOCKLIST = "dnsbl.example"  # the fictional list the dnsbl-listed toggle makes the MX ask
_BLOCKLIST_ZONE = (f"$ORIGIN {_BLOCKLIST}.\n$TTL 300\n"
                   f"@ IN SOA ns1.{_BLOCKLIST}. hostmaster.{_BLOCKLIST}. 2026120301 3600 600 604800 300\n"
                   f"@ IN NS ns1.{_BLOCKLIST}.\n2.0.0.127 IN A 127.0.0.2\n2.0.0.127 IN TXT \"test entry\"\n")


def _same(a: Fault, b: Fault) -> bool:
    """The same fault on the same thing (a link either way round), whatever its timing."""
    if a.kind != b.kind:
        return False
    if a.target is Target.LINK and a.link is not None and b.link is not None:
        return set(a.link) == set(b.link)
    return a.subject == b.subject


def available_toggles(scenario: Scenario) -> list[Toggle]:
    """The faults that fit this scenario and that its file does not already have, in teaching order."""
    if not scenario.messages:
        return []
    message = scenario.messages[0]
    rcpt = message.recipients[0]
    domain = rcpt.rsplit("@", 1)[1]
    zones = {origin for origin, _ in scenario.zones}
    down = {f.subject for f in scenario.faults if f.kind in _DOWN and f.until is None and f.attempts is None}
    mxs = [h for h in scenario.hosts_with_role(Role.MTA) if domain in h.domains and h.id not in down]
    msa = scenario.hosts_with_role(Role.MSA)[0]
    sender = next((h for h in scenario.hosts_with_role(Role.MUA) if h.account == message.sender), None)
    out: list[Toggle] = []

    def add(name: str, label: str, kind_name: str, subject: str, link: tuple[str, str] | None = None,
            changed: tuple[Host, ...] = (), zones: tuple[tuple[str, str], ...] = (), **params: Any) -> None:
        kind = FaultKind(kind_name)  # a misspelt kind fails here, not silently
        fault = Fault(kind=kind, target=KINDS[kind].target, subject=subject, link=link, **params)
        if any(_same(fault, written) for written in scenario.faults):
            return  # already in the scenario: switching it "on" would change nothing
        extra = (_ATTACKER,) if kind == "starttls-stripped" and not scenario.hosts_with_role(Role.ATTACKER) else ()
        out.append(Toggle(name, label, _EFFECTS[name], (fault,), extra, changed, zones))

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
    if mxs:
        # The relay's address fails the MX's checks; the MX is switched to making them if it did not.
        mx = mxs[0]
        add("ptr-missing", f"{msa.hostname}'s address {msa.ip} has no PTR ({mx.hostname} checks)", "ptr-missing",
            msa.id, changed=(replace(mx, reverse_dns=True),))
        lists = mx.dnsbl or (_BLOCKLIST,)
        extra_zones = () if _BLOCKLIST in zones or mx.dnsbl else ((_BLOCKLIST, _BLOCKLIST_ZONE),)
        add("dnsbl-listed", f"{msa.hostname}'s address {msa.ip} is on {lists[0]} ({mx.hostname} asks)",
            "dnsbl-listed", msa.id, changed=(replace(mx, dnsbl=lists),), zones=extra_zones)
        _auth_toggles(scenario, add, msa, mx, message.sender.rsplit("@", 1)[1].lower())
    return out


def _auth_toggles(scenario: Scenario, add: Any, msa: Host, mx: Host, sender_domain: str) -> None:
    """Who may send for the sender's domain: the MX is switched to checking SPF, DKIM and DMARC."""
    zone = next((text for origin, text in scenario.zones if origin == sender_domain), None)
    if zone is None or sender_domain not in msa.domains:
        return
    checking = replace(mx, mail_auth=True)
    add("dkim-key-missing", f"{msa.hostname} signs, but its DKIM key is not in DNS ({mx.hostname} checks)",
        "dkim-key-missing", msa.id,
        changed=(checking, replace(msa, dkim_selector=msa.dkim_selector or DKIM_SELECTOR)))
    if "v=spf1" in zone.lower():
        add("spf-omits-msa", f"{sender_domain}'s SPF record omits {msa.hostname} ({msa.ip})", "spf-omits-msa",
            msa.id, changed=(checking,))
    for policy in ("none", "quarantine", "reject"):
        add(f"dmarc-{policy}", f"{sender_domain}'s DMARC policy is p={policy} ({mx.hostname} checks)",
            f"dmarc-{policy}", sender_domain, changed=(checking,))


def with_toggles(scenario: Scenario, names: list[str] | tuple[str, ...]) -> Scenario:
    """The scenario with the named toggles' faults added (unknown names are an error)."""
    if not names:
        return scenario
    toggles = {t.name: t for t in available_toggles(scenario)}
    faults = list(scenario.faults)
    hosts = list(scenario.hosts)
    zones = list(scenario.zones)
    for name in names:
        toggle = toggles.get(name)
        if toggle is None:
            known = ", ".join(toggles) or "none"
            raise ScenarioError(scenario.source, "--fault",
                                f"expected one of the faults that fit this scenario ({known}), found \"{name}\"")
        faults.extend(toggle.faults)
        hosts.extend(h for h in toggle.extra_hosts if h.id not in {x.id for x in hosts})
        for new in toggle.changed_hosts:  # only what this toggle changed: an earlier one's changes stay
            i = next(i for i, h in enumerate(hosts) if h.id == new.id)
            own = scenario.host(new.id)
            hosts[i] = replace(hosts[i], **{f.name: getattr(new, f.name) for f in fields(new)
                                            if getattr(new, f.name) != getattr(own, f.name)})
        zones.extend(z for z in toggle.extra_zones if z[0] not in {o for o, _ in zones})
    return replace(scenario, faults=tuple(faults), hosts=tuple(hosts), zones=tuple(zones))


# -- a fault from a scenario file, in words (the "FAULTS ON" banner) --------------------------------
_WORDS = {
    "nxdomain": "{domain} does not exist (NXDOMAIN)",
    "servfail": "DNS fails for {domain} (SERVFAIL)",
    "dns-timeout": "DNS gets no answer for {domain}",
    "null-mx": "{domain} publishes a null MX",
    "no-mx": "{domain} has no MX record",
    "connection-refused": "{host} refuses connections",
    "no-answer": "{host} does not answer",
    "host-down": "{host} down",
    "service-unavailable": f"{{host}} answers {replies.SERVICE_UNAVAILABLE.code} at the greeting",
    "greylisting": "{host} greylists",
    "relay-denied": "{host} does not take mail for the domain",
    "message-too-large": "{host} takes messages up to {limit} bytes",
    "bad-certificate": "{host}'s certificate {problem}",
    "user-unknown": "{mailbox} does not exist",
    "mailbox-full": "{mailbox}'s mailbox is full",
    "remote-bounce": "{mailbox}: bounce after 250",
    "bad-password": "{mua} types the wrong password",
    "starttls-stripped": "STARTTLS stripped between {a} and {b}",
    "latency": "{a}-{b} {seconds:g} s slower",
    "ptr-missing": "{host}'s address has no PTR record",
    "dnsbl-listed": "{host}'s address is on the blocklist",
    "dkim-key-missing": "{host}'s DKIM key is missing from DNS",
    "spf-omits-msa": "the SPF record omits {host}",
    "dmarc-none": "{domain}'s DMARC policy is p=none",
    "dmarc-quarantine": "{domain}'s DMARC policy is p=quarantine",
    "dmarc-reject": "{domain}'s DMARC policy is p=reject",
    "loss": "{rate:.0%} packet loss between {a} and {b}",
}
_PROBLEMS = {"name-mismatch": "names another host", "expired": "has expired"}


def _duration(seconds: float) -> str:
    if seconds % 86400 == 0:
        days = int(seconds // 86400)
        return "a day" if days == 1 else f"{days} days"
    if seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return "an hour" if hours == 1 else f"{hours} hours"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:g} s"


def describe_fault(scenario: Scenario, fault: Fault) -> str:
    """A fault in the words a class reads: "mx1.example.net down", "bob@example.net's mailbox is full (first 2 tries)"."""
    def name(host_id: str) -> str:
        try:
            host = scenario.host(host_id)
        except KeyError:
            return host_id
        return host.id if host.role in (Role.MUA, Role.ATTACKER) else host.hostname

    a, b = fault.link if fault.link is not None else (fault.subject, fault.subject)
    words = _WORDS.get(fault.kind, "{kind} on {subject}").format(
        kind=fault.kind, subject=fault.subject, domain=fault.subject, mailbox=fault.subject, host=name(fault.subject),
        mua=fault.subject, a=name(a), b=name(b), limit=fault.limit, seconds=fault.seconds, rate=fault.rate,
        problem=_PROBLEMS.get(fault.problem, fault.problem))
    if fault.start:
        words += f" from {_duration(fault.start)} in"
    if fault.until is not None and fault.until > fault.start:
        words += f" for {_duration(fault.until - fault.start)}"
    if fault.attempts is not None:
        words += " (first try only)" if fault.attempts == 1 else f" (first {fault.attempts} tries)"
    return words


__all__ = ["Target", "Toggle", "available_toggles", "describe_fault", "with_toggles"]
