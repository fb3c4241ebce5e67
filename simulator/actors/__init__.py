"""The actors of a scenario, run on the discrete-event engine."""
