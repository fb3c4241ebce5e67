"""Option value checks for argparse: one clear message that names the option."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(option: str, minimum: int = 0, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number in a range, e.g. ``--seed``."""

    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} expects a whole number, found {text!r}") from None
        if maximum is not None and not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{option} expects {minimum} to {maximum}, found {value}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{option} expects a number >= {minimum}, found {value}")
        return value

    return check
