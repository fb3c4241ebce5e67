"""One screen per mode: the player, and the picker and help on top of it."""
