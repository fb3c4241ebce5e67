"""Real TLS between the two simulated ends, in memory (``ssl.MemoryBIO`` and ``SSLObject``).

Each TLS turn in the script lets one end read what the other sent and write
its next flight; after the handshake, the protocol bytes of the trace go in
through ``SSLObject.write`` and the records that come out are what the
capture carries. The peer reads every record back, so a record that would not
decrypt to the trace's bytes is caught here, not in Wireshark.

Keys are fresh for every export: these bytes, and only these, differ from run
to run.
"""

from __future__ import annotations

import ssl
from dataclasses import replace

from simulator.capture.certs import ContextBook
from simulator.capture.streams import Action, ConnectionScript, Op, Side


class TLSLinkError(RuntimeError):
    """The in-memory handshake did not go the way the trace says it went."""


class TLSLink:
    """A client and a server SSLObject wired back to back through memory."""

    def __init__(self, client: ssl.SSLContext, server: ssl.SSLContext, server_name: str) -> None:
        self._in = {Side.CLIENT: ssl.MemoryBIO(), Side.SERVER: ssl.MemoryBIO()}
        self._out = {Side.CLIENT: ssl.MemoryBIO(), Side.SERVER: ssl.MemoryBIO()}
        self._end = {
            Side.CLIENT: client.wrap_bio(self._in[Side.CLIENT], self._out[Side.CLIENT], server_hostname=server_name),
            Side.SERVER: server.wrap_bio(self._in[Side.SERVER], self._out[Side.SERVER], server_side=True),
        }
        self.done = {Side.CLIENT: False, Side.SERVER: False}
        self.failure: ssl.SSLError | None = None

    @property
    def established(self) -> bool:
        return self.failure is None and all(self.done.values())

    def turn(self, side: Side) -> bytes:
        """``side`` reads what arrived and answers: its next handshake flight (or its alert)."""
        if not self.done[side] and self.failure is None:
            try:
                self._end[side].do_handshake()
                self.done[side] = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as exc:  # e.g. the client refusing the certificate: its alert is queued
                self.failure = exc
        return self._flush(side)

    def send(self, side: Side, data: bytes) -> bytes:
        """The TLS records that carry ``data`` from ``side``; the peer decrypts them at once."""
        if not self.established:
            raise TLSLinkError(f"protected bytes before the handshake finished ({self.failure or 'still going'})")
        end, view = self._end[side], memoryview(data)
        while view:
            view = view[end.write(view):]
        records = self._flush(side)
        received = self._read(side.other)
        if received != data:
            raise TLSLinkError("the peer decrypted other bytes than were sent")
        return records

    def close(self, side: Side) -> bytes:
        """``side``'s close_notify alert, sent before its FIN."""
        if not self.established:
            return b""
        try:
            self._end[side].unwrap()
        except (ssl.SSLWantReadError, ssl.SSLError):
            pass  # the peer's close_notify never comes: it closes the TCP connection instead
        return self._flush(side)

    def _flush(self, side: Side) -> bytes:
        data = self._out[side].read()
        if data:
            self._in[side.other].write(data)
        return data

    def _read(self, side: Side) -> bytes:
        chunks = []
        end = self._end[side]
        while True:
            try:
                chunk = end.read(65536)
            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def encrypt(script: ConnectionScript, contexts: ContextBook) -> tuple[Action, ...]:
    """The script with every TLS step replaced by the bytes it puts on the wire.

    What is left: OPEN, ACCEPT, ACK, DATA (raw bytes), CLOSE, RESET.
    """
    plan = script.tls
    if plan is None:
        return tuple(a for a in script.actions if a.op not in (Op.HANDSHAKE, Op.ALERT, Op.SECURED))
    link: TLSLink | None = None
    out: list[Action] = []
    for a in script.actions:
        if a.op in (Op.HANDSHAKE, Op.ALERT, Op.SECURED):
            if link is None:
                link = TLSLink(contexts.client(plan), contexts.server(plan), plan.server_name)
            # A turn for this side; at "established", turns until both ends are done (a trace
            # that shows no flights, such as live mode's, gets the whole handshake at that moment).
            turns = [a.side] if a.op is not Op.SECURED else [Side.CLIENT, Side.SERVER] * 3
            for side in turns:
                data = link.turn(side)
                if data:
                    out.append(Action(a.t, a.step, side, Op.DATA, data, copies=(a.t,)))
                if a.op is Op.SECURED and (link.established or link.failure is not None):
                    break
            if a.op is Op.ALERT and link.failure is None:
                raise TLSLinkError(f"the trace says the client refused {plan.server_name}'s certificate, "
                                   "the real client accepted it")
            if a.op is Op.SECURED and not link.established:
                raise TLSLinkError(f"the trace says TLS was established with {plan.server_name}, "
                                   f"the real handshake says: {link.failure}")
        elif a.op is Op.DATA and a.secure:
            if link is None:
                raise TLSLinkError("protected bytes on a connection without a TLS handshake")
            out.append(replace(a, data=link.send(a.side, a.data), secure=False))
        elif a.op is Op.CLOSE and link is not None:
            notify = link.close(a.side)
            if notify:
                out.append(Action(a.t, a.step, a.side, Op.DATA, notify, copies=(a.t,)))
            out.append(a)
        else:
            out.append(a)
    return tuple(out)
