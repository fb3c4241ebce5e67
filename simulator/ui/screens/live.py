"""``smtpsim live --ui``: the player on a live trace, with how to connect on a card of its own.

What plain ``smtpsim live`` prints at start (the ports, the accounts and
passwords, the CA certificate to trust) is the card the player opens on; it
stays until esc or ``i`` puts it away (a student types the password into a
client while sessions already run), and ``i`` brings it back.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.screen import ActiveBinding

from simulator.trace.events import Trace
from simulator.ui.screens.player import PlayerScreen

# No library, no base scenario: these keys only say so, so the footer leaves them out.
_NOT_LIVE = frozenset({"scenarios", "faults", "compare"})


class LivePlayerScreen(PlayerScreen):
    """The player with no scenario library and a connect card (``i``)."""

    BINDINGS = [
        Binding("i", "connect_info", "connect", tooltip="How to connect: ports, accounts and the CA certificate"),
    ]

    def __init__(self, trace: Trace, info: str = "") -> None:
        super().__init__(trace, loader=None)
        self.info = info

    def on_mount(self) -> None:
        super().on_mount()
        self.action_connect_info()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        return {key: active._replace(binding=replace(active.binding, show=False))
                if active.binding.action in _NOT_LIVE else active for key, active in bindings.items()}

    def action_connect_info(self) -> None:
        if not self.info:
            self.notify("No connection details in this run.", severity="warning")
        elif self.lesson.kind == "note":
            self.lesson.hide()
        else:
            self.lesson.show_note("Connect a mail client", self.info, "esc or i: hide · i: show again")
