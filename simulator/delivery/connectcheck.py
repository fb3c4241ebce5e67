"""What a receiving MX checks about the address a client connects from, sans-I/O.

An MX configured for it (a scenario's ``reverse_dns = true`` and ``dnsbl =
[...]`` on an ``mta`` host) asks DNS about the client before it greets it:

- **reverse DNS, forward-confirmed** (FCrDNS, the "iprev" method of RFC 8601
  §3): the PTR record of the address, under in-addr.arpa with the address's
  numbers reversed (RFC 1035 §3.5), then the A (or AAAA) records of each name
  the PTR gave; the check passes when one of them is the client's address.
  Missing or not confirmed: ``550 5.7.25`` (RFC 7372 §3.3);
- **DNS blocklists** (RFC 5782 §2.1): an A query for the reversed address
  under the list's zone; any answer (conventionally 127.0.0.2) means listed,
  NXDOMAIN means not, and the TXT record at the same name gives the reason.
  Listed: ``554 5.7.1`` naming the list.

Like Postfix (``smtpd_delay_reject = yes``), the MX greets a client it will
refuse and says so at RCPT TO, so the refusal names the recipient and the
sender reports it per recipient. ``ClientCheck.steps()`` yields what it needs
(``Ask`` a DNS question, ``Say`` a trace note) and is driven by the
simulation (``simulator.actors.sessions``) and live mode
(``simulator.live.services``) alike; ``refusal`` is what the policy answers.

The instructor faults ``ptr-missing`` and ``dnsbl-listed`` rewrite the zones
(``rewrite_for_check``): the host's PTR record is removed, or its address is
added to every blocklist the scenario's MXs ask.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Protocol

from simulator.delivery.faults import FaultBook
from simulator.dns import DNSAnswer
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp.replies import Reply
from simulator.scenario.faults import FaultKind
from simulator.scenario.model import Host, Role, Scenario

MAX_PTR_NAMES = 10  # RFC 8601 §3: limit the names checked forward (SPF's limit, RFC 7208 §4.6.4)
CHECK_FAULTS = (FaultKind.PTR_MISSING, FaultKind.DNSBL_LISTED)  # faults that rewrite zones for these checks
LISTED = "127.0.0.2"  # RFC 5782 §2.1: the conventional "listed" answer
DEFAULT_BLOCKLIST = "dnsbl.example"  # the fictional list the dnsbl-listed toggle switches on


@dataclass(frozen=True)
class Ask:
    """Ask DNS this; answer with the ``DNSAnswer``, or None when the resolver did not answer."""

    name: str
    rdtype: str
    explain: str
    rfc: str
    zone_fault: tuple[FaultKind, str] | None = None  # answer from the zones as this fault rewrites them


@dataclass(frozen=True)
class Say:
    """A line for the trace, said by the MX about what it found."""

    text: str
    explain: str
    rfc: str


Step = Ask | Say


class Checks(Protocol):
    """A sans-I/O check: yields ``Ask`` (send back the answer) and ``Say`` steps."""

    def steps(self) -> Generator[Step, DNSAnswer | None, None]: ...


def checks_client(host: Host) -> bool:
    """Whether this MX checks the addresses of its clients at all."""
    return host.role is Role.MTA and (host.reverse_dns or bool(host.dnsbl))


def scenario_address(scenario: Scenario, peer: Host) -> str:
    """The address a check is about: the scenario's, for a scenario host.

    Live mode's clients all come from 127.0.0.1; a connection the live queue
    makes for a scenario host stands for that host, so its scenario address
    is checked. A real outside client is checked at its real address.
    """
    try:
        return scenario.host(peer.id).ip
    except KeyError:
        return peer.ip


def reverse_name(ip: str) -> str:
    """The PTR owner name: 192.0.2.25 -> 25.2.0.192.in-addr.arpa (RFC 1035 §3.5; ip6.arpa for IPv6)."""
    return ipaddress.ip_address(ip).reverse_pointer


def blocklist_name(ip: str, zone: str) -> str | None:
    """The name a blocklist is asked: 192.0.2.25 in dnsbl.example -> 25.2.0.192.dnsbl.example."""
    address = ipaddress.ip_address(ip)
    if address.version != 4:
        return None  # IPv6 lists use nibbles; the scenarios' lists are IPv4
    return ".".join(reversed(str(address).split("."))) + "." + zone


class ClientCheck:
    """The checks ``mx`` makes of a client at ``ip`` (the scenario host ``client``)."""

    def __init__(self, faults: FaultBook, mx: Host, client: Host, ip: str) -> None:
        self.faults = faults
        self.mx = mx
        self.client = client
        self.ip = ip
        self.refusal: Reply | None = None  # what RCPT TO is answered, once steps() has run
        self.done = False

    def steps(self) -> Generator[Step, DNSAnswer | None, None]:
        """Every question and note, in order; sets ``refusal``."""
        faults, who = self.faults, self.client.id
        ptr_fault = (FaultKind.PTR_MISSING, who) if faults and faults.hit(FaultKind.PTR_MISSING, who) else None
        listed = (FaultKind.DNSBL_LISTED, who) if faults and faults.hit(FaultKind.DNSBL_LISTED, who) else None
        if self.mx.reverse_dns:
            yield from self._reverse_dns(ptr_fault)
        if self.refusal is None:
            for zone in self.mx.dnsbl:
                yield from self._blocklist(zone, listed)
                if self.refusal is not None:
                    break
        if self.refusal is not None:
            code = f"{self.refusal.code} {self.refusal.enhanced}"
            yield Say(f"{self.ip} refused: RCPT TO will be answered {code}",
                      "The MX still greets the client and lets it say who it is and who the mail is from, then "
                      "refuses each recipient, so that the refusal is logged with the sender and recipient, and the "
                      "sending server reports it per recipient (Postfix's smtpd_delay_reject works this way).",
                      "RFC 5321 §3.3")
        self.done = True

    def _reverse_dns(self, zone_fault: tuple[FaultKind, str] | None) -> Generator[Step, DNSAnswer | None, None]:
        ip, mx = self.ip, self.mx.hostname
        name = reverse_name(ip)
        answer = yield Ask(
            name, "PTR",
            f"Before it greets the client, {mx} asks who {ip} is: the PTR record of {name}. Reverse lookups "
            "live under in-addr.arpa, with the address's four numbers in reverse order, so that the most "
            "significant part comes last, like a domain name's, and each address block can be delegated to "
            "whoever runs it.", "RFC 1035 §3.5", zone_fault)
        if answer is None or answer.rcode not in ("NOERROR", "NXDOMAIN"):
            self.refusal = R.reverse_dns_failed(ip, "reverse lookup failed, try again later", temporary=True)
            yield Say(f"reverse DNS of {ip}: no answer (temporary)",
                      "The reverse lookup failed; that may be the DNS, not the client, so the refusal is "
                      "temporary (4yz) and the sender will try again.", "RFC 8601 §3")
            return
        names = [data.rstrip(".").lower() for _o, _t, rdtype, data in answer.records if rdtype == "PTR"]
        if not names:
            self.refusal = R.reverse_dns_failed(ip, "has no PTR record")
            yield Say(f"reverse DNS of {ip}: no PTR record: fails",
                      f"No name is published for {ip}. Well-run mail servers always have one, so many receivers "
                      "refuse a client without it, with the code for reverse DNS failures.", "RFC 7372 §3.3")
            return
        rdtype = "A" if ipaddress.ip_address(ip).version == 4 else "AAAA"
        for ptr in names[:MAX_PTR_NAMES]:
            forward = yield Ask(
                ptr, rdtype,
                f"Forward confirmation: the PTR says {ip} is {ptr}, but whoever runs the reverse zone of an "
                f"address can write any name there. {mx} asks for the address of {ptr}: only if that name's own "
                f"zone leads back to {ip} is the name confirmed (forward-confirmed reverse DNS, FCrDNS).",
                "RFC 8601 §3")
            if forward is not None and ip in forward.addresses:
                yield Say(f"FCrDNS passed: {ip} -> {ptr} -> {ip}",
                          f"The address names {ptr} and {ptr} names the address: the client's reverse DNS is "
                          "confirmed. This proves who runs the address's DNS, not that the mail is wanted.",
                          "RFC 8601 §3")
                return
        got = ", ".join(names[:MAX_PTR_NAMES])
        self.refusal = R.reverse_dns_failed(ip, f"PTR names {got}, which does not resolve back to it")
        yield Say(f"FCrDNS failed: {ip} -> {got} -/-> {ip}",
                  f"The PTR of {ip} names {got}, but that name does not have {ip} as its address. An unconfirmed "
                  "name proves nothing, so the check fails as if there were no PTR at all.", "RFC 7372 §3.3")

    def _blocklist(self, zone: str, zone_fault: tuple[FaultKind, str] | None) -> Generator[Step, DNSAnswer | None, None]:
        ip = self.ip
        name = blocklist_name(ip, zone)
        if name is None:
            return
        answer = yield Ask(
            name, "A",
            f"{self.mx.hostname} asks the DNS blocklist {zone} about {ip}: the address's four numbers reversed, "
            f"then the list's zone. The list publishes a record there only for addresses it lists: any answer "
            "(conventionally 127.0.0.2) means listed, NXDOMAIN means not listed.", "RFC 5782 §2.1", zone_fault)
        if answer is None or answer.rcode not in ("NOERROR", "NXDOMAIN"):
            yield Say(f"{zone}: no answer: treated as not listed",
                      "The blocklist did not answer, so it says nothing about the client: this MX goes on as if the "
                      "address were not listed, rather than refuse all mail while a list is down (local policy).",
                      "RFC 5782 §2.1")
            return
        codes = [data for _o, _t, rdtype, data in answer.records if rdtype == "A"]
        if not codes:
            yield Say(f"{ip} is not on {zone}",
                      f"NXDOMAIN: {zone} has no entry for {ip}, so the client is not listed.", "RFC 5782 §2.1")
            return
        txt = yield Ask(
            name, "TXT",
            f"Listed ({codes[0]}). The A record is only a code, never an address to connect to; the TXT record at "
            "the same name says why the address is listed, and the MX quotes it in its refusal.",
            "RFC 5782 §2.1", zone_fault)
        reason = " ".join(_txt_text(data) for _o, _t, rdtype, data in (txt.records if txt else ()) if rdtype == "TXT")
        self.refusal = R.blocklisted(ip, zone, reason)
        yield Say(f"{ip} is listed on {zone} ({codes[0]}): refused",
                  f"The blocklist {zone} lists {ip}; this MX refuses mail from any address on it. The refusal names "
                  "the list so that the sender's administrator knows where to ask for delisting.", "RFC 5782 §2.1")


def _txt_text(data: str) -> str:
    """A TXT record's strings as one text (dig quotes each of its strings)."""
    parts = []
    rest = data.strip()
    while rest.startswith('"'):
        end = rest.find('"', 1)
        while end > 0 and rest[end - 1] == "\\":
            end = rest.find('"', end + 1)
        if end < 0:
            break
        parts.append(rest[1:end].replace('\\"', '"'))
        rest = rest[end + 1:].strip()
    return "".join(parts) if parts else data


def drive(check: Checks, ask: Callable[[Ask], DNSAnswer | None], say: Callable[[Say], None]) -> None:
    """Run the checks with a lookup that answers at once (live mode's in-process resolver)."""
    steps = check.steps()
    answer: DNSAnswer | None = None
    while True:
        try:
            step = steps.send(answer)
        except StopIteration:
            return
        if isinstance(step, Ask):
            answer = ask(step)
        else:
            say(step)
            answer = None


# --- the faults, as zone rewrites -----------------------------------------------------------------


def rewrite_for_check(scenario: Scenario, zones: tuple[tuple[str, str], ...], kind: FaultKind,
                      host_id: str) -> list[tuple[str, str]]:
    """The zones as ``ptr-missing`` or ``dnsbl-listed`` on ``host_id`` rewrite them."""
    try:
        ip = scenario.host(host_id).ip
    except KeyError:
        return list(zones)
    out = []
    if kind is FaultKind.PTR_MISSING:
        owner = reverse_name(ip) + "."
        for origin, text in zones:
            if owner.rstrip(".").endswith("." + origin) or owner.rstrip(".") == origin:
                text = "\n".join(line for line in text.splitlines() if not _owns(line, owner, origin)) + "\n"
            out.append((origin, text))
        return out
    lists = {zone for h in scenario.hosts for zone in h.dnsbl} or {DEFAULT_BLOCKLIST}
    for origin, text in zones:
        if origin in lists:
            name = blocklist_name(ip, origin)
            if name is not None:
                text += (f"{name}. IN A {LISTED}\n"
                         f'{name}. IN TXT "{ip} is listed: mail from it reached spam traps"\n')
        out.append((origin, text))
    return out


def _owns(line: str, owner: str, origin: str) -> bool:
    """Whether a zone line is a PTR record of ``owner`` (written absolute or relative to ``origin``)."""
    fields = line.split(";", 1)[0].split()
    if not fields or "PTR" not in (f.upper() for f in fields[1:4]):
        return False
    name = fields[0].lower()
    relative = owner.rstrip(".")[: -len(origin) - 1] if owner.rstrip(".") != origin else "@"
    return name in (owner, owner.rstrip("."), relative)

