"""A lesson's one-page handout in Markdown (``smtpsim handout``): read from its trace alone.

Goals, the key exchange as a transcript excerpt, what the key step means
(the reply code decoded, the explanation, its RFC section), the debrief,
the questions for the class and the instructor's notes. The key step is
the lesson's first key moment (``[[moments]]``), else its first failure,
else its first delivery.
"""

from __future__ import annotations

import re

from simulator.protocols.smtp.meanings import describe
from simulator.trace.chapters import ChapterKind, Outline
from simulator.trace.events import Direction, Kind, Trace, TraceEvent

BEFORE = 5  # lines of the same exchange before the key step
AFTER = 2  # ... and after it
_REPLY = re.compile(r"^(\d{3})(?:[ -]|$)(?:(\d\.\d{1,3}\.\d{1,3})(?: |$))?")


def key_step(outline: Outline) -> int:
    """The step a handout is about: key moment, else first failure, else first delivery, else the first step."""
    if outline.key_step is not None:
        return outline.key_step
    delivery = next((c.start for c in outline.chapters if c.kind is ChapterKind.DELIVERY), None)
    return delivery if delivery is not None else 0


def excerpt(trace: Trace, index: int) -> list[tuple[int, str]]:
    """(step index, line as the transcript shows it) around ``index``, from the same exchange."""
    events = trace.events
    target = events[index]

    def same(e: TraceEvent) -> bool:
        if target.conn is not None:
            return e.conn == target.conn
        return e.conn is None and (e.kind is target.kind or {e.src, e.dst} == {target.src, target.dst})

    before = [i for i in range(index - 1, -1, -1) if same(events[i])][:BEFORE][::-1]
    after = [i for i in range(index + 1, len(events)) if same(events[i])][:AFTER]
    return [(i, transcript_line(events[i])) for i in (*before, index, *after)]


def transcript_line(e: TraceEvent) -> str:
    if e.content:
        return f"{e.dir.value if e.dir else ''}: (message content, {len(e.text.splitlines())} lines)"
    text = e.text.expandtabs(8)
    if e.dir is not None:
        return f"{e.dir.value}: {text}"
    return f"({e.kind.value}) {e.src}: {text}"


def decoded(e: TraceEvent) -> list[str]:
    """An SMTP reply code (and enhanced code) in words, one item each."""
    if e.kind is not Kind.SMTP or e.dir is not Direction.SERVER:
        return []
    match = _REPLY.match(e.text)
    if match is None:
        return []
    return [p.strip() for p in describe(int(match.group(1)), match.group(2)).split("; ") if p.strip()]


def render_handout(trace: Trace) -> str:
    """The handout's Markdown text."""
    outline = Outline(trace)
    out: list[str] = [f"# {trace.title}", "",
                      f"Lesson `{trace.scenario}` (seed {trace.seed}, {len(trace.events)} steps). "
                      f"Open it with `smtpsim play {trace.scenario} --at key --presenter`.", "",
                      trace.summary, ""]
    if trace.goals:
        out += ["## Goals", ""] + [f"- {g}" for g in trace.goals] + [""]
    if trace.events:
        k = key_step(outline)
        event = trace.events[k]
        moment, failure = outline.moment_at(k), outline.failure_at(k)
        heading = moment.title if moment is not None else failure.title if failure is not None else "A step to stop at"
        chapter = outline.chapter_at(k)
        out += [f"## The key exchange: {heading}", "",
                f"Step {k + 1} of {len(trace.events)}" + (f", in chapter “{chapter.title}”" if chapter else "")
                + f" (`smtpsim play {trace.scenario} --step {k + 1}`).", "", "```text"]
        for i, line in excerpt(trace, k):
            out.append(("▶ " if i == k else "  ") + line)
        out += ["```", "", "## What it means", ""]
        for item in decoded(event):
            code, _, words = item.partition(": ")
            out.append(f"- **{code}**: {words}" if words else f"- {item}")
        if decoded(event):
            out.append("")
        out += [event.explain or "(no explanation for this step)", ""]
        if event.rfc:
            out += [f"Reference: {event.rfc}.", ""]
    if trace.debrief.strip():
        out += ["## Debrief", "", " ".join(trace.debrief.split()), ""]
    questions = [note for m in outline.moments for note in m.notes]
    if questions:
        out += ["## Questions for the class", ""] + [f"{n}. {q}" for n, q in enumerate(questions, 1)] + [""]
    out += ["## Instructor notes", ""]
    if outline.moments:
        for m in outline.moments:
            out.append(f"- Key moment, step {m.index + 1}: {m.title} (`k` in the player; `i` shows its questions).")
    if outline.failures:
        listed = "; ".join(f"step {f.index + 1}, {f.title}" for f in outline.failures[:6])
        more = f" and {len(outline.failures) - 6} more" if len(outline.failures) > 6 else ""
        out.append(f"- Failures in this run (`!` jumps to the next): {listed}{more}.")
    else:
        out.append("- Nothing fails in this run: it is the reference every failure lesson differs from.")
    if outline.prelude_end is not None:
        out.append(f"- Every lesson opens with the same submission: `>` skips it (to step {outline.prelude_end + 1}).")
    out.append(f"- {len(outline.chapters)} chapters (`]` and `[` move between them, `l` lists them).")
    return "\n".join(out).rstrip() + "\n"
