"""A thin loopback adapter: real TCP (and real TLS) around our sans-I/O servers.

Used only by the interoperability tests, so that clients nobody here wrote
(Python's smtplib, imaplib, poplib) can talk to the state machines. One
thread accepts on 127.0.0.1 (port 0: the OS picks a free one) and one thread
serves each connection: bytes from the socket go to ``receive_data()``, and
``data_to_send()`` goes back. When the server asks for TLS (its
``StartTLSRequested`` event) the socket is wrapped with a real ``ssl`` server
context, then ``tls_established()`` is called; for implicit TLS the socket is
wrapped before ``start()``. Every socket has a timeout, so a confused client
or server fails the test instead of hanging it.

What the server reported (its events) and any exception in a serving thread
are kept for the test to check.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any

from simulator.protocols import imap, pop3, smtp

TIMEOUT = 10.0  # seconds, for every socket operation

_STARTTLS_EVENTS = (smtp.StartTLSRequested, imap.StartTLSRequested, pop3.StartTLSRequested)


class LoopbackServer:
    """Serve ``factory()`` (a fresh state machine per connection) on 127.0.0.1.

    Use as a context manager; ``port`` is where to connect. ``tls`` is the
    server-side ``ssl.SSLContext`` for STARTTLS and implicit TLS.
    """

    def __init__(self, factory: Callable[[], Any], tls: ssl.SSLContext, *, implicit_tls: bool = False) -> None:
        self.factory = factory
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.events: list[Any] = []  # every event of every connection, in order
        self.servers: list[Any] = []  # the state machines, one per connection
        self.errors: list[BaseException] = []  # exceptions raised in serving threads
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # accept() polls, so the thread stops promptly
        self.port: int = self._listener.getsockname()[1]
        self._stopping = threading.Event()

    def __enter__(self) -> LoopbackServer:
        thread = threading.Thread(target=self._accept_loop, name="loopback-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._listener.close()
        for thread in list(self._threads):
            thread.join(TIMEOUT)

    def events_of(self, kind: type) -> list[Any]:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_idle(self) -> None:
        """Wait for every connection's thread to finish (the client has closed)."""
        for thread in list(self._threads[1:]):
            thread.join(TIMEOUT)

    # --- threads ---------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue  # look at _stopping again
            except OSError:
                return  # the listener was closed
            thread = threading.Thread(target=self._serve, args=(conn,), name="loopback-conn", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        sock: socket.socket = conn
        try:
            sock.settimeout(TIMEOUT)
            if self.implicit_tls:
                sock = self.tls.wrap_socket(sock, server_side=True)  # RFC 8314: TLS first
            server = self.factory()
            with self._lock:
                self.servers.append(server)
            self._record(server.start())
            sock.sendall(server.data_to_send())
            while not server.closed:
                try:
                    data = sock.recv(65536)
                except (ssl.SSLEOFError, ConnectionResetError):
                    data = b""  # closed without a TLS close_notify: still just the end
                if not data:
                    # The peer went away without QUIT/LOGOUT.
                    if isinstance(server, smtp.SMTPServer):
                        self._record(server.connection_lost())
                    else:
                        self._record(server.receive_data(b""))
                    break
                events = server.receive_data(data)
                self._record(events)
                sock.sendall(server.data_to_send())
                if any(isinstance(e, _STARTTLS_EVENTS) for e in events):
                    sock = self.tls.wrap_socket(sock, server_side=True)  # the real handshake
                    server.tls_established()
            out = server.data_to_send()
            if out:
                sock.sendall(out)
        except BaseException as exc:  # reported to the test, never swallowed
            with self._lock:
                self.errors.append(exc)
        finally:
            sock.close()

    def _record(self, events: list[Any] | None) -> None:
        if events:
            with self._lock:
                self.events.extend(events)
