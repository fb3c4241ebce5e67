"""A SYN into the void: each retransmission is labelled with the wait since the previous SYN.

RFC 6298 §2.1 starts the retransmission timer at 1 second and §5.5 doubles it
on each expiry ("back off the timer"): 1, 2, 4, 8 s between SYNs.
"""

import re

import pytest

from simulator.trace import Kind


@pytest.mark.parametrize("name", ["mx-failover", "retry-expired"])
def test_syn_retransmissions_say_the_wait_since_the_previous_syn(trace, name):
    events = trace(name).events
    first = next(i for i, e in enumerate(events) if e.kind is Kind.TCP and e.text == "SYN → port 25"
                 and any(x.text.startswith("SYN (retransmitted") for x in events[i + 1:i + 2]))
    syns = [events[first]]
    for e in events[first + 1:]:
        if e.kind is Kind.TCP and e.text.startswith("SYN (retransmitted"):
            syns.append(e)
        elif e.kind is Kind.TCP:
            break
    labels = [float(re.search(r"after (\d+(?:\.\d+)?) s", e.text).group(1)) for e in syns[1:]]
    assert labels == [1, 2, 4, 8]
    # Each label is the time that really passed since the previous SYN, in the trace.
    assert [round(b.t - a.t, 6) for a, b in zip(syns, syns[1:])] == labels
    assert all(e.rfc == "RFC 6298 §5.5" for e in syns[1:])
