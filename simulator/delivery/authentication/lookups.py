"""How a synchronous library's DNS lookups become ``Ask`` steps of a sans-I/O check.

dkimpy and pyspf each call a DNS function and wait for its answer. The check
generators here cannot wait: they yield an ``Ask`` and get the answer later
(the simulation's clock, live mode's resolver). So each evaluation is run
against the answers gathered so far; a lookup not yet answered raises
``NeedAnswer``, which the generator turns into an ``Ask``, and the library is
run again from the start once the answer is in. The libraries are pure given
their DNS answers, so the reruns ask the same questions in the same order and
the trace shows each query once, in the order the library made it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

import dns.rdatatype

from simulator.delivery.connectcheck import Ask, Say
from simulator.dns import DNSAnswer
from simulator.scenario.faults import FaultKind

T = TypeVar("T")
Step = Ask | Say
Explain = Callable[[str, str], tuple[str, str]]  # (name, rdtype) -> (explanation, RFC)
# (name, rdtype) -> the zone fault whose rewritten zones answer it (an instructor's toggle), or None
ZoneFault = Callable[[str, str], "tuple[FaultKind, str] | None"]


class NeedAnswer(Exception):
    """Raised inside a library's DNS function: this question has not been answered yet."""

    def __init__(self, name: str, rdtype: str) -> None:
        super().__init__(f"{name} {rdtype}")
        self.name = name
        self.rdtype = rdtype


class Answers:
    """The answers gathered so far, by (name, type); None is "the resolver did not answer"."""

    def __init__(self) -> None:
        self._got: dict[tuple[str, str], DNSAnswer | None] = {}

    @staticmethod
    def key(name: str, rdtype: str) -> tuple[str, str]:
        return (name.rstrip(".").lower(), rdtype.upper())

    def get(self, name: str, rdtype: str) -> DNSAnswer | None:
        """The answer, or raise ``NeedAnswer`` if the question is new."""
        key = self.key(name, rdtype)
        if key not in self._got:
            raise NeedAnswer(key[0], key[1])
        return self._got[key]

    def put(self, name: str, rdtype: str, answer: DNSAnswer | None) -> None:
        self._got[self.key(name, rdtype)] = answer


def txt_strings(answer: DNSAnswer | None, rdtype: str = "TXT") -> list[tuple[bytes, ...]]:
    """Each TXT record of an answer as its character-strings, in order (RFC 1035 §3.3.14)."""
    if answer is None:
        return []
    want = dns.rdatatype.from_text(rdtype)
    return [tuple(rd.strings) for rrset in answer.message.answer if rrset.rdtype == want for rd in rrset]


def txt_joined(answer: DNSAnswer | None) -> list[str]:
    """Each TXT record's strings joined with nothing between them (RFC 7208 §3.3, RFC 6376 §3.6.2.2)."""
    return [b"".join(strings).decode("ascii", "replace") for strings in txt_strings(answer)]


def replay(run: Callable[[Answers], T], answers: Answers, explain: Explain,
           zone_fault: ZoneFault | None = None) -> Generator[Step, DNSAnswer | None, T]:
    """Run ``run`` until it needs no new answer; ``Ask`` for each new question on the way."""
    while True:
        try:
            return run(answers)
        except NeedAnswer as need:
            text, rfc = explain(need.name, need.rdtype)
            fault = zone_fault(need.name, need.rdtype) if zone_fault else None
            got = yield Ask(need.name, need.rdtype, text, rfc, fault)
            answers.put(need.name, need.rdtype, got)
