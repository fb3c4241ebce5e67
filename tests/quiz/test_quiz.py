"""Every keyed answer is worked out again, twice: from the trace, and from what the question shows.

``rederive`` reads the trace the question came from, without the generators'
tables; ``from_stem`` reads only the stem and exhibit, with this file's own
RFC tables, which is what "answerable from what it shows" means. Both must
give the key. The bank is every shipped scenario's questions (tests/quiz/bankkit.py).
"""

from __future__ import annotations

import re

import pytest

from simulator.quiz import build_quiz
from simulator.quiz.model import Difficulty, Question, QuestionKind as K
from simulator.scenario import list_scenarios
from simulator.trace import Direction, Kind, TLSMode
from tests.quiz.bankkit import bank, questions

# RFC 3463 §3.3-3.9 (and RFC 7505 §4.1 for X.1.10): words each detail's name must contain.
RFC3463_WORDS = {
    "X.1.1": "destination mailbox", "X.1.2": "destination system", "X.1.10": "null MX",
    "X.2.2": "mailbox full", "X.3.4": "too big", "X.4.7": "expired", "X.7.1": "not authorized",
    "X.7.8": "credentials", "X.5.1": "invalid command", "X.7.0": "security", "X.4.4": "route",
    "X.4.1": "no answer", "X.4.2": "bad connection", "X.4.3": "directory",
    "X.7.25": "reverse DNS",  # RFC 7372 §3.3
}
# The registered ports (RFC 5321 §4.5.4.2, RFC 6409 §3.1, RFC 8314 §3.1-3.3, RFC 3501 §2.1, RFC 1939 §3).
PORTS = {("relay", "any"): 25, ("submission", "upgrade"): 587, ("submission", "implicit"): 465,
         ("imap", "upgrade"): 143, ("imap", "implicit"): 993, ("pop3", "upgrade"): 110, ("pop3", "implicit"): 995}
# RFC 5321 §4.2.3, RFC 3207 §4, RFC 4954 §6, RFC 1870 §6.1: the code for a situation, by its telling words.
SITUATION_CODES = (
    ("ready to talk", "220"), ("list of extensions", "250"), ("`STARTTLS`", "220"),
    ("right user name and password", "235"), ("wrong password", "535"), ("envelope sender", "250"),
    ("`SIZE=`", "552"), ("no mailbox by that name", "550"), ("does not serve", "550"),
    ("over quota for now", "452"), ("refuses for good", "552"), ("greylisting", "451"),
    ("`DATA`", "354"), ("only `.`", "250"), ("`QUIT`", "221"),
)
# RFC 5321 §3.3, §4.1.1.1, RFC 3207 §4.2, RFC 4954 §4: the command that must come next.
NEXT_COMMANDS = (
    ("`220` greeting", "EHLO"), ("handshake has just finished", "EHLO"), ("`235", "MAIL"),
    ("Sender ok", "RCPT"), ("only recipient", "DATA"), ("nothing more to send", "QUIT"),
)


def rederive(q: Question, trace) -> str:
    """The right answer, worked out again from the trace without the generator's tables."""
    ev = trace.events
    at = ev[q.step]
    conn = trace.connection(at.conn) if at.conn is not None else None
    if q.kind is K.PORT:
        assert at.kind is Kind.TCP and at.text.startswith("SYN")
        return str(conn.port)
    if q.kind is K.TLS_MODE:
        assert at.kind is Kind.TLS and "established" in at.text  # the step shows the handshake done
        lines = [e for e in ev if e.conn == at.conn and e.dir is not None and e.kind is not Kind.TLS
                 and e.kind is not Kind.TCP]
        if lines[0].step > at.step:  # no protocol line before the handshake
            return next(c for c in q.choices if "handshake comes first" in c)
        upgrade = [e for e in lines if e.step < at.step and e.dir is Direction.CLIENT][-1].text
        if conn.port == 25:
            return next(c for c in q.choices if "if offered" in c)
        return next(c for c in q.choices if f"the {upgrade} command" in c)
    if q.kind is K.READ_PROTOCOL:
        tls = [e.tls for e in ev if e.conn == at.conn][-1]
        protection = "over implicit TLS" if tls is TLSMode.IMPLICIT else "upgraded with"
        (match,) = [c for c in q.choices if c.startswith(conn.protocol.value.upper()) and protection in c]
        return match
    if q.kind is K.ROLE:
        if at.kind is Kind.DELIVER:
            return "MDA"
        named = re.search(r"Which role does (.+?) play", q.question).group(1)
        client, server = trace.actor(conn.client), trace.actor(conn.server)
        if named == server.hostname:
            return {587: "MSA", 465: "MSA", 25: "MTA"}[conn.port]
        assert client.role == "mua" and named.startswith(client.label)
        return "MUA"
    if q.kind is K.REPLY_CODE:
        assert at.dir is Direction.SERVER and at.text[3:4] in ("", " ")
        return at.text[:3]
    if q.kind is K.NEXT_COMMAND:
        assert at.dir is Direction.CLIENT
        return at.text.split(" ")[0].upper()
    if q.kind is K.ENHANCED_CODE:
        code = re.search(r"([245]\.\d+\.\d+)", q.question).group(1)
        assert code in at.text
        (match,) = [c for c in q.choices if RFC3463_WORDS["X." + code.split(".", 1)[1]].lower() in c.lower()]
        return match
    if q.kind is K.TEMPORARY_OR_PERMANENT:
        temporary = at.text[0] == "4" if at.kind is Kind.SMTP else "SERVFAIL" in at.text
        assert at.kind is Kind.SMTP or "NXDOMAIN" in at.text or at.text.endswith("\tMX\t0 .") or temporary
        return next(c for c in q.choices if c.startswith("Temporary" if temporary else "Permanent"))
    if q.kind is K.DNS_RECORD:
        fields = at.text.lstrip(";").split("\t")
        if at.dir is Direction.CLIENT and fields[-1] == "MX":
            return "MX"
        if at.dir is Direction.CLIENT:  # an address query right after an MX answer with no records
            mx = [e for e in ev[: at.step] if e.kind is Kind.DNS and e.dir is Direction.CLIENT][-1]
            answer = [e for e in ev[mx.step + 1: at.step] if e.kind is Kind.DNS and e.dir is Direction.SERVER]
            assert mx.text.endswith("\tMX") and any("ANSWER: 0" in e.text for e in answer)
            return "A or AAAA" if fields[-1] in ("A", "AAAA") else fields[-1]
        heading = [e for e in ev[: at.step] if e.kind is Kind.DNS and "SECTION" in e.text][-1]
        assert "AUTHORITY" in heading.text
        return fields[3]
    if q.kind is K.DNS_ANSWER:
        status = re.search(r"status: (\w+)", at.text).group(1)
        flags = ev[at.step + 1].text
        records = [e.text.split("\t")[4] for e in ev[at.step:] if e.kind is Kind.DNS and e.text.count("\t") == 4
                   and e.text.split("\t")[3] == "MX" and e.step < at.step + 8]
        if status == "NOERROR" and "ANSWER: 0" in flags:
            return next(c for c in q.choices if "exists" in c)
        if status == "NOERROR" and records == ["0 ."]:
            return next(c for c in q.choices if "no email" in c)
        return next(c for c in q.choices if ("No such name" if status == "NXDOMAIN" else "failed for now") in c)
    if q.kind is K.MX_ORDER:
        query = [e for e in ev[: at.step] if e.kind is Kind.DNS and e.dir is Direction.CLIENT][-1]
        records = []
        for e in ev[query.step + 1:]:
            if e.kind is not Kind.DNS:
                break
            f = e.text.split("\t")
            if len(f) == 5 and f[3] == "MX":
                records.append((int(f[4].split()[0]), f[4].split()[1].rstrip(".")))
        assert at.text.endswith(f" {min(records)[1]}.")  # the step is the winning MX record
        return " first, then ".join(h for _, h in sorted(records))
    if q.kind is K.NDR:
        assert at.kind is Kind.BOUNCE
        sender = re.search(r"MAIL FROM:<([^>]+)>", next(e.text for e in ev if e.dir is Direction.CLIENT
                                                         and e.text.startswith("MAIL FROM:<") and "<>" not in e.text))
        rcpt = re.search(r"for <([^>]+)>", q.question).group(1)
        # The holder: the last server that accepted this recipient and then the message itself.
        holder = None
        for c in trace.connections:
            lines = [e for e in ev[: at.step] if e.conn == c.id]
            took_rcpt = any(e.dir is Direction.CLIENT and e.text == f"RCPT TO:<{rcpt}>"
                            and lines[lines.index(e) + 1].text.startswith("250") for e in lines)
            took_data = any(e.text.startswith("250 2.0.0 Ok: queued") for e in lines)
            if took_rcpt and took_data:
                holder = trace.actor(c.server).hostname
        return f"{holder}, to {sender.group(1)}"
    if q.kind is K.NULL_SENDER:
        assert at.text.replace(" ", "").upper().startswith("MAILFROM:<>")
        return next(c for c in q.choices if "bounce" in c)
    if q.kind is K.RETRY:
        return _rederive_retry(q, trace, at)
    if q.kind is K.TLS_ATTACK:
        later = [e for e in ev[at.step + 1:] if e.conn == at.conn and e.dir is Direction.CLIENT]
        if at.kind is Kind.NOTE:  # the STARTTLS offer was deleted
            if conn.port == 25:
                assert conn.tls is TLSMode.NONE and any(e.text.startswith("DATA") for e in later)
                return next(c for c in q.choices if "in plaintext:" in c)
            assert not any(e.text.startswith("AUTH") for e in later) and later[0].text == "QUIT"
            return next(c for c in q.choices if c.startswith("It quits"))
        if "Alert" in at.text:
            assert not any(e.kind is Kind.SMTP for e in later)
            return next(c for c in q.choices if c.startswith("It aborts the handshake"))
        assert "accepted unchecked" in at.text and any(e.text == "DATA" for e in later)
        return next(c for c in q.choices if c.startswith("It carries on and delivers"))
    if q.kind is K.CLIENT_CHECK:
        return _rederive_client_check(q, trace, at)
    if q.kind is K.SPF_RESULT:
        return _rederive_spf(q, trace, at)
    if q.kind is K.AUTH_CHECK:
        return _rederive_auth_check(q, trace, at)
    if q.kind is K.ALIGNMENT:
        return _rederive_alignment(q, trace, at)
    if q.kind is K.RECORD_PURPOSE:
        assert at.kind is Kind.DNS and at.dir is Direction.CLIENT
        rdtype = at.text.split("\t")[-1]
        if rdtype == "TXT":  # RFC 6376 §3.6.2.2, RFC 7489 §6.1: keys and policies are TXT records
            name = at.text.lstrip(";").split("\t")[0]
            assert "._domainkey." in name or name.startswith("_dmarc.")
            return "TXT"
        if rdtype == "PTR":
            assert at.text.lstrip(";").split("\t")[0].endswith(".in-addr.arpa.")  # RFC 1035 §3.5
            return "PTR"
        # RFC 8601 §3: the name the PTR gave is looked up for its addresses.
        ptr_names = [e.text.split("\t")[4] for e in ev[: at.step] if e.kind is Kind.DNS and e.text.count("\t") == 4
                     and e.text.split("\t")[3] == "PTR"]
        assert at.text.lstrip(";").split("\t")[0] in ptr_names and rdtype in ("A", "AAAA")
        return "A or AAAA"
    raise AssertionError(f"no re-derivation for {q.kind}")


def _mx_dns(trace, at) -> list:
    """The DNS lines the refusing server exchanged on this client's connection, before the refusal."""
    opened = next(e.step for e in trace.events if e.conn == at.conn)
    return [e for e in trace.events[opened: at.step] if e.kind is Kind.DNS and at.src in (e.src, e.dst)]


def _rederive_client_check(q: Question, trace, at) -> str:
    ev = trace.events
    if at.kind is Kind.DNS:  # a blocklist's answer: any A record there means listed (RFC 5782 §2.1)
        assert at.text.split("\t")[3] == "A" and at.text.split("\t")[4].startswith("127.")
        return next(c for c in q.choices if c.startswith("It is on that list"))
    assert at.kind is Kind.SMTP and at.dir is Direction.SERVER and at.text[0] == "5"
    if "hand new mail over" in q.question:  # RFC 6409 §4.3, RFC 8314 §3.3
        return next(c for c in q.choices if "587 or 465" in c and "AUTH" in c)
    dns = _mx_dns(trace, at)
    client_ip = trace.actor(trace.connection(at.conn).client).ip
    records = [e.text.split("\t") for e in dns if e.text.count("\t") == 4]
    ptr = [r[4].rstrip(".") for r in records if r[3] == "PTR"]
    forward = [r[4] for r in records if r[3] in ("A", "AAAA") and r[0].rstrip(".") in ptr]
    listed = [r for r in records if r[3] == "A" and r[4].startswith("127.") and not r[0].endswith(".arpa.")]
    asked_ptr = any(e.dir is Direction.CLIENT and e.text.endswith("\tPTR") for e in dns)
    if asked_ptr and client_ip not in forward:  # RFC 8601 §3: I not in L
        assert at.text.startswith("550 5.7.25")  # RFC 7372 §3.3
        return next(c for c in q.choices if c.startswith("Reverse DNS"))
    if listed:
        assert at.text.startswith("554 5.7.1")
        return next(c for c in q.choices if "blocklist" in c)
    rcpt = [e for e in ev[: at.step] if e.conn == at.conn and e.dir is Direction.CLIENT][-1].text
    logged_in = any(e.conn == at.conn and e.text.startswith("235") for e in ev[: at.step])
    server_domain = trace.actor(at.src).hostname.split(".", 1)[1]
    assert not dns and not logged_in and not rcpt.lower().endswith(f"@{server_domain}>")  # RFC 5321 §3.6.2
    assert at.text.startswith("550 5.7.1")
    return next(c for c in q.choices if c.startswith("Relay policy"))


def _rederive_retry(q: Question, trace, at) -> str:
    ev = trace.events
    if "SYN" in q.question:
        syns = [e.t for e in ev if e.kind is Kind.TCP and e.conn == at.conn and e.text.startswith("SYN")]
        waits = [b - a for a, b in zip(syns, syns[1:])]
        assert len(waits) >= 3 and all(abs(b - 2 * a) < 1e-6 for a, b in zip(waits, waits[1:]))
        return next(c for c in q.choices if "double" in c)
    if "greylisting" in q.question:
        rcpt = [e for e in ev[: at.step] if e.conn == at.conn and e.dir is Direction.CLIENT][-1].text
        later = [e for e in ev[at.step + 1:] if e.text == rcpt]
        assert later and ev[later[-1].step + 1].text.startswith("250")  # accepted when it came back
        return next(c for c in q.choices if "retry" in c)
    if "Action: delayed" in q.question:
        assert at.text.startswith("delay warning")
        assert any(e.kind is Kind.QUEUE and "retry #" in e.text for e in ev[at.step:])  # the queue goes on
        return next(c for c in q.choices if "still being retried" in c)
    if "give up" in q.question:
        queued = next(e for e in ev if e.kind is Kind.QUEUE and e.text.startswith("queued"))
        assert at.t - queued.t >= 4 * 86400  # RFC 5321 §4.5.4.1: at least 4-5 days
        return next(c for c in q.choices if c.endswith("days"))
    deferred = [e for e in ev[: at.step] if e.kind is Kind.QUEUE and "deferred" in e.text][-1]
    assert at.t - deferred.t >= 1800  # RFC 5321 §4.5.4.1: at least 30 minutes
    return next(c for c in q.choices if c.endswith("30 minutes"))


def from_stem(q: Question) -> str | None:
    """The key worked out from the stem and exhibit alone (None for a kind this table does not read)."""
    stem = q.stem
    if q.kind is K.PORT:
        service = ("relay" if "relaying" in stem else "submission" if "submission" in stem
                   else "imap" if "IMAP" in stem else "pop3")
        mode = "any" if service == "relay" else "implicit" if "implicit TLS" in stem else "upgrade"
        return str(PORTS[(service, mode)])
    if q.kind is K.TLS_MODE:
        port = int(re.search(r"port (\d+)", stem).group(1))
        if port == 25:
            return next(c for c in q.choices if "if offered" in c)
        if port in (465, 993, 995):
            return next(c for c in q.choices if "handshake comes first" in c)
        return next(c for c in q.choices if ("STLS" if port == 110 else "STARTTLS") + " command" in c)
    if q.kind is K.REPLY_CODE:
        return next(code for words, code in SITUATION_CODES if words in stem)
    if q.kind is K.NEXT_COMMAND:
        return next(verb for words, verb in NEXT_COMMANDS if words in stem)
    if q.kind is K.TEMPORARY_OR_PERMANENT:
        if "`MX 0 .`" in stem:  # RFC 7505 §3: a null MX, the domain takes no mail
            return next(c for c in q.choices if c.startswith("Permanent"))
        quoted = re.search(r"`([245])\d\d|status (\w+)", stem)
        temporary = quoted.group(1) == "4" if quoted.group(1) else quoted.group(2) == "SERVFAIL"
        return next(c for c in q.choices if c.startswith("Temporary" if temporary else "Permanent"))
    if q.kind is K.DNS_ANSWER:
        if "NXDOMAIN" in stem:
            return next(c for c in q.choices if "No such name" in c)
        if "SERVFAIL" in stem:
            return next(c for c in q.choices if "failed for now" in c)
        if "IN MX 0 ." in stem:
            return next(c for c in q.choices if "no email" in c)
        assert "ANSWER: 0" in stem
        return next(c for c in q.choices if "exists" in c)
    if q.kind is K.MX_ORDER:
        records = sorted((int(p), h.rstrip(".")) for p, h in re.findall(r"IN MX (\d+) (\S+)", stem))
        return " first, then ".join(h for _, h in records)
    if q.kind is K.RECORD_PURPOSE:
        if "._domainkey." in stem or "`_dmarc." in stem:  # RFC 6376 §3.6.2.2, RFC 7489 §6.1
            return "TXT"
        return "PTR" if "maps an IP address back" in stem else "A or AAAA"  # RFC 1035 §3.5, RFC 8601 §3
    if q.kind is K.SPF_RESULT:
        record = "".join(re.findall(r'"([^"]*)"', q.exhibit[-1]))
        return _spf_choice(q, record, re.search(r"A client at (\S+) sends", q.question).group(1))
    if q.kind is K.AUTH_CHECK:
        return _auth_check_choice(q)
    if q.kind is K.ALIGNMENT:
        return _alignment_choice(q)
    if q.kind is K.CLIENT_CHECK:
        if "hand new mail over" in stem:
            return next(c for c in q.choices if "587 or 465" in c)
        if re.search(r"IN A 127\.0\.0\.\d+", stem) and "in-addr.arpa" not in stem:
            return next(c for c in q.choices if "blocklist" in c or c.startswith("It is on that list"))
        if "IN PTR" in stem:  # the PTR's name, looked up, did not give the address back
            return next(c for c in q.choices if c.startswith("Reverse DNS"))
        assert "had not logged in" in stem
        return next(c for c in q.choices if c.startswith("Relay policy"))
    if q.kind is K.READ_PROTOCOL:
        port = int(re.search(r"port (\d+)", stem).group(1))
        name, how = {993: ("IMAP", "implicit"), 143: ("IMAP", "STARTTLS"), 995: ("POP3", "implicit"),
                     110: ("POP3", "STLS")}[port]
        (match,) = [c for c in q.choices if c.startswith(name) and how in c]
        return match
    return None


def generated() -> list[tuple[Question, object]]:
    return [(q, t) for q, t in bank() if q.kind is not K.AUTHORED]


def test_every_generated_answer_agrees_with_its_trace():
    checked = 0
    for q, trace in generated():
        assert rederive(q, trace) == q.answer, q
        checked += 1
    assert checked > 60


def test_every_answer_follows_from_what_the_question_shows():
    read = 0
    for q, _ in generated():
        derived = from_stem(q)
        if derived is not None:
            assert derived == q.answer, q
            read += 1
    assert read > 40


def test_every_exhibit_line_is_a_line_of_the_trace():
    shown = 0
    for q, trace in generated():
        lines = {f"{e.dir.value}: " + e.text.split("\r\n")[0].replace("\t", " ") for e in trace.events if e.dir}
        for line in q.exhibit:
            assert line in lines, (q.question, line)
            shown += 1
    assert shown > 20


def test_questions_that_read_the_trace_show_it():
    # Reading a DNS answer or an EHLO reply is the skill: the lines are in the question itself.
    for q, _ in generated():
        if q.kind in (K.DNS_ANSWER, K.MX_ORDER) or (q.kind is K.TLS_ATTACK and "arrives like this" in q.question):
            assert q.exhibit, q.question


def test_no_reply_code_trivia_about_an_ordinary_command():
    # The old bank asked "sends `MAIL FROM:<alice@example.org> SIZE=328` ... Which reply code comes back?":
    # only a student who had watched that run could know. Every reply-code stem now tells the situation.
    for q in questions():
        if q.kind is K.REPLY_CODE:
            assert "comes back" not in q.question and "example" not in q.question, q.question
            assert sum(words in q.stem for words, _ in SITUATION_CODES) >= 1


def test_every_kind_is_generated():
    kinds = {q.kind for q in questions()}
    assert kinds == set(K), set(K) - kinds


def test_choices_are_distinct_at_least_three_and_contain_the_answer_once():
    for q in questions():
        assert len(q.choices) >= 3 and len(set(q.choices)) == len(q.choices)
        assert q.choices.count(q.answer) == 1
        assert q.explanation and q.rfc, q.question


def test_port_and_role_choices_are_bare():
    # A label on a port ("993 (IMAP over implicit TLS)") or a spelled-out role would tell.
    for q in questions():
        if q.kind is K.PORT:
            assert all(c.isdigit() for c in q.choices), q.choices
        if q.kind is K.ROLE:
            assert set(q.choices) == {"MUA", "MSA", "MTA", "MDA"}


def test_twenty_distinct_questions_and_same_seed_same_quiz():
    a = [q for q, _ in build_quiz(list_scenarios(), 20, 1)]
    b = [q for q, _ in build_quiz(list_scenarios(), 20, 1)]
    c = [q for q, _ in build_quiz(list_scenarios(), 20, 2)]
    assert len(a) == 20 and len({q.id for q in a}) == 20
    assert a == b
    assert a != c


def test_difficulty_filter():
    picked = build_quiz(list_scenarios()[:4], 10, 1, difficulty=Difficulty.EASY)
    assert picked and all(q.difficulty is Difficulty.EASY for q, _ in picked)


def test_authored_questions_come_from_the_scenario_file():
    authored = [q for q in questions() if q.kind is K.AUTHORED]
    assert any("RFC 8314" in q.answer for q in authored)
    assert all(q.topics for q in authored)


def test_question_refuses_an_answer_outside_its_choices():
    with pytest.raises(ValueError, match="not among the choices"):
        Question("s", K.AUTHORED, Difficulty.EASY, "q?", ("a", "b", "c"), "d", "because", "RFC 1")
    with pytest.raises(ValueError):
        Question("s", "no-such-kind", Difficulty.EASY, "q?", ("a", "b", "c"), "a", "because", "RFC 1")


def _spf_result(record: str, ip: str) -> str:
    """RFC 7208 §4.6.2, evaluated here with ipaddress: the first matching term's qualifier (§4.7: else neutral)."""
    import ipaddress

    for term in record.split()[1:]:
        qual = {"-": "fail", "~": "softfail", "?": "neutral"}.get(term[0], "pass")
        body = term.lstrip("+-~?")
        if body == "all" or ipaddress.ip_address(ip) in ipaddress.ip_network(body.split(":", 1)[1], strict=False):
            return qual
    return "neutral"


def _spf_choice(q: Question, record: str, ip: str) -> str:
    (match,) = [c for c in q.choices if c.startswith(_spf_result(record, ip) + ":")]
    return match


def _rederive_spf(q: Question, trace, at) -> str:
    assert at.kind is Kind.DNS and at.dir is Direction.SERVER and at.text.split("\t")[3] == "TXT"
    record = "".join(re.findall(r'"([^"]*)"', at.text.split("\t")[4]))
    ip = re.search(r"A client at (\S+) sends", q.question).group(1)
    note = next(e for e in trace.events[at.step:] if e.kind is Kind.NOTE and e.text.startswith("SPF "))
    assert note.text.startswith(f"SPF {_spf_result(record, ip)}: {ip} ")  # the MX's own note says the same
    return _spf_choice(q, record, ip)


def _auth_check_choice(q: Question) -> str:
    import authres

    quoted = re.search(r"`(Authentication-Results: [^`]+)`", q.question)
    if quoted:
        header = authres.AuthenticationResultsHeader.parse(quoted.group(1))  # RFC 8601 §2.2
        failed = [r.method for r in header.results if r.result != "pass"]
        assert len(failed) <= 1
        word = {"spf": "SPF:", "dkim": "DKIM:", "dmarc": "DMARC:"}.get(failed[0] if failed else "", "All three")
        return next(c for c in q.choices if c.startswith(word))
    # Refused at the final dot after a DMARC lookup that says p=reject (RFC 7489 §10.3).
    assert any(line.startswith("C: ;_dmarc.") for line in q.exhibit)
    assert any("p=reject" in line for line in q.exhibit) and "`550 5.7.1" in q.question
    return next(c for c in q.choices if c.startswith("DMARC:"))


def _rederive_auth_check(q: Question, trace, at) -> str:
    if "`Authentication-Results: " in q.question:
        assert at.kind is Kind.NOTE and f"`{at.text}`" in q.question  # the header the MX stamped, as it noted it
    else:
        assert at.kind is Kind.SMTP and at.text.startswith("550 5.7.1") and "DMARC" in at.text
    return _auth_check_choice(q)


def _alignment_choice(q: Question) -> str:
    """RFC 7489 §3.1: a result counts if it passed for the From: domain's organizational domain."""
    author = re.search(r"From: address is at (\S+)\.", q.question).group(1)
    spf = re.search(r"SPF gave (\w+) for the envelope sender's domain (\S+),", q.question)
    dkim = re.search(r"DKIM gave (\w+) for d=(\S+?)\. ", q.question)
    org = lambda d: d.lower().split(".")[-2:]  # noqa: E731 (the scenarios' names: no public suffix of two labels)
    spf_ok = spf.group(1) == "pass" and org(spf.group(2)) == org(author)
    dkim_ok = dkim.group(1) == "pass" and org(dkim.group(2)) == org(author)
    words = {(True, True): "Both", (False, True): "Only the DKIM", (True, False): "Only the SPF",
             (False, False): "Neither"}[(spf_ok, dkim_ok)]
    return next(c for c in q.choices if c.startswith(words))


def _rederive_alignment(q: Question, trace, at) -> str:
    key = _alignment_choice(q)
    # The MX's own verdict agrees: DMARC passes exactly when one of them counts.
    assert at.kind is Kind.NOTE and at.text.startswith("DMARC " + ("fail" if key.startswith("Neither") else "pass"))
    return key
