"""Where the player's screens find their styles (read when the first of them opens)."""

from __future__ import annotations

from simulator.paths import assets_dir

SCREENS_CSS = str(assets_dir() / "styles" / "screens.tcss")
