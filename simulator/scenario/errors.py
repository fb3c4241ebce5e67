"""The one error a bad scenario produces."""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario that cannot be used; the message is what a user reads.

    Formatted ``FILE: key: expected ..., found ...`` so that a student who
    edits a scenario can go straight to the line at fault.
    """

    def __init__(self, source: str, key: str, message: str, *, line: int | None = None) -> None:
        self.source = source
        self.key = key
        self.detail = message
        self.line = line  # in ``source``, when known: ``FILE:LINE: key: ...`` as compilers print it
        place = f"{source}:{line}" if line is not None else source
        where = f"{place}: {key}: " if key else f"{place}: "
        super().__init__(where + message)
