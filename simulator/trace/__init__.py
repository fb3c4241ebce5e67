"""The trace: the one interface between the engine and everything that shows it."""

from simulator.trace.events import (
    ActorInfo,
    ConnectionInfo,
    Direction,
    Kind,
    TLSMode,
    Trace,
    TraceEvent,
)

__all__ = ["ActorInfo", "ConnectionInfo", "Direction", "Kind", "TLSMode", "Trace", "TraceEvent"]
