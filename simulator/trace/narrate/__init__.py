"""Narrators cut a connection's bytes into trace lines and explain each one.

They read the wire, as a student with a packet capture would; they never look
inside the state machines. Every explanation names the RFC section that rules
the step.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    """One narrated trace line: the text, its explanation and the RFC section that rules it."""

    text: str
    explain: str
    rfc: str | None = None
    content: bool = False
