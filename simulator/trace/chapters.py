"""A trace divided into chapters, its failures, and its key moments: what an instructor jumps between.

A chapter starts at each connection's first step, each DNS query, each queue
decision (a retry scheduled, a delay warning sent, the queue giving up), each
delivery into a mailbox and each bounce (DSN) sent; it runs up to the next
chapter's start, so the chapters cover every step once, in order.

A failure is a step where something went wrong: a 4xx/5xx SMTP reply (IMAP
``NO``/``BAD``, POP3 ``-ERR``), a DNS answer other than NOERROR, a TLS alert
or a certificate that did not verify, a connection that timed out or was
refused, a client that gave up, a bounce sent, an attacker's tampering.

The narrators' words are the only record of some of these (a queue decision
is a ``queue`` line), so a few are recognised by the words they start with;
tests/trace/test_chapters.py runs every shipped lesson through this module.
No Textual here: the player, ``smtpsim play --at`` and ``smtpsim handout``
all read it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from simulator.trace.events import Direction, Kind, KeyMoment, Trace, TraceEvent


class ChapterKind(str, Enum):
    CONNECTION = "connection"
    DNS = "DNS lookup"
    RETRY = "retry scheduled"
    WARNING = "delay warning sent"
    GIVE_UP = "given up"
    DELIVERY = "delivery"
    BOUNCE = "bounce (NDR) sent"
    START = "start"  # steps before the first chapter proper (a trace that starts mid-way)


class FailureKind(str, Enum):
    REPLY = "error reply"
    DNS = "DNS error"
    TLS = "TLS failure"
    TIMEOUT = "timeout"
    REFUSED = "connection refused"
    GAVE_UP = "client gave up"
    BOUNCE = "bounce sent"
    ATTACK = "tampering"


@dataclass(frozen=True, slots=True)
class Chapter:
    """Steps ``start`` to ``end - 1`` (indexes into ``trace.events``)."""

    start: int
    end: int
    kind: ChapterKind
    title: str

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and self.start <= index < self.end


@dataclass(frozen=True, slots=True)
class Failure:
    index: int
    kind: FailureKind
    title: str


_SMTP_REPLY = re.compile(r"^([1-5]\d\d)([ -]|$)")
_IMAP_FAIL = re.compile(r"^[^*+\s]\S* (NO|BAD)\b")
_DNS_STATUS = re.compile(r"status: ([A-Z]+)")
_DEFERRED = re.compile(r"deferred \(.*\): (next attempt in .*)$")
_GIVING_UP = re.compile(r": (giving up .*)$")


class Outline:
    """Chapters, failures and key moments of one trace, worked out once in one pass."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        roles = {a.id: a.role for a in trace.actors}
        self.chapters: tuple[Chapter, ...] = tuple(_chapters(trace))
        self.failures: tuple[Failure, ...] = tuple(_failures(trace.events, roles))
        self.moments: tuple[KeyMoment, ...] = tuple(sorted(trace.moments, key=lambda m: m.index))
        self._starts = [c.start for c in self.chapters]
        self._failure_steps = [f.index for f in self.failures]
        self.prelude_end: int | None = _prelude_end(trace, self.chapters, roles)

    # -- where a step is ---------------------------------------------------------------------
    def chapter_number(self, index: int) -> int:
        """The chapter (0-based) step ``index`` is in."""
        return max(0, bisect_right(self._starts, index) - 1)

    def chapter_at(self, index: int) -> Chapter | None:
        return self.chapters[self.chapter_number(index)] if self.chapters else None

    def failure_at(self, index: int) -> Failure | None:
        for failure in self.failures:
            if failure.index == index:
                return failure
        return None

    def moment_at(self, index: int) -> KeyMoment | None:
        return next((m for m in self.moments if m.index == index), None)

    # -- jumps: None when there is nowhere to go ------------------------------------------------
    def next_chapter(self, index: int) -> int | None:
        number = bisect_right(self._starts, index)
        return self._starts[number] if number < len(self._starts) else None

    def previous_chapter(self, index: int) -> int | None:
        """The start of this chapter, or of the one before when already at its start (as a media player's back)."""
        number = self.chapter_number(index)
        if not self.chapters:
            return None
        if self._starts[number] < index:
            return self._starts[number]
        return self._starts[number - 1] if number > 0 else None

    def next_failure(self, index: int) -> int | None:
        k = bisect_right(self._failure_steps, index)
        return self._failure_steps[k] if k < len(self._failure_steps) else None

    def previous_failure(self, index: int) -> int | None:
        earlier = [i for i in self._failure_steps if i < index]
        return earlier[-1] if earlier else None

    def next_moment(self, index: int) -> int | None:
        """The next key moment after ``index``, wrapping round to the first."""
        if not self.moments:
            return None
        later = [m.index for m in self.moments if m.index > index]
        return later[0] if later else self.moments[0].index

    @property
    def first_failure(self) -> int | None:
        return self._failure_steps[0] if self._failure_steps else None

    @property
    def key_step(self) -> int | None:
        """The lesson's first key moment, else its first failure (None if neither)."""
        return self.moments[0].index if self.moments else self.first_failure


def _chapters(trace: Trace) -> list[Chapter]:
    events = trace.events
    starts: list[tuple[int, ChapterKind, str]] = []
    seen_conns: set[int] = set()
    conns = {c.id: c for c in trace.connections}
    for i, event in enumerate(events):
        opened = _opens(event, seen_conns)
        if opened is None:
            continue
        kind, title = opened
        if kind is ChapterKind.CONNECTION and event.conn is not None and event.conn in conns:
            c = conns[event.conn]
            title = f"{c.client} → {c.server}:{c.port} {c.protocol.value.upper()}"
        starts.append((i, kind, title))
    if events and (not starts or starts[0][0] != 0):
        starts.insert(0, (0, ChapterKind.START, "the start"))
    out = []
    for n, (start, kind, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(events)
        out.append(Chapter(start, end, kind, title))
    return out


def _opens(event: TraceEvent, seen_conns: set[int]) -> tuple[ChapterKind, str] | None:
    """The chapter ``event`` opens, if it opens one."""
    if event.conn is not None:
        if event.conn in seen_conns:
            return None
        seen_conns.add(event.conn)
        return ChapterKind.CONNECTION, f"{event.src} → {event.dst}"
    if event.kind is Kind.DNS and event.dir is Direction.CLIENT:
        return ChapterKind.DNS, f"DNS {_dns_question(event.text)}: {event.src} → {event.dst}"
    if event.kind is Kind.QUEUE:
        deferred = _DEFERRED.search(event.text)
        if deferred is not None:
            return ChapterKind.RETRY, f"{event.src}: retry scheduled, {deferred.group(1)}"
        giving_up = _GIVING_UP.search(event.text)
        if giving_up is not None:
            return ChapterKind.GIVE_UP, f"{event.src}: {giving_up.group(1)}"
        return None
    if event.kind is Kind.DELIVER:
        return ChapterKind.DELIVERY, f"{event.src}: {event.text}"
    if event.kind is Kind.BOUNCE:
        if event.text.startswith("delay warning"):
            return ChapterKind.WARNING, f"{event.src}: {event.text}"
        return ChapterKind.BOUNCE, f"NDR sent by {event.src}: {event.text}"
    return None


def _dns_question(text: str) -> str:
    """``;example.net.\tIN\tMX`` as ``example.net MX``."""
    parts = text.lstrip(";").split()
    if len(parts) >= 3:
        return f"{parts[0].rstrip('.')} {parts[-1]}"
    return text.lstrip(";").strip()


def _failures(events: Sequence[TraceEvent], roles: dict[str, str]) -> list[Failure]:
    out: list[Failure] = []
    continuing: dict[object, bool] = {}  # per connection: the last server line was "NNN-" (the reply goes on)
    for i, e in enumerate(events):
        failure = _failure(e, roles, continuing)
        if failure is not None:
            out.append(Failure(i, *failure))
    return out


def _failure(e: TraceEvent, roles: dict[str, str], continuing: dict[object, bool]) -> tuple[FailureKind, str] | None:
    if e.kind is Kind.SMTP and e.dir is Direction.SERVER and not e.content:
        match = _SMTP_REPLY.match(e.text)
        first_line = not continuing.get(e.conn, False)
        continuing[e.conn] = match is not None and match.group(2) == "-"
        if match is not None and first_line and e.text[0] in "45":
            return FailureKind.REPLY, f"{e.src} answers {_code_words(e.text)}"
        return None
    if e.kind is Kind.IMAP and e.dir is Direction.SERVER and _IMAP_FAIL.match(e.text):
        return FailureKind.REPLY, f"{e.src} answers {e.text.split(' ', 1)[1][:40]}"
    if e.kind is Kind.POP3 and e.dir is Direction.SERVER and e.text.startswith("-ERR"):
        return FailureKind.REPLY, f"{e.src} answers {e.text[:40]}"
    if e.kind is Kind.DNS and e.dir is Direction.SERVER:
        status = _DNS_STATUS.search(e.text)
        if status is not None and status.group(1) != "NOERROR":
            return FailureKind.DNS, f"{e.src} answers {status.group(1)}"
        return None
    if e.kind is Kind.TLS:
        if e.text.startswith("Alert:"):
            return FailureKind.TLS, f"{e.src}: TLS {e.text}"
        if "NOT valid" in e.text:
            return FailureKind.TLS, f"{e.src}: certificate NOT valid, accepted unchecked"
        return None
    if e.kind is Kind.TCP:
        if "timed out" in e.text:
            return FailureKind.TIMEOUT, f"{e.src} → {e.dst}: connection timed out"
        if e.text == "RST":
            return FailureKind.REFUSED, f"{e.src} refuses the connection (RST)"
        if "giving up" in e.text:
            return FailureKind.GAVE_UP, f"{e.src}: {e.text}"
        return None
    if e.kind is Kind.BOUNCE:
        word = "delay warning" if e.text.startswith("delay warning") else "NDR"
        return FailureKind.BOUNCE, f"{e.src}: {word} sent"
    if e.kind is Kind.NOTE:
        if e.text.startswith("not sent"):
            return FailureKind.GAVE_UP, f"{e.src}: {e.text[:60]}"
        if roles.get(e.src) == "attacker":
            return FailureKind.ATTACK, f"{e.src} (attacker): {e.text}"
    return None


def _code_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:2]) if len(words) > 1 and re.match(r"\d\.\d", words[1]) else words[0]


def _prelude_end(trace: Trace, chapters: Sequence[Chapter], roles: dict[str, str]) -> int | None:
    """The first chapter after the opening submissions (a MUA's sessions with its MSA), None if none.

    Every lesson opens with the same submission; skipping it lands where the
    lesson's own story begins (the MX lookup, a relay, a refusal).
    """
    conns = {c.id: c for c in trace.connections}
    last = -1
    for chapter in chapters:
        if chapter.kind is ChapterKind.START:
            continue
        event = trace.events[chapter.start]
        conn = conns.get(event.conn) if event.conn is not None else None
        if chapter.kind is ChapterKind.CONNECTION and conn is not None and roles.get(conn.server) == "msa" \
                and roles.get(conn.client) == "mua":
            last = max(last, max(i for i in range(chapter.start, len(trace.events))
                                 if trace.events[i].conn == conn.id))
            continue
        break
    if last < 0:
        return None
    return next((c.start for c in chapters if c.start > last), None)


def find_line(events: Sequence[TraceEvent], prefix: str, src: str | None = None, nth: int = 1) -> int | None:
    """The ``nth`` step whose line starts with ``prefix`` (and is said by ``src``, if given); None if none."""
    seen = 0
    for i, e in enumerate(events):
        if e.text.startswith(prefix) and (src is None or e.src == src):
            seen += 1
            if seen == nth:
                return i
    return None


class StartError(ValueError):
    """``--at`` / ``--step`` names a step this trace does not have; the message says why, in one line."""


AT_WORDS = ("failure", "key")


def start_step(outline: Outline, at: str | int) -> int:
    """The index to open on for ``--at failure|key|N`` (N counts from 1, as the status bar does)."""
    total = len(outline.trace.events)
    if isinstance(at, int) or at.isdigit():
        n = int(at)
        if not 1 <= n <= total:
            raise StartError(f"step {n} does not exist: {outline.trace.scenario} has steps 1 to {total}")
        return n - 1
    if at == "failure":
        if outline.first_failure is None:
            raise StartError(f"--at failure: nothing fails in {outline.trace.scenario} (try --at key or a step number)")
        return outline.first_failure
    if at == "key":
        if outline.key_step is None:
            raise StartError(f"--at key: {outline.trace.scenario} names no key moment and nothing fails in it "
                             "(try a step number)")
        return outline.key_step
    raise StartError(f"--at expects failure, key or a step number, found {at!r}")
