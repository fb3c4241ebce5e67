"""A TCP connection's segments from its script: sequence and acknowledgement numbers (RFC 9293).

Each packet is stamped with the time its sender sends it, as a tap beside
each host would see it; a segment arrives one link latency later. The
receiver acknowledges what arrived on the next thing it sends at that moment
or, if it sends nothing then, with a bare ACK. A FIN is answered by FIN, ACK
at once, and that by the last ACK. SYNs and segments the trace says were lost
go out again, with the same sequence number, at the times the trace gives.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from simulator.capture.frames import ACK, FIN, MSS, PSH, RST, SYN
from simulator.capture.streams import Action, Op, Side

_EPS = 5e-7  # trace times are rounded to microseconds


@dataclass(frozen=True, slots=True)
class Segment:
    t: float
    step: int  # the trace step that caused it (orders packets sent at one instant)
    order: int  # the order this connection produced them in
    side: Side
    flags: int
    seq: int
    ack: int
    payload: bytes = b""


class _End:
    __slots__ = ("isn", "snd_nxt", "rcv_nxt", "owed", "owed_step", "fin_sent")

    def __init__(self, isn: int) -> None:
        self.isn = isn
        self.snd_nxt = isn
        self.rcv_nxt = 0
        self.owed: float | None = None  # when data arrived that this end has not acknowledged yet
        self.owed_step = 0
        self.fin_sent = False


class _Connection:
    def __init__(self, latency: float, isn: dict[Side, int], mss: int, closers: set[Side]) -> None:
        self.latency = latency
        self.mss = mss
        self.closers = closers
        self.ends = {side: _End(isn[side]) for side in Side}
        self.out: list[Segment] = []
        self._arrivals: list[tuple[float, int, Side, int, bool, int]] = []
        self._counter = itertools.count()

    def emit(self, t: float, step: int, side: Side, flags: int, seq: int, payload: bytes = b"") -> None:
        ack = self.ends[side].rcv_nxt if flags & ACK else 0
        self.out.append(Segment(t, step, next(self._counter), side, flags, seq, ack, payload))

    def arrive(self, sent: float, step: int, receiver: Side, upto: int, fin: bool = False) -> None:
        heapq.heappush(self._arrivals, (round(sent + self.latency, 6), next(self._counter), receiver, upto, fin, step))

    def deliver(self, until: float) -> None:
        while self._arrivals and self._arrivals[0][0] <= until + _EPS:
            t, _, side, upto, fin, step = heapq.heappop(self._arrivals)
            end = self.ends[side]
            self._ack_owed(side, before=t)
            end.rcv_nxt = max(end.rcv_nxt, upto)
            end.owed, end.owed_step = t, step
            if fin and not end.fin_sent and side not in self.closers:
                self.close(t, step, side)  # the other end hangs up too

    def settle(self, side: Side, t: float) -> None:
        """Before ``side`` sends at ``t``: a bare ACK for what arrived earlier; the rest rides along."""
        self._ack_owed(side, before=t)
        self.ends[side].owed = None

    def close(self, t: float, step: int, side: Side) -> None:
        end = self.ends[side]
        if end.fin_sent:
            return
        self.settle(side, t)
        self.emit(t, step, side, FIN | ACK, end.snd_nxt)
        end.snd_nxt += 1
        end.fin_sent = True
        self.arrive(t, step, side.other, end.snd_nxt, fin=True)

    def finish(self) -> list[Segment]:
        self.deliver(float("inf"))
        for side in Side:
            self._ack_owed(side, before=float("inf"))
        return self.out

    def _ack_owed(self, side: Side, *, before: float) -> None:
        end = self.ends[side]
        if end.owed is not None and end.owed < before - _EPS:
            self.emit(end.owed, end.owed_step, side, ACK, end.snd_nxt)
            end.owed = None


def segments(actions: Iterable[Action], latency: float, isn: dict[Side, int], mss: int = MSS) -> list[Segment]:
    """The segments of one connection, in the order each end sent them."""
    actions = list(actions)
    conn = _Connection(latency, isn, mss, {a.side for a in actions if a.op is Op.CLOSE})
    for a in actions:
        conn.deliver(a.t)
        end = conn.ends[a.side]
        if a.op is Op.OPEN:
            conn.settle(a.side, a.t)
            for t in a.copies or (a.t,):
                conn.emit(t, a.step, a.side, SYN, end.isn)
            end.snd_nxt = end.isn + 1
            if not a.lost:
                conn.arrive((a.copies or (a.t,))[-1], a.step, a.side.other, end.snd_nxt)
        elif a.op is Op.ACCEPT:
            conn.settle(a.side, a.t)
            conn.emit(a.t, a.step, a.side, SYN | ACK, end.isn)
            end.snd_nxt = end.isn + 1
            conn.arrive(a.t, a.step, a.side.other, end.snd_nxt)
        elif a.op is Op.ACK:
            conn.settle(a.side, a.t)
            conn.emit(a.t, a.step, a.side, ACK, end.snd_nxt)
        elif a.op is Op.RESET:
            # RFC 9293: a reset for a SYN to a closed port has SEQ=0 and acknowledges the SYN.
            conn.settle(a.side, a.t)
            conn.emit(a.t, a.step, a.side, RST | ACK, 0)
        elif a.op is Op.DATA and a.data:
            conn.settle(a.side, a.t)
            _send(conn, a, end)
        elif a.op is Op.CLOSE:
            conn.close(a.t, a.step, a.side)
    return conn.finish()


def _send(conn: _Connection, a: Action, end: _End) -> None:
    data, mss = a.data, conn.mss
    cuts = range(0, len(data), mss)
    for t in a.copies or (a.t,):
        for start in cuts:
            last = start + mss >= len(data)
            conn.emit(t, a.step, a.side, ACK | (PSH if last else 0), end.snd_nxt + start, data[start:start + mss])
    end.snd_nxt += len(data)
    if not a.lost:
        conn.arrive((a.copies or (a.t,))[-1], a.step, a.side.other, end.snd_nxt)
