"""Seed inputs for the fuzz targets: real sessions, not random bytes.

Most come from the simulation's own sessions (every scenario's SMTP, IMAP and POP3 connections,
both directions, as the trace recorded them), whose clients follow what real ones send; a few are
written out from real clients' sessions (Python's smtplib, Thunderbird's IMAP start-up with
ID/AUTHENTICATE/LIST/UID FETCH/APPEND/IDLE, swaks, a POP3 downloader), and the DNS seeds are the
queries dig and the queue send (MX, A, AAAA, PTR, TXT; EDNS on and off).
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PLAIN = base64.b64encode(b"\0alice\0secret")
HAND_WRITTEN: dict[str, list[bytes]] = {
    "smtp-server": [
        # smtplib.SMTP_SSL: login(), sendmail() with PIPELINING-free steps, quit()
        b"ehlo laptop.example.org\r\nAUTH PLAIN " + _PLAIN + b"\r\nmail FROM:<alice@example.org> size=25\r\n"
        b"rcpt TO:<bob@example.org>\r\ndata\r\nSubject: hi\r\n\r\n..dot\r\nbody\r\n.\r\nquit\r\n",
        # swaks --pipeline --auth LOGIN
        b"EHLO swaks.example\r\nAUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\nMAIL FROM:<alice@example.org>\r\n"
        b"RCPT TO:<bob@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n",
        b"EHLO x\r\nSTARTTLS\r\nEHLO x\r\nAUTH PLAIN\r\n" + _PLAIN + b"\r\nRSET\r\nNOOP\r\nVRFY bob\r\nHELP\r\n",
        b"HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<postmaster>\r\nDATA\r\n.\r\n",
    ],
    "imap-server": [
        # Thunderbird's start-up, then reading and filing
        b"1 capability\r\n2 ID (\"name\" \"Thunderbird\" \"version\" \"128.0\")\r\n"
        b"3 authenticate PLAIN " + _PLAIN + b"\r\n4 namespace\r\n5 enable QRESYNC\r\n"
        b"6 list (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE)\r\n7 select \"INBOX\"\r\n"
        b"8 UID fetch 1:* (FLAGS)\r\n9 UID fetch 1 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Subject)])\r\n"
        b"10 UID store 1 +FLAGS (\\Seen)\r\n11 idle\r\nDONE\r\n12 logout\r\n",
        b"a LOGIN {5}\r\nalice {6+}\r\nsecret\r\nb APPEND Sent (\\Seen) \"28-Nov-2026 17:31:00 +0000\" {23}\r\n"
        b"Subject: x\r\n\r\nhello\r\n\r\nc STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n",
        b"a LOGIN alice secret\r\nb EXAMINE INBOX\r\nc SEARCH OR FROM bob SUBJECT \"One\" UNSEEN\r\n"
        b"d FETCH 1 (ENVELOPE BODYSTRUCTURE BODY[1] BODY[HEADER] BODY[]<0.10>)\r\ne COPY 1 Trash\r\n"
        b"f UID MOVE 1 Archive\r\ng EXPUNGE\r\nh CLOSE\r\n",
    ],
    "pop3-server": [
        b"CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 1 0\r\nDELE 1\r\nRSET\r\nNOOP\r\nQUIT\r\n",
        b"STLS\r\nCAPA\r\nUSER alice\r\nPASS wrong\r\nUSER alice\r\nPASS secret\r\nLIST 1\r\nUIDL 1\r\nQUIT\r\n",
    ],
    "smtp-client": [
        b"220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n"
        b"220 2.0.0 go\r\n250-mx\r\n250 AUTH PLAIN LOGIN\r\n235 2.7.0 ok\r\n250 ok\r\n250 ok\r\n550 5.1.1 no\r\n"
        b"354 go\r\n250 2.0.0 Ok: queued as ABC\r\n221 bye\r\n",
        b"220 mx\r\n250 mx\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n535 5.7.8 no\r\n421 4.7.0 bye\r\n",
    ],
    "imap-client": [
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\na001 OK [CAPABILITY IMAP4rev1 IDLE] done\r\n"
        b"* 1 EXISTS\r\n* FLAGS (\\Seen)\r\na002 OK [READ-WRITE] SELECT\r\n* SEARCH 1\r\na003 OK\r\n"
        b"* 1 FETCH (UID 7 BODY[] {5}\r\nhello)\r\na004 OK done\r\n* BYE\r\na005 OK\r\n",
    ],
    "pop3-client": [
        b"+OK ready\r\n+OK caps\r\nUSER\r\nSTLS\r\n.\r\n+OK\r\n+OK 1 messages\r\n+OK 1 5\r\n+OK\r\n1 5\r\n.\r\n"
        b"+OK 5 octets\r\n..hi\r\n.\r\n+OK bye\r\n",
    ],
    "smtp-words": [b"<alice@example.org> SIZE=100 BODY=8BITMIME", b"<\"a b\"@[192.0.2.1]>", b"<>",
                   b"<@relay:bob@example.org>", _PLAIN + b"\r\n*", b"\r\nYWxpY2U=\r\nc2VjcmV0"],
}


def _dns_queries() -> list[bytes]:
    import dns.message

    out = []
    for name, rdtype in (("example.net", "MX"), ("mx1.example.net", "A"), ("mx1.example.net", "AAAA"),
                         ("25.113.0.203.in-addr.arpa", "PTR"), ("example.org", "TXT"), ("nowhere.test", "MX")):
        for edns in (-1, 0):
            query = dns.message.make_query(name, rdtype, use_edns=edns)
            query.id = 4660
            out.append(query.to_wire())
    return out


@functools.cache
def _sessions() -> tuple[dict[str, list[bytes]], dict[str, list[bytes]]]:
    """(client bytes, server bytes) of every simulated connection, by protocol."""
    from simulator.run import run_scenario
    from simulator.scenario.library import open_scenario

    clients: dict[str, list[bytes]] = {"smtp": [], "imap": [], "pop3": []}
    servers: dict[str, list[bytes]] = {"smtp": [], "imap": [], "pop3": []}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        trace = run_scenario(open_scenario(path.stem))
        by_conn: dict[tuple[int, str, str], bytearray] = {}
        for e in trace.events:
            if e.dir is None or e.conn is None or e.kind.value not in clients:
                continue
            by_conn.setdefault((e.conn, e.kind.value, e.dir.value), bytearray()).extend(e.text.encode() + b"\r\n")
        for (_conn, kind, direction), data in by_conn.items():
            (clients if direction == "C" else servers)[kind].append(bytes(data))
    return ({k: sorted(set(v)) for k, v in clients.items()}, {k: sorted(set(v)) for k, v in servers.items()})


def seeds(target: str) -> list[bytes]:
    """The seeds of one target, each with the two set-up octets the targets read first."""
    clients, servers = _sessions()
    protocol = target.split("-")[0]
    if target == "dns-query":
        return _dns_queries()
    if target == "narrators":
        raw = [s for v in (*clients.values(), *servers.values()) for s in v]
        return [bytes([i % 4]) + s for i, s in enumerate(raw)]
    if target == "smtp-words":  # the arguments of real MAIL, RCPT and AUTH lines
        lines = {line.split(b" ", 1)[1].split(b":", 1)[-1] for session in clients["smtp"]
                 for line in session.split(b"\r\n") if line[:4].upper() in (b"MAIL", b"RCPT", b"AUTH")}
        return [*HAND_WRITTEN[target], *sorted(lines)]
    pool = (clients if target.endswith("server") else servers)[protocol]
    raw = [*HAND_WRITTEN.get(target, []), *pool]
    return [bytes([head, cut]) + s for s in raw for head, cut in ((0, 0), (1, 1), (2, 5), (3, 2))]
