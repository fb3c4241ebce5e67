"""The base class of the delivery planner's requests (``planner`` re-exports it).

A module of its own so that ``_actions_more`` (the rare actions) can subclass
it without importing ``planner``, which imports ``_actions_more``.
"""

from __future__ import annotations

__all__ = ["Action"]


class Action:
    """Base class of the planner's requests."""

    __slots__ = ()
