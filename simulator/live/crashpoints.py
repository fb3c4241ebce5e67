"""Named points where a test may make live mode die at once, as a power cut would.

``SMTPSIM_CRASH_AT=relayed smtpsim live ...`` ends the process with status
70 the first time live mode reaches ``relayed``. Nothing is flushed or
closed: that is the point. The crash tests kill live mode at each step of a
message's way, spool -> queue -> relay -> store, restart it on the same
data directory and check that every message acknowledged with 250 is in the
mailbox exactly once. Without the variable this does nothing.
"""

from __future__ import annotations

import os
from enum import Enum

ENV = "SMTPSIM_CRASH_AT"
EXIT_STATUS = 70


class CrashPoint(Enum):
    """Each step of a message's way, in order."""

    SPOOLED = "spooled"  # the MSA's queue file is on disk; the client has not been told 250
    ANSWERED = "answered"  # the MSA's 250 to the final dot is sent; the queue has not tried yet
    RELAYING = "relaying"  # the queue is about to connect to the MX
    STORED = "stored"  # the MX's Maildir file is linked; its UID line is not written
    LISTED = "listed"  # the UID line is written; the MX has not said 250
    RELAYED = "relayed"  # the MX said 250; the queue has not noted it
    REMOVED = "removed"  # the queue file is removed; the queue has not forgotten the entry


def reached(point: CrashPoint) -> None:
    if os.environ.get(ENV) == point.value:
        os._exit(EXIT_STATUS)


def problem() -> str | None:
    """One sentence if the variable names no crash point (a typo would otherwise crash nowhere)."""
    name = os.environ.get(ENV)
    if name is None or name in {p.value for p in CrashPoint}:
        return None
    return f"{ENV}={name!r} is not a crash point; expected one of {', '.join(p.value for p in CrashPoint)}"
