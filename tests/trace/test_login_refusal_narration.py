"""What the trace says when a server refuses logins from an address that guessed too often.

Each protocol's refusal is a temporary one, in its own words: SMTP's 421 and close (RFC 5321 §3.8),
POP3's [SYS/TEMP] response code (the codes of RFC 2449 §8), IMAP's [UNAVAILABLE] (RFC 5530) beside
the plain wrong password's [AUTHENTICATIONFAILED].
"""

from __future__ import annotations

from simulator.trace.narrate.imap import IMAPNarrator
from simulator.trace.narrate.pop3 import POP3Narrator
from simulator.trace.narrate.smtp import SMTPNarrator


def test_smtp_421_to_auth_is_the_guessing_guard_closing() -> None:
    narrator = SMTPNarrator(submission=True)
    narrator.client(b"AUTH PLAIN AGJvYgB4\r\n")
    [line] = narrator.server(b"421 4.7.0 msa.example.org Too many failed logins from your address\r\n")
    assert line.rfc == "RFC 5321 §3.8"
    assert "closes the connection" in line.explain and "even with the right password" in line.explain


def test_smtp_535_stays_a_wrong_password() -> None:
    narrator = SMTPNarrator(submission=True)
    narrator.client(b"AUTH PLAIN AGJvYgB4\r\n")
    [line] = narrator.server(b"535 5.7.8 Authentication credentials invalid\r\n")
    assert line.rfc == "RFC 4954 §6" and "wrong username or password" in line.explain


def test_pop3_sys_temp_is_told_apart_from_a_plain_err() -> None:
    narrator = POP3Narrator()
    narrator.server(b"+OK ready\r\n")
    narrator.client(b"USER bob\r\nPASS wrong\r\nPASS again\r\n")
    _user, temp, plain = narrator.server(b"+OK\r\n-ERR [SYS/TEMP] Too many failed logins\r\n-ERR Invalid login\r\n")
    assert temp.rfc == "RFC 2449 §8" and "temporary" in temp.explain and "PASS" in temp.explain
    assert plain.rfc == "RFC 1939 §3" and "temporary" not in plain.explain


def test_imap_unavailable_and_authenticationfailed_are_explained() -> None:
    narrator = IMAPNarrator()
    narrator.client(b"a1 LOGIN bob wrong\r\na2 LOGIN bob again\r\n")
    wrong, guarded = narrator.server(b"a1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
                                     b"a2 NO [UNAVAILABLE] Too many failed logins\r\n")
    assert "the password is wrong" in wrong.explain
    assert "temporary failure" in guarded.explain and "trying later may work" in guarded.explain
