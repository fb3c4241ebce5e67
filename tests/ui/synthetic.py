"""Hand-made traces shaped like the engine's, for UI tests and the benchmark.

``journey()`` is one message's whole trip (587 + STARTTLS + AUTH, DNS, relay
on 25, delivery, IMAP on 993 with a literal); ``big(n)`` repeats it until it
has ``n`` events.
"""

from __future__ import annotations

from simulator.trace.events import ActorInfo, ConnectionInfo, Direction, Kind, TLSMode, Trace, TraceEvent

C, S = Direction.CLIENT, Direction.SERVER

ACTORS = (
    ActorInfo("alice", "mua", "alice-laptop.example.org", "192.0.2.10", (), "Alice's laptop"),
    ActorInfo("msa", "msa", "smtp.example.org", "192.0.2.25", (587, 465), "submission server"),
    ActorInfo("dns", "dns", "resolver.example.org", "192.0.2.53", (53,), "DNS resolver"),
    ActorInfo("mx-net", "mta", "mx1.example.net", "203.0.113.25", (25,), "MX (inbound MTA)"),
    ActorInfo("store-net", "store", "imap.example.net", "203.0.113.143", (143, 993, 110, 995), "mailbox store"),
    ActorInfo("bob", "mua", "bob-phone.example.net", "198.51.100.7", (), "Bob's phone"),
)

MESSAGE = (
    "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: Lunch on Friday?\r\n"
    "Date: Thu, 01 Jan 2026 09:00:00 +0000\r\nMessage-ID: <1a2b3c@example.org>\r\n\r\n"
    "Hi Bob,\r\n\r\nAre you free for lunch on Friday? The new place by the station.\r\n\r\n"
    ".. and bring the book, please.\r\n\r\nAlice"
)


class _Builder:
    def __init__(self) -> None:
        self.events: list[TraceEvent] = []
        self.conns: dict[int, ConnectionInfo] = {}
        self.t = 0.0

    def emit(self, kind: Kind, src: str, dst: str, text: str, explain: str, *, port: int | None = None,
             tls: TLSMode = TLSMode.NONE, dir: Direction | None = None, conn: int | None = None,
             rfc: str | None = None, content: bool = False, dt: float = 0.010) -> None:
        self.events.append(TraceEvent(len(self.events), round(self.t, 6), kind, src, dst, text, explain, port,
                                      tls, dir, conn, rfc, content))
        self.t += dt

    def session(self, client: str, server: str, port: int, protocol: Kind, lines: list[tuple[str, str, str]],
                *, mode: TLSMode, starttls_after: str | None = None) -> None:
        conn = len(self.conns) + 1
        self.conns[conn] = ConnectionInfo(conn, client, server, port, protocol, mode)
        tls = TLSMode.NONE

        def say(side: Direction, text: str, explain: str, rfc: str = "RFC 5321 §4.1", content: bool = False) -> None:
            src, dst = (client, server) if side is C else (server, client)
            self.emit(protocol, src, dst, text, explain, port=port, tls=tls, dir=side, conn=conn, rfc=rfc,
                      content=content)

        def net(kind: Kind, src: str, text: str, explain: str, rfc: str) -> None:
            dst = server if src == client else client
            self.emit(kind, src, dst, text, explain, port=port, tls=tls, conn=conn, rfc=rfc)

        def handshake(implicit: bool) -> None:
            nonlocal tls
            intro = "Implicit TLS: the handshake comes first. " if implicit else "The upgrade: a TLS handshake. "
            net(Kind.TLS, client, "ClientHello (SNI, key_share, supported_versions)", intro + "The client says hello.",
                "RFC 8446 §2")
            net(Kind.TLS, server, "ServerHello (key_share)", "The server picks TLS 1.3.", "RFC 8446 §2")
            net(Kind.TLS, server, "EncryptedExtensions, Certificate, CertificateVerify, Finished",
                "Already encrypted: the certificate.", "RFC 8446 §2")
            net(Kind.TLS, client, "Finished", "The client confirms the handshake.", "RFC 8446 §2")
            tls = TLSMode.IMPLICIT if implicit else TLSMode.STARTTLS
            net(Kind.TLS, server, f"TLS 1.3 established, certificate for {self_host(server)} verified",
                "From here on this connection is encrypted.", "RFC 8446 §2")

        net(Kind.TCP, client, f"SYN → port {port}", f"The client opens a TCP connection to port {port}.",
            "RFC 9293 §3.5")
        net(Kind.TCP, server, "SYN, ACK", "The server accepts: SYN-ACK.", "RFC 9293 §3.5")
        net(Kind.TCP, client, "ACK", "The client acknowledges: the connection is open.", "RFC 9293 §3.5")
        if mode is TLSMode.IMPLICIT:
            handshake(True)
        for side_letter, text, explain in lines:
            if side_letter == "TLS":
                handshake(False)
                continue
            side = C if side_letter == "C" else S
            say(side, text, explain, content=side_letter == "C" and "\r\n" in text)
        net(Kind.TCP, server, "FIN", "The connection is closed.", "RFC 9293 §3.6")

    def dns(self, asker: str, question: str, answers: list[str]) -> None:
        self.emit(Kind.DNS, asker, "dns", question, "The server asks DNS for the MX records.", port=53, dir=C,
                  rfc="RFC 5321 §5.1")
        for text in answers:
            self.emit(Kind.DNS, "dns", asker, text, "The resolver answers.", port=53, dir=S, rfc="RFC 1035 §4.1")


def self_host(actor_id: str) -> str:
    return next(a.hostname for a in ACTORS if a.id == actor_id)


def _journey(b: _Builder) -> None:
    b.session("alice", "msa", 587, Kind.SMTP, [
        ("S", "220 smtp.example.org ESMTP smtpsim", "The server greets the client: ready."),
        ("C", "EHLO alice-laptop.example.org", "The client introduces itself."),
        ("S", "250-smtp.example.org", "The server answers with its name."),
        ("S", "250-PIPELINING", "PIPELINING: several commands at once."),
        ("S", "250-STARTTLS", "The server offers STARTTLS."),
        ("S", "250 ENHANCEDSTATUSCODES", "Replies carry a finer code."),
        ("C", "STARTTLS", "The client asks to upgrade this connection to TLS."),
        ("S", "220 2.0.0 Ready to start TLS", "The server agrees: the TLS handshake comes next."),
        ("TLS", "", ""),
        ("C", "EHLO alice-laptop.example.org", "After the handshake the session starts again with EHLO."),
        ("S", "250-smtp.example.org", "The server answers with its name."),
        ("S", "250-AUTH PLAIN LOGIN", "AUTH lists the login mechanisms, now that TLS is on."),
        ("S", "250 ENHANCEDSTATUSCODES", "Replies carry a finer code."),
        ("C", "AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=", "The client logs in."),
        ("S", "235 2.7.0 Authentication successful", "Logged in."),
        ("C", "MAIL FROM:<alice@example.org>", "The envelope sender."),
        ("S", "250 2.1.0 Ok", "Sender accepted."),
        ("C", "RCPT TO:<bob@example.net>", "One envelope recipient."),
        ("S", "250 2.1.5 Ok", "Recipient accepted."),
        ("C", "DATA", "The client is ready to send the message."),
        ("S", "354 End data with <CR><LF>.<CR><LF>", "Go ahead."),
        ("C", MESSAGE, "The message itself: headers, a blank line, then the body."),
        ("C", ".", "A line holding only a dot ends the message."),
        ("S", "250 2.0.0 Ok: queued as 3A9F1C0B2E", "The server now holds the message."),
        ("C", "QUIT", "The client is done."),
        ("S", "221 2.0.0 Bye", "The server closes."),
    ], mode=TLSMode.STARTTLS)
    b.emit(Kind.QUEUE, "msa", "msa", "queued 3A9F1C0B2E: from <alice@example.org> to bob@example.net",
           "The server keeps the message in its queue.", rfc="RFC 5321 §4.5.4")
    b.dns("msa", "example.net.\t\t\tIN\tMX", [
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242",
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1",
        ";; ANSWER SECTION:",
        "example.net.\t\t300\tIN\tMX\t10 mx1.example.net.",
        ";; ADDITIONAL SECTION:",
        "mx1.example.net.\t300\tIN\tA\t203.0.113.25",
    ])
    b.session("msa", "mx-net", 25, Kind.SMTP, [
        ("S", "220 mx1.example.net ESMTP smtpsim", "The MX greets the sending server."),
        ("C", "EHLO smtp.example.org", "The sending server introduces itself."),
        ("S", "250-mx1.example.net", "The server answers with its name."),
        ("S", "250 STARTTLS", "The MX offers STARTTLS."),
        ("C", "STARTTLS", "Opportunistic STARTTLS."),
        ("S", "220 2.0.0 Ready to start TLS", "The handshake comes next."),
        ("TLS", "", ""),
        ("C", "EHLO smtp.example.org", "Again, after TLS."),
        ("S", "250 mx1.example.net", "Ready."),
        ("C", "MAIL FROM:<alice@example.org>", "The envelope sender."),
        ("S", "250 2.1.0 Ok", "Sender accepted."),
        ("C", "RCPT TO:<bob@example.net>", "One envelope recipient."),
        ("S", "250 2.1.5 Ok", "Recipient accepted."),
        ("C", "DATA", "The client is ready to send the message."),
        ("S", "354 End data with <CR><LF>.<CR><LF>", "Go ahead."),
        ("C", MESSAGE, "The message itself."),
        ("C", ".", "The end of the message."),
        ("S", "250 2.0.0 Ok: queued as 77D0E41A9C", "Accepted for delivery."),
        ("C", "QUIT", "Done."),
        ("S", "221 2.0.0 Bye", "Closing."),
    ], mode=TLSMode.STARTTLS)
    b.emit(Kind.DELIVER, "mx-net", "store-net", "stored in bob@example.net's INBOX on imap.example.net (UID 1)",
           "Final delivery: the MX hands the message to the mailbox store.", rfc="RFC 5321 §4.4", dt=5.0)
    literal = "* 1 FETCH (BODY[] {%d}" % len(MESSAGE)
    b.session("bob", "store-net", 993, Kind.IMAP, [
        ("S", "* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] imap.example.net ready", "The IMAP greeting."),
        ("C", "a1 LOGIN bob hunter2-but-longer", "Bob's client logs in, inside TLS."),
        ("S", "a1 OK LOGIN completed", "Logged in."),
        ("C", "a2 SELECT INBOX", "Open the inbox."),
        ("S", "* 1 EXISTS", "One message."),
        ("S", "a2 OK [READ-WRITE] SELECT completed", "Selected."),
        ("C", "a3 FETCH 1 BODY[]", "Fetch the whole message."),
        ("S", literal, "A literal: the size in bytes, then the bytes."),
        ("C", MESSAGE, "The message, as a literal."),
        ("S", ")", "The end of the FETCH response."),
        ("S", "a3 OK FETCH completed", "Done."),
        ("C", "a4 LOGOUT", "Bye."),
        ("S", "* BYE logging out", "The server says goodbye."),
        ("S", "a4 OK LOGOUT completed", "Closed."),
    ], mode=TLSMode.IMPLICIT)


def journey(title: str = "Submission with STARTTLS (synthetic)", scenario: str = "submission-starttls") -> Trace:
    b = _Builder()
    _journey(b)
    return _trace(b, scenario, title)


def _trace(b: _Builder, scenario: str, title: str) -> Trace:
    # The IMAP literal is sent by the server; fix the side the builder gave it.
    events = tuple(
        _server_literal(e) if e.kind is Kind.IMAP and e.content else e for e in b.events
    )
    return Trace(scenario=scenario, title=title,
                 summary="Alice sends Bob a message: 587 + STARTTLS + AUTH, MX lookup, relay on 25, IMAP.",
                 seed=1, actors=ACTORS, events=events, connections=tuple(b.conns.values()))


def _server_literal(e: TraceEvent) -> TraceEvent:
    return TraceEvent(e.step, e.t, e.kind, e.dst, e.src, e.text, e.explain, e.port, e.tls, S, e.conn, e.rfc, True)


def big(n: int = 10_000) -> Trace:
    """At least ``n`` events: the journey over and over, the clock running on."""
    b = _Builder()
    while len(b.events) < n:
        _journey(b)
    del b.events[n:]
    return _trace(b, "generated-10k", f"Generated trace, {n} events")
