"""The default journey, in the order RFC 5321, 3207 and 4954 require."""

from simulator.trace import Direction, Kind, TLSMode

from helpers import in_order, kind, line


def test_the_whole_journey_in_order(trace):
    t = trace("submission-starttls")
    ev = t.events
    found = in_order(
        ev,
        kind("tcp", "SYN", src="alice", dst="msa", port=587),
        line("S", "220 smtp.example.org", port=587),
        line("C", "EHLO ", port=587),
        line("S", "250-STARTTLS", port=587),
        line("C", "STARTTLS", port=587),
        line("S", "220 2.0.0", port=587),
        kind("tls", "ClientHello", port=587),
        kind("tls", "TLS 1.3 established", port=587),
        line("C", "EHLO ", port=587, tls=TLSMode.STARTTLS),
        line("S", "250-AUTH PLAIN LOGIN", port=587, tls=TLSMode.STARTTLS),
        line("C", "AUTH PLAIN ", port=587),
        line("S", "235 2.7.0", port=587),
        line("C", "MAIL FROM:<alice@example.org>", port=587),
        line("S", "250 2.1.0", port=587),
        line("C", "RCPT TO:<bob@example.net>", port=587),
        line("S", "250 2.1.5", port=587),
        line("C", "DATA", port=587),
        line("S", "354", port=587),
        ("content", lambda e: e.content and e.port == 587),
        line("C", ".", port=587),
        line("S", "250 2.0.0", port=587),
        line("C", "QUIT", port=587),
        line("S", "221", port=587),
        line("C", ";example.net.\tIN\tMX", port=53),
        line("S", "example.net.\t3600\tIN\tMX\t10 mx1.example.net.", port=53),
        kind("tcp", "SYN", src="msa", dst="mx-net", port=25),
        line("S", "220 mx1.example.net", port=25),
        line("C", "MAIL FROM:<alice@example.org>", port=25),
        line("C", "RCPT TO:<bob@example.net>", port=25),
        line("S", "250 2.0.0", port=25),
        kind("deliver", "stored in bob@example.net's INBOX", src="mx-net", dst="store-net"),
        kind("tcp", "SYN", src="bob", dst="store-net", port=993),
        line("C", "a002 LOGIN bob@example.net", port=993),
        line("C", "a005 FETCH 1 BODY[]", port=993),
        ("fetched content", lambda e: e.content and e.port == 993 and "Subject: Lunch on Friday?" in e.text),
        line("S", "a006 OK LOGOUT", port=993),
    )
    # The second EHLO's reply no longer offers STARTTLS (RFC 3207 §4.2).
    second_ehlo = found[8]
    reply = [e for e in ev if e.conn == second_ehlo.conn and e.step > second_ehlo.step and e.dir is Direction.SERVER]
    block = []
    for e in reply:
        block.append(e.text)
        if e.text[3:4] == " ":
            break
    assert not any("STARTTLS" in text for text in block)


def test_protection_is_none_until_the_handshake_completes(trace):
    ev = [e for e in trace("submission-starttls").events if e.port == 587]
    done = next(i for i, e in enumerate(ev) if e.kind is Kind.TLS and "established" in e.text)
    assert all(e.tls is TLSMode.NONE for e in ev[:done])
    assert all(e.tls is TLSMode.STARTTLS for e in ev[done:])


def test_password_is_sent_only_inside_tls(trace):
    ev = trace("submission-starttls").events
    auth = next(e for e in ev if e.text.startswith("AUTH "))
    assert auth.tls is TLSMode.STARTTLS


def test_every_event_is_explained_and_steps_count_up(trace):
    t = trace("submission-starttls")
    assert [e.step for e in t.events] == list(range(len(t.events)))
    assert all(e.explain.strip() for e in t.events)
    times = [e.t for e in t.events]
    assert times == sorted(times)


def test_headers_are_added_by_the_right_actor(trace):
    ev = trace("submission-starttls").events
    submitted = next(e for e in ev if e.content and e.port == 587).text
    relayed = next(e for e in ev if e.content and e.port == 25).text
    fetched = next(e for e in ev if e.content and e.port == 993).text
    # The MUA sends no Message-ID; the MSA adds it (RFC 6409 §8.3) with its Received.
    assert "Message-ID:" not in submitted and "Received:" not in submitted
    assert relayed.startswith("Received: from alice-laptop.example.org") and "with ESMTPSA" in relayed
    assert "Message-ID: <" in relayed
    # Final delivery adds Return-Path on top, then the MX's Received (RFC 5321 §4.4).
    assert fetched.startswith("Return-Path: <alice@example.org>\r\nReceived: from smtp.example.org")
    assert "with ESMTPS id" in fetched.split("Received:")[1]


def test_best_mx_is_the_lowest_preference(tmp_path):
    from simulator.run import run_scenario
    from simulator.scenario.library import resolve_scenario
    from simulator.scenario.loader import load_scenario

    text = resolve_scenario("submission-starttls").read_text()
    text = text.replace('@     IN MX 10 mx1\nmx1', '@     IN MX 20 backup\n@     IN MX 10 mx1\nbackup IN A 203.0.113.99\nmx1')
    path = tmp_path / "two-mx.toml"
    path.write_text(text)
    ev = run_scenario(load_scenario(path)).events
    first = next(e for e in ev if e.kind is Kind.TCP and e.port == 25)
    assert first.dst == "mx-net"  # mx1 (10) before backup (20), RFC 5321 §5.1
