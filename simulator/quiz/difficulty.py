"""How hard a quiz question is: its own module, so ``smtpsim quiz --difficulty`` needs no dataclasses."""

from __future__ import annotations

from enum import IntEnum


class Difficulty(IntEnum):
    EASY = 1
    MEDIUM = 2
    HARD = 3
