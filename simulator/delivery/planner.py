"""The one delivery planner: what a sending MTA's queue does next, sans-I/O.

Given a queue entry, it decides everything a queue decides: which MX to try
in which order (RFC 5321 §5.1, null MX RFC 7505, implicit MX), how DNS
answers map to outcomes, when to retry, warn and give up (RFC 5321
§4.5.4.1), and which DSN (RFC 3464) goes to the sender with which fields.
It has no engine, no asyncio and no clock of its own: the driver (the
simulation's queue process, or live mode's asyncio task) performs what it
asks for and tells it the time with each answer::

    planner = DeliveryPlanner(entry, schedule, reporter, hosts_by_ip, shuffle)
    answer = None
    while not isinstance(action := planner.next(answer, now=...), Finished):
        answer = perform(action)   # LookUp -> DNSAnswer | None, Relay -> RelayResult, else None

Times are on the driver's clock (simulated seconds, or live mode's wall
clock with the schedule divided by ``--time-scale``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.delivery._action import Action
from simulator.delivery.outcomes import OPEN, Ledger, Outcome, QueueEntry, RecipientState, Result
from simulator.dns import DNSAnswer
from simulator.protocols.smtp import replies as R
from simulator.mail.dsn import LOCAL_DIAGNOSTIC, SMTP_DIAGNOSTIC, DSNAction, RecipientStatus, build_dsn
from simulator.scenario.faults import QueuePolicy
from simulator.scenario.model import Host, Role
from simulator.trace.fields import Kind

if TYPE_CHECKING:
    from simulator.delivery._actions_more import Report, Wait


def __getattr__(name: str) -> Any:
    """PEP 562: ``Wait`` and ``Report`` (in ``_actions_more``), imported on first access."""
    if name in ("Report", "Wait"):
        from simulator.delivery import _actions_more

        return getattr(_actions_more, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_S = RecipientState


# --- what the planner asks for ---------------------------------------------------------------------
# ``Wait`` and ``Report``, which a delivery that succeeds at once never asks for, are in ``_actions_more``;
# the base class ``Action`` is in ``_action``, so that module need not import this one (no import cycle).


@dataclass(frozen=True)
class LookUp(Action):
    """Ask DNS; answer with the ``DNSAnswer``, or None when the resolver never answered."""

    name: str
    rdtype: str


@dataclass(frozen=True)
class Relay(Action):
    """Open an SMTP session to this MX host and offer the message; answer with a ``RelayResult``."""

    mx: str  # the exchange name
    address: str
    host: Host  # the scenario's MTA at that address
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class RelayResult:
    """The final reply per recipient; empty when no transaction took place (try the next MX)."""

    results: Mapping[str, tuple[int, str | None, str]]


@dataclass(frozen=True)
class Note(Action):
    """Write this line into the trace (the queue's own narration)."""

    text: str
    explain: str
    rfc: str | None
    kind: Kind = Kind.QUEUE


@dataclass(frozen=True)
class Finished(Action):
    """Every recipient is settled: forget the entry."""


# --- the planner ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """One MX (or the implicit MX) to try, with the address to connect to."""

    mx: str  # the exchange host name
    preference: int | None  # None: implicit MX (the domain's own address)
    address: str


class DeliveryPlanner:
    """Drives one queue entry from its first attempt to its end."""

    def __init__(self, entry: QueueEntry, schedule: QueuePolicy, reporter: Host,
                 hosts_by_ip: Mapping[str, Host], shuffle: Callable[[list[Any]], None], *,
                 span: Callable[[float], str] | None = None) -> None:
        self.entry = entry
        self.schedule = schedule
        self.reporter = reporter
        self.hosts_by_ip = hosts_by_ip
        self._shuffle = shuffle  # equal MX preferences in random order: the driver's (seeded) randomness
        self._span = span or duration  # how the notes say a duration (live mode adds its scenario time)
        self.now = entry.arrival
        self._steps = self._run()
        self._started = False
        self._done = False

    def next(self, answer: Any = None, *, now: float) -> Action:
        """The next action, given the answer to the previous one and the time now."""
        if self._done:
            return Finished()
        self.now = now
        try:
            if not self._started:
                self._started = True
                return next(self._steps)  # the first action answers nothing
            return self._steps.send(answer)
        except StopIteration:
            self._done = True
            return Finished()

    # --- the schedule (RFC 5321 §4.5.4.1) ------------------------------------------------------------

    def _run(self) -> Generator[Action, Any, None]:
        entry, schedule = self.entry, self.schedule
        while True:
            entry.attempts += 1
            by_domain: dict[str, list[str]] = {}
            for rcpt, outcome in entry.outcomes.items():
                if outcome.state in OPEN:
                    by_domain.setdefault(domain_of(rcpt), []).append(rcpt)
            for domain, rcpts in by_domain.items():
                yield from self._attempt_domain(domain, rcpts)
            yield from reports(entry, DSNAction.FAILED, self.reporter)
            deferred = [r for r, o in entry.outcomes.items() if o.state is _S.DEFERRED]
            if not deferred:
                return
            age = self.now - entry.arrival
            if age + schedule.retry > schedule.give_up_after:
                for rcpt in deferred:
                    entry.outcomes[rcpt] = given_up(entry.outcomes[rcpt], age)
                yield Note(
                    f"{entry.id}: giving up after {self._span(age)} ({entry.attempts} attempts)",
                    "The queue lifetime has run out: the temporary failures are now final, and the sender gets a "
                    "DSN (Action: failed). Its Status names the last problem found, such as 4.4.1 (no answer) "
                    "or 4.4.3 (DNS); 4.4.7 (delivery time expired) only when no cause is known.",
                    "RFC 5321 §4.5.4.1")
                yield from reports(entry, DSNAction.FAILED, self.reporter)
                return
            if not entry.warned and age >= schedule.warn_after and entry.sender:
                entry.warned = True
                yield from reports(entry, DSNAction.DELAYED, self.reporter,
                                   until=entry.arrival + schedule.give_up_after)
            yield Note(
                f"{entry.id}: deferred ({', '.join(deferred)}): next attempt in {self._span(schedule.retry)}",
                "A temporary failure (4xx, a timeout, no answer): the message stays queued and is retried later. "
                "RFC 5321 says the retry interval SHOULD be at least 30 minutes.",
                "RFC 5321 §4.5.4.1")
            entry.next_attempt = self.now + schedule.retry
            from simulator.delivery._actions_more import Wait  # a retry: imported when first needed
            yield Wait(schedule.retry)
            yield Note(f"{entry.id}: retry #{entry.attempts} for {', '.join(deferred)}",
                       "The queue runner tries the deferred recipients again.", "RFC 5321 §4.5.4.1")

    def _attempt_domain(self, domain: str, rcpts: list[str]) -> Generator[Action, Any, None]:
        targets = yield from self._resolve(domain, rcpts)
        if not targets:
            return
        for target in targets:
            host = self.hosts_by_ip.get(target.address)
            if host is None or host.role is not Role.MTA:
                yield Note(f"no host answers at {target.address} ({target.mx})",
                           "Nothing answers at that address; the sender moves on to the next MX.", "RFC 5321 §5.1",
                           kind=Kind.NOTE)
                continue
            result = yield Relay(target.mx, target.address, host, tuple(rcpts))
            if not result.results:
                continue  # no transaction (refused, no answer, 421 ...): the next MX
            for rcpt in rcpts:
                if rcpt in result.results:
                    self.entry.outcomes[rcpt] = _from_reply(result.results[rcpt], host.hostname, self.now)
            return
        # No MX host took part in a transaction this time: a temporary failure decided here.
        self._set(rcpts, _S.DEFERRED, "4.4.1", "no MX host answered")

    def _resolve(self, domain: str, rcpts: list[str]) -> Generator[Action, Any, list[_Target]]:
        """RFC 5321 §5.1: MX records by preference, else the domain's own address."""
        answer: DNSAnswer | None = yield LookUp(domain, "MX")
        if answer is None:
            self._set(rcpts, _S.DEFERRED, "4.4.3", f"Host or domain name lookup timed out for name={domain} type=MX")
            return []
        if answer.rcode == "NXDOMAIN":
            self._set(rcpts, _S.FAILED, "5.1.2", f"Host or domain name not found. Name service error for "
                      f"name={domain} type=MX: Host not found")
            return []
        if answer.rcode != "NOERROR":
            self._set(rcpts, _S.DEFERRED, "4.4.3", f"Name service error for name={domain}: {answer.rcode}")
            return []
        mx = answer.mx
        if not mx:
            # Implicit MX: with no MX records the domain itself is the mail host.
            yield Note(f"no MX for {domain}: using its address record (implicit MX)",
                       "A domain without MX records still takes mail: the sender treats the domain's own A/AAAA "
                       "record as an MX with preference 0.", "RFC 5321 §5.1")
            addresses: DNSAnswer | None = yield LookUp(domain, "A")
            if addresses is None or not addresses.addresses:
                self._set(rcpts, _S.FAILED, "5.1.2", f"Host or domain name not found: {domain} has no MX and no address")
                return []
            return [_Target(domain, None, a) for a in addresses.addresses]
        if any(host in ("", ".") for _, host in mx):
            # RFC 7505 §4.1: a null MX means "no mail here": fail at once, no connection.
            refusal = R.null_mx_domain(domain)
            self._set(rcpts, _S.FAILED, refusal.enhanced or "5.1.10", str(refusal))
            yield Note(f"{domain} publishes a null MX (MX 0 .): no delivery is attempted",
                       "A null MX says the domain accepts no mail at all, so the sender fails at once with 556 5.1.10 "
                       "instead of retrying for days.", "RFC 7505 §4.1")
            return []
        # Lowest preference first; equal preferences in random (seeded) order.
        shuffled = list(mx)
        self._shuffle(shuffled)
        ordered = sorted(shuffled, key=lambda pair: pair[0])
        yield Note("MX order: " + ", ".join(f"{host} ({pref})" for pref, host in ordered),
                   "The sender tries the MX with the lowest preference value first; hosts with equal preference "
                   "are tried in random order to spread the load.", "RFC 5321 §5.1")
        targets: list[_Target] = []
        for pref, host in ordered:
            glue = answer.glue(host)
            if not glue:
                reply: DNSAnswer | None = yield LookUp(host, "A")
                glue = reply.addresses if reply is not None else []
            targets.extend(_Target(host, pref, a) for a in glue)
        return targets

    def _set(self, rcpts: list[str], state: RecipientState, status: str, diagnostic: str) -> None:
        """An outcome decided here: no remote MTA answered, so none is named."""
        for rcpt in rcpts:
            self.entry.outcomes[rcpt] = Outcome(state, status, diagnostic, None, self.now)


def _from_reply(reply: tuple[int, str | None, str], remote: str, now: float) -> Outcome:
    code, enhanced, text = reply
    diagnostic = f"{code} {enhanced + ' ' if enhanced else ''}{text}"
    if 200 <= code < 300:
        return Outcome(_S.DELIVERED, enhanced or "2.0.0", diagnostic, remote, now)
    if code >= 500:
        return Outcome(_S.FAILED, enhanced or "5.0.0", diagnostic, remote, now)
    return Outcome(_S.DEFERRED, enhanced or "4.0.0", diagnostic, remote, now)


def given_up(last: Outcome, age: float) -> Outcome:
    """A deferred recipient when the queue lifetime ran out.

    RFC 3463 X.4.7: "If possible, the code for the actual problem found when
    delivery was attempted should be returned rather than this code": keep
    the last status unless it is a bare class (X.0.0).
    """
    specific = bool(last.status) and not last.status.endswith(".0.0")
    note = f"delivery time expired after {duration(age)}"
    diagnostic = f"{last.diagnostic} ({note})" if last.diagnostic else note
    return Outcome(_S.FAILED, last.status if specific else "4.4.7", diagnostic, last.remote_mta, last.last_attempt)


# --- reports (RFC 3464) ------------------------------------------------------------------------------


def reports(entry: QueueEntry, action: DSNAction, reporter: Host,
            until: float | None = None) -> Generator[Action, Any, None]:
    """The DSN now due for ``entry``: the failed recipients not reported yet, or (delayed) those waiting."""
    if action is DSNAction.FAILED:
        rcpts = [r for r, o in entry.outcomes.items() if o.state is _S.FAILED and r not in entry.reported]
    else:
        rcpts = [r for r, o in entry.outcomes.items() if o.state is _S.DEFERRED]
    if not rcpts:
        return
    from simulator.delivery._actions_more import Report  # a DSN is due: imported when first needed
    statuses = tuple(_status(r, entry.outcomes[r], action, until) for r in rcpts)
    domain = reporter.domains[0] if reporter.domains else reporter.hostname
    if entry.sender == "":
        # Never bounce a bounce: that is what the null sender is for.
        yield Note(f"{entry.id}: a bounce could not be delivered; dropped, no DSN about a DSN",
                   "A message with the null reverse-path never causes another bounce: that is how loops are "
                   "avoided.", "RFC 5321 §4.5.5", kind=Kind.BOUNCE)
        yield Report(entry, action, statuses, reporter.hostname, domain, dropped=True)
    elif action is DSNAction.FAILED:
        yield Note(f"DSN for {entry.id}: {', '.join(f'{s.recipient} {s.status}' for s in statuses)} → <{entry.sender}>",
                   "Delivery failed for good, so this server writes a Non-Delivery Report (a DSN: multipart/report "
                   "with a message/delivery-status part) and mails it to the envelope sender with MAIL FROM:<>.",
                   "RFC 3464 §2", kind=Kind.BOUNCE)
        yield Report(entry, action, statuses, reporter.hostname, domain)
    else:
        yield Note(f"delay warning for {entry.id}: {', '.join(s.recipient for s in statuses)} → <{entry.sender}>",
                   "The message has waited for hours: the sender gets a warning DSN (Action: delayed) saying the "
                   "server keeps trying until Will-Retry-Until. No need to send it again.",
                   "RFC 3464 §2.3.3", kind=Kind.BOUNCE)
        yield Report(entry, action, statuses, reporter.hostname, domain)
    if action is DSNAction.FAILED:
        entry.reported.update(rcpts)  # after the driver queued the DSN: a stop before it reports again


def _status(rcpt: str, outcome: Outcome, action: DSNAction, until: float | None) -> RecipientStatus:
    # RFC 3464 §2.3.5/§2.3.6: a Remote-MTA and an "smtp" diagnostic only for a reply a remote MTA sent.
    kind = SMTP_DIAGNOSTIC if outcome.remote_mta else LOCAL_DIAGNOSTIC
    return RecipientStatus(rcpt, action, outcome.status, outcome.remote_mta, outcome.diagnostic,
                           outcome.last_attempt, until if action is DSNAction.DELAYED else None, kind)


def record(ledger: Ledger, report: Report) -> None:
    """What a report settles: a failure the sender is told of, or a bounce that is dropped."""
    entry = report.entry
    if report.dropped:
        for status in report.recipients:
            ledger.settle(Result.DROPPED, entry.message_id, status.recipient, status.status)
    elif report.action is DSNAction.FAILED:
        for status in report.recipients:
            ledger.settle(Result.BOUNCED, entry.message_id, status.recipient, status.status, dsn_to=entry.sender)


def queued_note(queue_id: str, sender: str, recipients: tuple[str, ...], *, on_disk: bool = False) -> Note:
    """The trace line for a message a queue took."""
    who = "a bounce (null sender)" if sender == "" else f"from <{sender}>"
    explain = ("The message is on disk in the queue before the 250 goes out; it stays there, per recipient, "
               "until each is delivered or reported back as failed." if on_disk else
               "The server keeps the message in its queue, one entry per recipient, until each is delivered "
               "or reported back as failed.")
    return Note(f"queued {queue_id}: {who} to {', '.join(recipients)}", explain, "RFC 5321 §4.5.4")


def failed_after_acceptance_note(rcpt: str, diagnostic: str) -> Note:
    return Note(f"final delivery to {rcpt} failed after 250: {diagnostic}",
                "This server already said 250, so it owns the message: it cannot refuse any more and must "
                "send the bounce itself, to the envelope sender.", "RFC 5321 §6.1", kind=Kind.BOUNCE)


def failed_after_acceptance(entry_id: str, sender: str, rcpt: str, arrival: float, origin: str, message_id: str,
                            status: str, diagnostic: str, now: float) -> QueueEntry:
    """The entry an MX makes for a message it accepted (250) and then could not deliver.

    It reports the failure itself (RFC 5321 §6.1); no remote MTA was involved,
    and the message arrived when the MX accepted it.
    """
    return QueueEntry(entry_id, sender, (rcpt,), arrival, origin, message_id,
                      {rcpt: Outcome(_S.FAILED, status, diagnostic, None, now)})


def render_dsn(report: Report, content: bytes, *, to_header: Callable[[float], float], t: float,
               message_id: str, boundary: str) -> bytes:
    """The DSN message for ``report``, with the driver's clock turned into header dates."""
    recipients = [
        RecipientStatus(s.recipient, s.action, s.status, s.remote_mta, s.diagnostic,
                        to_header(s.last_attempt) if s.last_attempt is not None else None,
                        to_header(s.will_retry_until) if s.will_retry_until is not None else None,
                        s.diagnostic_type)
        for s in report.recipients
    ]
    return build_dsn(reporting_mta=report.reporting_mta, original_sender=report.entry.sender,
                     original_content=content, arrival=to_header(report.entry.arrival), recipients=recipients,
                     t=t, message_id=message_id, boundary=boundary)


# --- helpers -----------------------------------------------------------------------------------------


def domain_of(address: str) -> str:
    """The domain part, compared case-insensitively (RFC 5321 §2.4)."""
    return address.rsplit("@", 1)[-1].lower()


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
