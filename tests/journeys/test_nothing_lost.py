"""Nothing lost: every message a server accepted with 250 after its data ends,
exactly once per recipient, as delivered or reported in a failure DSN.

Hypothesis draws small topologies (recipient domains, one or two MX each,
existing and mistyped recipients) and fault schedules (any fault kind, on any
fitting target, limited in time or count or not at all), runs them to the end,
and checks the ledger the actors keep.
"""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.delivery.outcomes import Result
from simulator.run import simulate
from simulator.scenario.loader import parse_scenario

HOST_FAULTS = ["host-down", "no-answer", "connection-refused", "service-unavailable", "greylisting",
               "message-too-large", "relay-denied", "bad-certificate"]
DOMAIN_FAULTS = ["nxdomain", "servfail", "dns-timeout", "null-mx", "no-mx"]
MAILBOX_FAULTS = ["user-unknown", "mailbox-full", "remote-bounce"]


@st.composite
def worlds(draw):
    n_domains = draw(st.integers(1, 3))
    text = [
        '[scenario]\ntitle = "t"\nsummary = "s"\n',
        '[hosts.alice]\nrole = "mua"\nhostname = "alice.example.org"\nip = "192.0.2.10"\naccount = "alice@example.org"\n',
        '[hosts.msa]\nrole = "msa"\nhostname = "smtp.example.org"\nip = "192.0.2.25"\ndomains = ["example.org"]\n'
        f'relay_tls = "{draw(st.sampled_from(["may", "verify"]))}"\n',
        '[hosts.dns]\nrole = "dns"\nhostname = "ns.example.org"\nip = "192.0.2.53"\n',
        '[hosts.mxorg]\nrole = "mta"\nhostname = "mx.example.org"\nip = "192.0.2.26"\ndomains = ["example.org"]\nstore = "storeorg"\n',
        '[hosts.storeorg]\nrole = "store"\nhostname = "imap.example.org"\nip = "192.0.2.143"\ndomains = ["example.org"]\n',
        '[hosts.attacker]\nrole = "attacker"\nhostname = "mallory.example"\nip = "198.18.0.66"\n',
    ]
    accounts = ['"alice@example.org" = "pw"']
    zones = ['"example.org" = "@ IN MX 10 mx\\nmx IN A 192.0.2.26\\n"']
    mx_ids, mailboxes, domains = ["mxorg"], ["alice@example.org"], ["example.org"]
    recipients = []
    for d in range(n_domains):
        dom = f"d{d}.example"
        domains.append(dom)
        n_mx = draw(st.integers(1, 2))
        zone = []
        for m in range(n_mx):
            ip = f"203.0.{d}.{25 + m}"
            text.append(f'[hosts.mx{d}{m}]\nrole = "mta"\nhostname = "mx{m}.{dom}"\nip = "{ip}"\n'
                        f'domains = ["{dom}"]\nstore = "store{d}"\n')
            zone.append(f"@ IN MX {10 * (m + 1)} mx{m}\\nmx{m} IN A {ip}")
            mx_ids.append(f"mx{d}{m}")
        zone.append(f"@ IN A 203.0.{d}.25")  # for the implicit-MX case
        text.append(f'[hosts.store{d}]\nrole = "store"\nhostname = "imap.{dom}"\nip = "203.0.{d}.143"\ndomains = ["{dom}"]\n')
        zones.append(f'"{dom}" = "' + "\\n".join(zone) + '\\n"')
        for u in range(2):
            accounts.append(f'"u{u}@{dom}" = "pw"')
            mailboxes.append(f"u{u}@{dom}")
        recipients += [f"u0@{dom}", f"u1@{dom}", f"nobody@{dom}"]
    text.append("[accounts]\n" + "\n".join(accounts) + "\n")
    text.append("[dns.zones]\n" + "\n".join(zones) + "\n")
    text.append("[queue]\nretry = 3600\nwarn_after = 7200\ngive_up_after = 86400\n")
    for i in range(draw(st.integers(1, 3))):
        to = draw(st.lists(st.sampled_from(recipients), min_size=1, max_size=4, unique=True))
        text.append(f'[[messages]]\nfrom = "alice@example.org"\nto = [{", ".join(map(repr, to))}]\n'
                    f'subject = "m{i}"\nat = {i * 30}\n'.replace("'", '"'))
    for _ in range(draw(st.integers(0, 4))):
        family = draw(st.sampled_from(["host", "domain", "mailbox"]))
        if family == "host":
            fault = f'kind = "{draw(st.sampled_from(HOST_FAULTS))}"\nhost = "{draw(st.sampled_from(mx_ids))}"\n'
        elif family == "domain":
            fault = f'kind = "{draw(st.sampled_from(DOMAIN_FAULTS))}"\ndomain = "{draw(st.sampled_from(domains))}"\n'
        else:
            kind = draw(st.sampled_from(MAILBOX_FAULTS))
            fault = f'kind = "{kind}"\nmailbox = "{draw(st.sampled_from(mailboxes))}"\n'
            if kind == "mailbox-full":
                fault += f"permanent = {str(draw(st.booleans())).lower()}\n"
        limit = draw(st.sampled_from(["none", "until", "attempts"]))
        if limit == "until":
            fault += f"until = {draw(st.integers(60, 2 * 86400))}\n"
        elif limit == "attempts":
            fault += f"attempts = {draw(st.integers(1, 3))}\n"
        text.append("[[faults]]\n" + fault)
    if draw(st.booleans()):
        text.append('[[faults]]\nkind = "starttls-stripped"\nlink = "msa-' + draw(st.sampled_from(mx_ids)) + '"\n')
    return "\n".join(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.integers(0, 2**16))
def test_every_accepted_message_ends_exactly_once_per_recipient(text, seed):
    world = simulate(parse_scenario(text, source="drawn.toml"), seed)
    outcomes = Counter((s.message_id, s.rcpt) for s in world.ledger)
    seen = set()
    for queue in world.queues.values():
        for entry in queue.entries.values():
            assert entry.message_id, "every accepted message has a Message-ID"
            for rcpt in entry.recipients:
                key = (entry.message_id, rcpt)
                if key in seen:  # the same message relayed onward by another queue
                    continue
                seen.add(key)
                assert outcomes[key] == 1, (key, [s for s in world.ledger if s.message_id == entry.message_id])
    # A bounce (null sender) is never itself reported in a DSN, only dropped (no loops);
    # a failure of a real message is reported to its sender in a DSN entry that went out.
    entries = {e.message_id: e for q in world.queues.values() for e in q.entries.values()}
    dsn_entries = [e for e in entries.values() if e.sender == ""]
    for settled in world.ledger:
        assert settled.result in (Result.DELIVERED, Result.BOUNCED, Result.DROPPED)
        if settled.result is Result.BOUNCED:
            assert entries[settled.message_id].sender != ""
            assert settled.dsn_to == entries[settled.message_id].sender
            assert dsn_entries, "a failure was reported without a DSN being queued"
        if settled.result is Result.DROPPED:
            assert entries[settled.message_id].sender == ""
