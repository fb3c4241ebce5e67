"""``smtpsim serve``'s web server: textual-serve, on a socket the CLI has bound already.

textual-serve (the Textual project's server) gives each browser tab a page with a terminal
(xterm.js) and a WebSocket that runs ``command`` for it; simulator/cli/serve.py checks the
options, binds the socket and builds that command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket


def serve(command: str, listener: socket.socket, public_url: str, local: str) -> None:
    """Serve the player with textual-serve on ``listener``, each tab running ``command``, until Ctrl+C."""
    from aiohttp import web
    from textual_serve.server import Server

    host, port = listener.getsockname()[:2]

    class SmtpsimServer(Server):
        async def on_startup(self, app: web.Application) -> None:
            pass  # textual-serve's banner names the command; the line below says what to open

        def serve(self, debug: bool = False) -> None:
            # textual-serve's own serve() binds by host and port; this one serves the socket bound
            # already, with textual-serve's routes and page (its _make_app: why pyproject pins the
            # version). The URL line is printed once it accepts connections (aiohttp's ``print``).
            self.debug = debug
            self.initialize_logging()
            # A tab left open keeps its WebSocket handler waiting for the browser; aiohttp's default
            # 60 s of grace would hold Ctrl+C that long. After 2 s the handlers are cancelled, which
            # closes each socket and stops its player (textual-serve's own finally clauses).
            web.run_app(self._make_app(), sock=listener, handle_signals=True, print=announce,
                        shutdown_timeout=2.0)

    def announce(*_: object) -> None:
        print(f"smtpsim serve: listening on {local}/ - open {public_url}/ in a browser; "
              "each tab gets its own player. Ctrl+C stops.", flush=True)

    SmtpsimServer(command, host=host, port=port, title="smtpsim", public_url=public_url).serve()
