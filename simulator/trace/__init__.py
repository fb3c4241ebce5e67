"""The trace: the one interface between the engine and everything that shows it.

The names below are imported on first use (PEP 562), so importing one module
of the package (``cache``, ``jsonl``) loads only what that module needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.trace.events import ActorInfo, ConnectionInfo, Direction, Kind, TLSMode, Trace, TraceEvent

__all__ = ["ActorInfo", "ConnectionInfo", "Direction", "Kind", "TLSMode", "Trace", "TraceEvent"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'simulator.trace' has no attribute {name!r}")
    from simulator.trace import events

    value = getattr(events, name)
    globals()[name] = value
    return value
