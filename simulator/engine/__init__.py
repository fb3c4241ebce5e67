"""The discrete-event engine: a simulated clock and a heap of scheduled work."""

from simulator.engine.core import EmptySchedule, Environment, Process, Signal

__all__ = ["EmptySchedule", "Environment", "Process", "Signal"]
