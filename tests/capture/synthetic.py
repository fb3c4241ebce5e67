"""A one-connection trace, built by hand: what the engine would record for random SMTP lines."""

from __future__ import annotations

from simulator.capture.streams import Side
from simulator.trace.events import ActorInfo, ConnectionInfo, Direction, Kind, TLSMode, Trace, TraceEvent

CLIENT = ActorInfo("c", "mua", "c.example.org", "192.0.2.10")
SERVER = ActorInfo("s", "mta", "s.example.net", "203.0.113.25", (25,))

Transfer = tuple[Side, list[str], int]  # who sends, the lines, how often the segment was lost first


def one_connection(transfers: list[Transfer], latency: float, client: ActorInfo = CLIENT,
                   server: ActorInfo = SERVER) -> Trace:
    events: list[TraceEvent] = []

    def emit(t: float, kind: Kind, side: Side, text: str, direction: Direction | None = None) -> None:
        src, dst = ("c", "s") if side is Side.CLIENT else ("s", "c")
        events.append(TraceEvent(len(events), round(t, 6), kind, src, dst, text, "", 25, TLSMode.NONE, direction, 1))

    t = 0.0
    for side, text in ((Side.CLIENT, "SYN → port 25"), (Side.SERVER, "SYN, ACK"), (Side.CLIENT, "ACK")):
        emit(t, Kind.TCP, side, text)
        t += latency
    for side, lines, lost in transfers:
        for line in lines:
            emit(t, Kind.SMTP, side, line, Direction.CLIENT if side is Side.CLIENT else Direction.SERVER)
        rto = 1.0
        for _ in range(lost):
            emit(t, Kind.TCP, side, f"segment lost; retransmitted after {rto:g} s")
            t += rto
            rto *= 2
        t += latency
    emit(t, Kind.TCP, Side.CLIENT, "FIN")
    conn = ConnectionInfo(1, "c", "s", 25, Kind.SMTP, TLSMode.NONE)
    return Trace("synthetic", "synthetic", "", 1, (client, server), tuple(events), (conn,))
