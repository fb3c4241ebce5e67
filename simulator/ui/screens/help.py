"""Help: every key, and which port carries what with which protection."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from simulator.ui.screens.css import SCREENS_CSS

KEYS: tuple[tuple[str, str], ...] = (
    ("space", "play / pause"),
    ("→ n  ← p", "next / previous step"),
    ("home end", "first / last step"),
    ("+  -", "faster / slower"),
    ("] [", "next / previous chapter"),
    ("! @", "next / previous failure"),
    ("k  >", "key moment / skip submission"),
    ("l", "chapter list"),
    ("P  i", "presenter layout / notes"),
    ("pgdn pgup", "scroll the explanation"),
    ("↑↓ enter", "pick an event row"),
    ("click", "a row, or an actor's box"),
    ("c", "fold / unfold content"),
    ("s", "open another scenario"),
    ("f", "faults (instructor)"),
    ("v", "versus: compare two runs"),
    ("x  1-4", "predict mode / answer"),
    ("g", "progress: topics, chart"),
    ("t", "dark / light theme"),
    ("ctrl+p", "every action, by name"),
    ("?  q", "this help / quit"),
    ("esc", "close help, lesson card"),
)

PORTS: tuple[tuple[str, str, str], ...] = (
    ("25", "relay, MTA to MTA", "STARTTLS when offered (opportunistic), else plain: still the standard here"),
    ("587", "submission, MUA to MSA", "STARTTLS, then AUTH (RFC 6409): still standard. Some course tables "
            "call it \"SMTPS\" or \"SMTP (TLS)\""),
    ("465", "submission, implicit TLS", "TLS from the first byte; RFC 8314 (2018) recommends it and asks "
            "servers to offer 587 too. Old notes call 465 deprecated; many tables call it \"SMTPS\""),
    ("143 / 993", "IMAP: the MUA reads mail", "STARTTLS / implicit TLS (RFC 8314 recommends 993)"),
    ("110 / 995", "POP3: the MUA fetches mail", "STLS / implicit TLS (RFC 8314 recommends 995)"),
)

GLYPHS = (
    "[ ] plain  [~] upgrading or handshake  [#] STARTTLS or implicit TLS\n"
    "Roles: MUA mail client · MSA submission server · MTA relay (the MX receives) · MDA puts mail in the mailbox\n"
    "Labels such as \"SMTPS\" differ between course tables: learn the port and its TLS mode."
)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = SCREENS_CSS
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(self._keys(), id="help-keys")
            yield Static(self._ports(), id="help-ports")

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Help"
        self.query_one("#help").border_subtitle = "esc closes"

    def action_close(self) -> None:
        self.dismiss(None)

    @staticmethod
    def _keys() -> Table:
        table = Table.grid(padding=(0, 1), expand=True)
        # Two pairs of columns: all keys fit on a small terminal.
        for _ in range(2):
            table.add_column(style="bold", no_wrap=True, min_width=9)
            table.add_column(ratio=1)
        half = (len(KEYS) + 1) // 2
        for left, right in zip(KEYS[:half], KEYS[half:] + (("", ""),)):
            table.add_row(*left, *right)
        return table

    @staticmethod
    def _ports() -> Table:
        table = Table(title=Text("Ports", style="bold underline"), title_justify="left", expand=True, box=None,
                      padding=(0, 1), show_edge=False, pad_edge=False)
        table.add_column("port", style="bold", no_wrap=True)
        table.add_column("use", ratio=3)
        table.add_column("protection", ratio=5)
        for row in PORTS:
            table.add_row(*row)
        table.caption = Text(GLYPHS)  # a Text: "[#]" would otherwise be read as markup
        table.caption_justify = "left"
        return table
