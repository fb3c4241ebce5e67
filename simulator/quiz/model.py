"""A quiz question, as every front end (terminal UI, JSON, GIFT, Markdown) reads it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any


class Difficulty(IntEnum):
    EASY = 1
    MEDIUM = 2
    HARD = 3


@dataclass(frozen=True)
class Question:
    scenario: str
    kind: str  # which generator made it: "port", "tls-mode", "reply-code", ...
    difficulty: Difficulty
    question: str
    choices: tuple[str, ...]  # distinct, the answer among them
    answer: str
    explanation: str
    rfc: str
    step: int | None = None  # the trace step that shows the answer (None for authored questions)

    def __post_init__(self) -> None:
        if len(set(self.choices)) != len(self.choices) or len(self.choices) < 3:
            raise ValueError(f"a question needs at least 3 distinct choices: {self.choices!r}")
        if self.answer not in self.choices:
            raise ValueError(f"the answer {self.answer!r} is not among the choices")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        data["difficulty"] = self.difficulty.name.lower()
        return data
