"""One delivery attempt over a real loopback connection: our SMTPClient, driven by asyncio.

The queue calls :func:`relay_session` with the MX it chose; this connects to
the live MX listener, tells it which MX host of the scenario the connection
is meant for (so its greeting, faults and ``Received:`` fit), and runs the
simulation's scripted ``SMTPClient`` over the socket: STARTTLS with a real
handshake when offered (opportunistic, or verified against our CA when the
scenario's MSA says ``relay_tls = "verify"``), then the transaction, then QUIT.

The listener traces the dialogue (it sees both directions), so nothing is
traced here.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from simulator.protocols.smtp import StartTLSReady
from simulator.protocols.smtp.client import OutgoingMessage, RecipientOutcome, SMTPClient, SMTPClientConfig, TLSPolicy

READ_TIMEOUT = 60.0  # seconds without a reply before the attempt counts as "no answer"
CLOSE_TIMEOUT = 2.0  # seconds to wait for the MX to acknowledge the end of the connection


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
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    unregister: Callable[[], None] | None = None
    writer: asyncio.StreamWriter | None = None
    tls_version = None
    try:
        sock.bind((address[0], 0))
        unregister = register(sock.getsockname()[:2])
        try:
            async with asyncio.timeout(timeout):
                await loop.sock_connect(sock, address)
        except (ConnectionRefusedError, OSError) as exc:
            sock.close()
            return RelayResult({}, "refused" if isinstance(exc, ConnectionRefusedError) else f"connect: {exc}")
        reader, writer = await asyncio.open_connection(sock=sock)
        while not client.closed:
            try:
                async with asyncio.timeout(timeout):
                    data = await reader.read(65536)
            except TimeoutError:
                client.connection_lost()
                return RelayResult(dict(client.results[0]), "timeout", tls_version)
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
                    return RelayResult({}, f"tls: {exc}")
                ssl_object = writer.get_extra_info("ssl_object")
                tls_version = ssl_object.version() if ssl_object is not None else "TLS"
                client.tls_established()
                writer.write(client.data_to_send())
            await writer.drain()
        results = dict(client.results[0]) if client.results else {}
        problem = None
        if not results and client.session_failure is not None:
            failure = client.session_failure
            problem = f"{failure.stage}: {failure.code} {failure.text}"
        return RelayResult(results, problem, tls_version)
    except (ConnectionError, OSError) as exc:
        return RelayResult(dict(client.results[0]) if client.results else {}, f"connection: {exc}", tls_version)
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
