"""Sans-I/O protocol state machines: bytes in, events and bytes out.

Nothing here touches sockets, clocks, the engine, the trace or the UI (an
import-linter contract in pyproject.toml enforces it). The engine drives these
objects in simulation; asyncio drives the same objects in live mode.

Every server machine has one interface (``common.ServerConnection``) and
reports TLS upgrades, logins and the end of a connection with the same event
types (``common``), so a driver never asks which protocol it drives.
"""
