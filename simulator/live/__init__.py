"""Live mode: the scenario's servers on real sockets, for real mail clients.

The same sans-I/O state machines as the simulation, driven by asyncio
(``server``), with real TLS (``certs``), mailboxes and a relay queue kept in
Maildirs (``store``, ``spool``, ``queue``), a DNS server for the scenario's
zones (``dns``), and a trace that grows as sessions happen (``trace``).
Start it with ``smtpsim live`` or :class:`LiveMode` / :class:`LiveThread`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LiveMode", "LiveOptions", "LiveThread", "LiveTrace", "default_data_dir"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that ``simulator.live.certs`` (which the capture export uses)
    # does not start the whole runtime.
    if name == "LiveTrace":
        from simulator.live.trace import LiveTrace
        return LiveTrace
    if name in __all__:
        from simulator.live import runtime
        return getattr(runtime, name)
    raise AttributeError(f"module 'simulator.live' has no attribute {name!r}")
