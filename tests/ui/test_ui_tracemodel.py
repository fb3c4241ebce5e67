"""What the UI derives from a trace: protection per step, hops, groups, clock, reply codes."""

import pytest

from simulator.trace.events import Direction, Kind, TraceEvent
from simulator.ui.tracemodel import BADGES, Protection, TraceModel, format_clock, format_stamp, reply_meaning
from tests.ui.synthetic import big, journey

pytestmark = [pytest.mark.ui, pytest.mark.timeout(60)]


def _index(trace, predicate, start=0):
    return next(i for i, e in enumerate(trace.events) if i >= start and predicate(e))


def test_starttls_is_plain_then_upgrading_then_protected():
    trace = journey()
    model = TraceModel(trace)
    request = _index(trace, lambda e: e.text == "STARTTLS")
    ready = request + 1
    done = _index(trace, lambda e: e.kind is Kind.TLS and "established" in e.text)
    assert model.hops[0].protection is Protection.PLAIN
    assert model.hops[request - 1].protection is Protection.PLAIN
    assert model.hops[request].protection is Protection.UPGRADING
    assert trace.events[ready].text.startswith("220 2.0.0")
    assert model.hops[ready].protection is Protection.UPGRADING
    assert model.hops[done - 1].protection is Protection.UPGRADING
    assert model.hops[done].protection is Protection.STARTTLS
    assert model.hops[done + 1].port == 587


def test_implicit_tls_handshake_then_protected():
    trace = journey()
    model = TraceModel(trace)
    syn = _index(trace, lambda e: e.port == 993)
    hello = _index(trace, lambda e: e.kind is Kind.TLS, start=syn)
    done = _index(trace, lambda e: e.kind is Kind.TLS and "established" in e.text, start=syn)
    assert model.hops[syn].protection is Protection.PLAIN  # TCP setup carries no data yet
    assert model.hops[hello].protection is Protection.HANDSHAKE
    assert model.hops[done].protection is Protection.IMPLICIT
    assert model.hops[done + 1].protection is Protection.IMPLICIT


def test_badges_are_glyph_and_word_not_colour():
    assert BADGES[Protection.PLAIN] == "[ ] plain"
    assert BADGES[Protection.STARTTLS] == "[#] STARTTLS"
    assert BADGES[Protection.IMPLICIT] == "[#] implicit TLS"
    assert BADGES[Protection.UPGRADING].startswith("[~]")


def test_local_steps_and_dns_hops():
    trace = journey()
    model = TraceModel(trace)
    queued = _index(trace, lambda e: e.kind is Kind.QUEUE)
    assert model.hops[queued].local and model.hops[queued].text() == "msa"
    query = _index(trace, lambda e: e.kind is Kind.DNS)
    assert model.hops[query].text() == "msa → dns:53"
    answer = _index(trace, lambda e: e.kind is Kind.DNS and e.dir is Direction.SERVER)
    assert model.hops[answer].text() == "dns:53 → msa"  # the port is the resolver's, not the asker's
    deliver = _index(trace, lambda e: e.kind is Kind.DELIVER)
    assert model.hops[deliver].protection is Protection.LOCAL


def test_groups_name_client_server_port_and_mode():
    trace = journey()
    model = TraceModel(trace)
    header = model.group_header(trace.events[0])
    assert "alice → msa:587" in header and "SMTP" in header and "STARTTLS" in header
    assert "smtp.example.org" in header
    imap = trace.events[_index(trace, lambda e: e.port == 993)]
    assert "[#] implicit TLS" in model.group_header(imap)


def test_side_of_tcp_and_tls_steps_follows_the_connection():
    trace = journey()
    model = TraceModel(trace)
    assert model.side(trace.events[0]) is Direction.CLIENT  # SYN
    assert model.side(trace.events[1]) is Direction.SERVER  # SYN-ACK
    # A note on the connection from someone on the path is neither side.
    note = TraceEvent(0, 0.0, Kind.NOTE, "mallory", "alice", "removed 250-STARTTLS", "", 587, conn=1)
    assert model.side(note) is None


def test_next_step_of_an_actor_wraps_round():
    trace = journey()
    model = TraceModel(trace)
    first_bob = _index(trace, lambda e: "bob" in (e.src, e.dst))
    assert model.next_step_of("bob", 0) == first_bob
    assert model.next_step_of("alice", len(trace.events) - 1) == 0
    assert model.next_step_of("nobody", 0) is None


@pytest.mark.parametrize(("t", "text"), [
    (0.0, "0.000 s"), (0.4123, "0.412 s"), (59.9, "59.900 s"), (307, "5m 07s"),
    (2 * 3600 + 5 * 60 + 9, "2h 05m"), (3 * 86400 + 4 * 3600, "3d 04h"),
])
def test_clock_formats(t, text):
    assert format_clock(t) == text
    assert len(format_stamp(t)) == 7


def _server(text):
    return TraceEvent(0, 0.0, Kind.SMTP, "mx", "msa", text, "", 25, dir=Direction.SERVER)


def test_reply_codes_are_decoded():
    lines = reply_meaning(_server("550 5.1.1 <bbo@example.net>: Recipient address rejected"))
    assert lines[0].startswith("550") and lines[1].startswith("5.1.1")
    assert reply_meaning(_server("250-STARTTLS"))[0].startswith("250")
    client = TraceEvent(0, 0.0, Kind.SMTP, "msa", "mx", "250 looks like a reply", "", 25, dir=Direction.CLIENT)
    assert reply_meaning(client) == []
    assert reply_meaning(_server("not a reply")) == []


def test_the_big_trace_has_ten_thousand_steps_and_a_model():
    trace = big(10_000)
    assert len(trace.events) == 10_000
    assert len(TraceModel(trace).hops) == 10_000


@pytest.mark.parametrize("name", ["user-unknown", "pop3-retrieval", "mx-failover", "starttls-stripped"])
def test_the_port_sits_beside_the_server_whichever_way_the_line_goes(name):
    from tests.ui.conftest import real_trace

    trace = real_trace(name)
    model = TraceModel(trace)
    checked = {Direction.CLIENT: 0, Direction.SERVER: 0}
    for event, hop in zip(trace.events, model.hops):
        if event.conn is None or event.src == event.dst:
            continue
        conn = trace.connection(event.conn)
        text = hop.text()
        assert f":{conn.port}" not in text.replace(f"{conn.server}:{conn.port}", ""), (event.step, text)
        if conn.server not in (event.src, event.dst):
            continue  # someone on the path (mallory) speaks: the port is neither end's
        assert f"{conn.server}:{conn.port}" in text, (event.step, text)
        assert f"{conn.client}:{conn.port}" not in text, (event.step, text)
        side = model.side(event)
        if side is not None:
            checked[side] += 1
            # The arrow still points the way the line travels.
            sender, receiver = (conn.client, conn.server) if side is Direction.CLIENT else (conn.server, conn.client)
            assert text.index(sender) < text.index("→") < text.index(receiver), (event.step, text)
    assert checked[Direction.CLIENT] and checked[Direction.SERVER]


def _every_shipped_trace():
    from simulator.scenario.library import scenario_names
    from tests.ui.conftest import real_trace

    return [real_trace(name) for name in scenario_names()]


def test_transcript_groups_start_in_order_and_no_later_line_sits_above_an_earlier_group():
    for trace in _every_shipped_trace():
        model = TraceModel(trace)
        groups = model.transcript_groups()
        assert sorted(i for g in groups for i in g) == list(range(len(trace.events)))
        starts = [g[0] for g in groups]
        assert starts == sorted(starts), trace.scenario
        for at, group in enumerate(groups):
            if trace.events[group[0]].conn is not None:
                continue  # a connection's lines stay together under one header, by design
            later_starts = starts[at + 1:]
            for step in group:
                assert all(start > step for start in later_starts), (trace.scenario, step)
        for group in groups:  # one header, one conversation
            assert len({model.group_key(trace.events[i]) for i in group}) == 1
