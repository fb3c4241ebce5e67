"""Named points where a test may make live mode die at once, as a power cut would.

``SMTPSIM_CRASH_AT=relayed smtpsim live ...`` ends the process with status
70 the first time the queue reaches ``relayed`` (the MX said 250, the queue
has not noted it yet). Nothing is flushed or closed: that is the point. The
exactly-once test kills live mode there and checks that a restart does not
deliver the message twice. Without the variable this does nothing.
"""

from __future__ import annotations

import os

ENV = "SMTPSIM_CRASH_AT"
EXIT_STATUS = 70


def reached(name: str) -> None:
    if os.environ.get(ENV) == name:
        os._exit(EXIT_STATUS)
