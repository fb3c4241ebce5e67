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


def topic_name(text: str):  # -> Topic (imported lazily: --help needs none of it)
    """An argparse ``type`` for ``--topic``: a value of the one topic list."""
    from simulator.scenario.topics import Topic, parse_topic

    topic = parse_topic(text.strip().lower())
    if topic is None:
        raise argparse.ArgumentTypeError(f"--topic expects one of {', '.join(t.value for t in Topic)}; found {text!r}")
    return topic


def profile_name(text: str) -> str:
    """An argparse ``type`` for ``--profile``: a name that can be a file name."""
    from simulator.progress.paths import ProfileError, check_profile

    try:
        return check_profile(text)
    except ProfileError as exc:
        raise argparse.ArgumentTypeError(f"--profile: {exc}") from None


seed = whole_number("--seed")  # every subcommand's --seed
