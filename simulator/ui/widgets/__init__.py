"""The player's widgets: each takes data and posts messages (see ``simulator.ui.messages``)."""
