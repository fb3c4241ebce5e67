"""Our scripted SMTP client on a real connection, driven by asyncio.

``relay_session`` is one delivery attempt of the queue: it connects to the
live MX listener, tells it which MX host of the scenario the connection is
meant for (so its greeting, faults, certificate and ``Received:`` fit) and
runs the simulation's ``SMTPClient`` over the socket: STARTTLS with a real
handshake when offered (opportunistic, or verified against our CA when the
scenario's MSA says ``relay_tls = "verify"``), then the transaction, QUIT.
``drive_client`` is the loop itself, also used by ``--replay`` to submit the
scenario's messages like the sender's mail client would (587 with STARTTLS,
or 465 with implicit TLS; the certificate checked).

The listener traces the dialogue (it sees both directions), so nothing is
traced here.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from simulator.protocols.common import StartTLSReady
from simulator.protocols.smtp.client import OutgoingMessage, RecipientOutcome, SMTPClient, SMTPClientConfig, TLSPolicy

READ_TIMEOUT = 60.0  # seconds without a reply before the attempt counts as "no answer"
CLOSE_TIMEOUT = 2.0  # seconds to wait for the server to acknowledge the end of the connection


@dataclass
class RelayResult:
    results: dict[str, RecipientOutcome]  # empty: no transaction took place
    problem: str | None = None  # why not, when it did not: "refused", "timeout", "tls", "greeting ..."
    tls: str | None = None  # the TLS version, if the hop was encrypted


async def relay_session(
    address: tuple[str, int],
    *,
    helo: str,
    server_name: str,
    sender: str,
    recipients: tuple[str, ...],
    content: bytes,
    tls_context: ssl.SSLContext,
    register: Callable[[tuple[str, int]], Callable[[], None]],
    timeout: float = READ_TIMEOUT,
) -> RelayResult:
    """Deliver one message to the MX listening at ``address``.

    ``register(local_address)`` announces the connection to the listener
    before it is made and returns the function that withdraws it.
    """
    client = SMTPClient(SMTPClientConfig(helo_name=helo, tls=TLSPolicy.OPPORTUNISTIC),
                        [OutgoingMessage(sender, recipients, content)])
    problem, tls_version = await drive_client(address, client, tls_context=tls_context, server_name=server_name,
                                              register=register, timeout=timeout)
    results = dict(client.results[0]) if client.results else {}
    if not results and problem is None and client.session_failure is not None:
        failure = client.session_failure
        problem = f"{failure.stage}: {failure.code} {failure.text}"
    return RelayResult(results, problem, tls_version)


async def drive_client(
    address: tuple[str, int],
    client: SMTPClient,
    *,
    tls_context: ssl.SSLContext,
    server_name: str,
    implicit: bool = False,
    register: Callable[[tuple[str, int]], Callable[[], None]] | None = None,
    timeout: float = READ_TIMEOUT,
) -> tuple[str | None, str | None]:
    """Run ``client`` against the server at ``address`` until it is done.

    Returns (the problem that cut the session short, or None; the TLS version used, if any).
    """
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    unregister: Callable[[], None] | None = None
    writer: asyncio.StreamWriter | None = None
    tls_version = None
    try:
        sock.bind((address[0], 0))
        if register is not None:
            unregister = register(sock.getsockname()[:2])
        try:
            async with asyncio.timeout(timeout):
                await loop.sock_connect(sock, address)
        except (ConnectionRefusedError, OSError) as exc:
            sock.close()
            return ("refused" if isinstance(exc, ConnectionRefusedError) else f"connect: {exc}"), None
        if implicit:
            try:
                async with asyncio.timeout(timeout):
                    reader, writer = await asyncio.open_connection(sock=sock, ssl=tls_context,
                                                                   server_hostname=server_name)
            except (ssl.SSLError, ConnectionError, OSError, TimeoutError) as exc:
                return f"tls: {exc}", None
            tls_version = _version(writer)
        else:
            reader, writer = await asyncio.open_connection(sock=sock)
        while not client.closed:
            try:
                async with asyncio.timeout(timeout):
                    data = await reader.read(65536)
            except TimeoutError:
                client.connection_lost()
                return "timeout", tls_version
            except (ConnectionError, ssl.SSLError):
                data = b""
            if not data:
                client.connection_lost()
                break
            events = client.receive_data(data)
            out = client.data_to_send()
            if out:
                writer.write(out)
            if any(isinstance(e, StartTLSReady) for e in events):
                try:
                    await writer.start_tls(tls_context, server_hostname=server_name)
                except (ssl.SSLError, ConnectionError, OSError, TimeoutError) as exc:
                    return f"tls: {exc}", tls_version
                tls_version = _version(writer)
                client.tls_established()
                writer.write(client.data_to_send())
            await writer.drain()
        return None, tls_version
    except (ConnectionError, OSError) as exc:
        return f"connection: {exc}", tls_version
    except asyncio.CancelledError:
        if writer is not None:
            writer.transport.abort()  # stopping: no goodbye (a TLS close could wait for the peer)
            writer = None
        raise
    finally:
        if writer is not None:
            writer.close()
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await writer.wait_closed()
            except (ConnectionError, OSError, ssl.SSLError, TimeoutError):
                writer.transport.abort()
        elif sock.fileno() != -1:
            sock.close()
        if unregister is not None:
            unregister()


def _version(writer: asyncio.StreamWriter) -> str:
    ssl_object = writer.get_extra_info("ssl_object")
    return ssl_object.version() if ssl_object is not None else "TLS"
