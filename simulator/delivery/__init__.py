"""The delivery core that the simulation and live mode share, written once and sans-I/O.

- ``planner``: what a sending MTA's queue does next (MX order, retries, DSNs);
- ``policies`` and ``servers``: the servers' decisions and the one factory that builds them;
- ``site``: the small hooks (clock, ids, enqueue, store) a world provides, and who is who;
- ``dns``, ``faults``: the zones as faults rewrite them, the faults in force;
- ``outcomes``: queue entries, the ledger, and the outcome lines both drivers print.

Nothing here runs an engine, an event loop or a clock: the simulation
(``simulator.actors``) and live mode (``simulator.live``) drive it.
"""
