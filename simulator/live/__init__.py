"""Live mode: the scenario's servers on real sockets, for real mail clients.

The same sans-I/O state machines as the simulation, driven by asyncio
(``server``), with real TLS (``certs``), mailboxes and a relay queue kept in
Maildirs (``store``, ``spool``, ``queue``), a DNS server for the scenario's
zones (``dns``), and a trace that grows as sessions happen (``trace``).
Start it with ``smtpsim live`` or :class:`LiveMode` / :class:`LiveThread`.
"""

from simulator.live.runtime import LiveMode, LiveOptions, LiveThread, default_data_dir
from simulator.live.trace import LiveTrace

__all__ = ["LiveMode", "LiveOptions", "LiveThread", "LiveTrace", "default_data_dir"]
