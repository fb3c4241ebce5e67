"""The one error a bad scenario produces."""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario that cannot be used; the message is what a user reads.

    Formatted ``FILE: key: expected ..., found ...`` so that a student who
    edits a scenario can go straight to the line at fault.
    """

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source = source
        self.key = key
        self.detail = message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)
