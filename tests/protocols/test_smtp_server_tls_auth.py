"""The SMTP server's STARTTLS (RFC 3207) and AUTH (RFC 4954, RFC 6409) rules, one test each.

Expected codes come from the RFC text cited in each test.
"""

from __future__ import annotations

import base64

import pytest

from simulator.protocols.errors import LocalProtocolError
from simulator.protocols.smtp import (
    AuthFailed,
    AuthSucceeded,
    CommandReceived,
    Envelope,
    Role,
    ServerPolicy,
    ServerState,
    StartTLSRequested,
)
# pytest puts tests/protocols on sys.path (rootdir-relative, no __init__.py).
from _smtp_support import (
    greeted,
    last,
    logged_in,
    plain,
    server,
    submission,
    talk,
)


# --- submission: AUTH (RFC 4954, RFC 6409) ------------------------------------------------


@pytest.mark.parametrize("line", ["MAIL FROM:<alice@example.org>", "RCPT TO:<b@example.com>", "DATA", "VRFY alice", "HELP"])
def test_msa_command_before_auth_is_530_5_7_0(line: str) -> None:
    assert last(submission(), line) == "530 5.7.0 Authentication required"  # RFC 4954 §6


@pytest.mark.parametrize("line", ["NOOP", "RSET", "EHLO laptop.example.net", "HELO laptop.example.net"])
def test_msa_allows_hello_noop_rset_before_auth(line: str) -> None:
    assert last(submission(), line).startswith("250")


def test_msa_allows_quit_before_auth() -> None:
    assert last(submission(), "QUIT").startswith("221 ")


def test_auth_is_not_advertised_before_tls() -> None:
    s = server(Role.MSA)
    lines = talk(s, "EHLO laptop.example.net")
    assert "250-STARTTLS" in lines and not any("AUTH" in ln for ln in lines)


def test_auth_before_tls_is_538_5_7_11() -> None:
    s = server(Role.MSA)
    talk(s, "EHLO laptop.example.net")
    events = s.receive_data(f"AUTH PLAIN {plain('alice', 'x')}\r\n".encode())
    # RFC 4954 §6: 538 5.7.11 Encryption required for requested authentication mechanism.
    assert s.data_to_send().startswith(b"538 5.7.11 ")
    assert not any(isinstance(e, (AuthSucceeded, AuthFailed)) for e in events)


def test_auth_is_advertised_inside_tls_on_the_msa() -> None:
    s = server(Role.MSA, implicit_tls=True)
    lines = talk(s, "EHLO laptop.example.net")
    assert "250-AUTH PLAIN LOGIN" in lines and not any("STARTTLS" in ln for ln in lines)


def test_auth_plain_with_initial_response_is_235_2_7_0() -> None:
    s = submission()
    events = s.receive_data(f"AUTH PLAIN {plain('alice', 'secret')}\r\n".encode())
    assert s.data_to_send() == b"235 2.7.0 Authentication successful\r\n"  # RFC 4954 §6
    assert AuthSucceeded("alice", "PLAIN") in events
    assert s.auth_user == "alice" and s.envelope.auth_user == "alice"


def test_auth_plain_without_initial_response_gets_334_with_trailing_space() -> None:
    s = submission()
    s.receive_data(b"AUTH PLAIN\r\n")
    assert s.data_to_send() == b"334 \r\n"  # RFC 4954 §4: empty challenge is "334 "
    assert last(s, plain("alice", "secret")).startswith("235 2.7.0 ")


def test_auth_plain_accepts_an_authzid_equal_to_the_user() -> None:
    assert last(submission(), "AUTH PLAIN " + plain("alice", "secret", authzid="alice")).startswith("235 ")


def test_auth_login_asks_username_then_password() -> None:
    s = submission()
    assert talk(s, "AUTH LOGIN") == ["334 VXNlcm5hbWU6"]  # base64("Username:")
    assert talk(s, base64.b64encode(b"alice").decode()) == ["334 UGFzc3dvcmQ6"]  # "Password:"
    assert last(s, base64.b64encode(b"secret").decode()).startswith("235 2.7.0 ")


def test_auth_login_with_initial_username() -> None:
    s = submission()
    assert talk(s, "AUTH LOGIN " + base64.b64encode(b"alice").decode()) == ["334 UGFzc3dvcmQ6"]
    assert last(s, base64.b64encode(b"secret").decode()).startswith("235 ")


def test_bad_credentials_are_535_5_7_8() -> None:
    s = submission()
    events = s.receive_data(f"AUTH PLAIN {plain('alice', 'wrong')}\r\n".encode())
    assert s.data_to_send().startswith(b"535 5.7.8 ")  # RFC 4954 §6
    assert AuthFailed("alice", "PLAIN") in events and s.auth_user is None
    assert last(s, "MAIL FROM:<alice@example.org>").startswith("530 ")


def test_auth_star_cancels_with_501() -> None:
    s = submission()
    talk(s, "AUTH LOGIN")
    assert last(s, "*").startswith("501 5.")  # RFC 4954 §4: "MUST reject ... 501"
    assert s.state is ServerState.READY and s.auth_user is None


def test_auth_bad_base64_is_501_5_5_2() -> None:
    s = submission()
    assert last(s, "AUTH PLAIN !!!notbase64!!!").startswith("501 5.5.2 ")  # RFC 4954 §4
    talk(s, "AUTH LOGIN")
    assert last(s, "@@@").startswith("501 5.5.2 ")


def test_auth_unknown_mechanism_is_504_5_5_4() -> None:
    assert last(submission(), "AUTH CRAM-MD5").startswith("504 5.5.4 ")  # RFC 4954 §4: 504


def test_second_auth_is_503() -> None:
    s = logged_in()
    assert last(s, "AUTH PLAIN " + plain("alice", "secret")).startswith("503 5.5.1 ")  # §4


def test_auth_inside_a_transaction_is_503() -> None:
    s = server(Role.MSA, ServerPolicy({"alice": "secret"}), implicit_tls=True, require_auth=False)
    talk(s, "EHLO laptop.example.net", "MAIL FROM:<alice@example.org>")
    assert last(s, "AUTH PLAIN " + plain("alice", "secret")).startswith("503 5.5.1 ")  # §4


def test_auth_needs_ehlo_first() -> None:
    s = server(Role.MSA, ServerPolicy({"alice": "secret"}), implicit_tls=True)
    assert last(s, "AUTH PLAIN " + plain("alice", "secret")).startswith("503 5.5.1 ")
    talk(s, "HELO laptop.example.net")  # AUTH is an extension: HELO is not enough
    assert last(s, "AUTH PLAIN " + plain("alice", "secret")).startswith("503 5.5.1 ")


def test_rset_keeps_the_login() -> None:
    s = logged_in()
    talk(s, "RSET")
    assert s.auth_user == "alice"
    assert last(s, "MAIL FROM:<alice@example.org>").startswith("250 ")


def test_authenticated_msa_user_relays_anywhere() -> None:
    s = logged_in()
    lines = talk(s, "MAIL FROM:<alice@example.org>", "RCPT TO:<bob@far.example>", "RCPT TO:<c@other.example>")
    assert [ln[:3] for ln in lines] == ["250", "250", "250"]
    assert s.envelope.transmission_type == "ESMTPSA"


def test_msa_relays_only_for_authenticated_users() -> None:
    # Even an MSA configured not to demand AUTH for everything relays only for logged-in users
    # (RFC 5321 §3.6.2-3.6.3, RFC 6409 §4.3): its own domains yes, others 550 5.7.1.
    s = server(Role.MSA, ServerPolicy({"alice": "secret"}), implicit_tls=True, require_auth=False)
    lines = talk(s, "EHLO laptop.example.net", "MAIL FROM:<alice@example.org>", "RCPT TO:<bob@example.org>",
                 "RCPT TO:<carol@far.example>")
    assert lines[-2:] == ["250 2.1.5 Recipient ok", "550 5.7.1 Relay access denied"]
    talk(s, "RSET", "AUTH PLAIN " + plain("alice", "secret"), "MAIL FROM:<alice@example.org>")
    assert last(s, "RCPT TO:<carol@far.example>") == "250 2.1.5 Recipient ok"


def test_auth_mail_parameter_is_accepted_when_auth_is_offered() -> None:
    s = logged_in()
    assert last(s, "MAIL FROM:<alice@example.org> AUTH=<>").startswith("250 ")  # RFC 4954 §5


def test_mta_does_not_implement_auth() -> None:
    s = greeted(implicit_tls=True)
    assert last(s, "AUTH PLAIN " + plain("a", "b")).startswith("502 5.5.1 ")


@pytest.mark.parametrize(
    ("envelope", "kind"),
    [
        (Envelope(esmtp=False), "SMTP"),
        (Envelope(esmtp=True), "ESMTP"),
        (Envelope(esmtp=True, tls=True), "ESMTPS"),
        (Envelope(esmtp=True, auth_user="a"), "ESMTPA"),
        (Envelope(esmtp=True, tls=True, auth_user="a"), "ESMTPSA"),
    ],
)
def test_transmission_type_follows_rfc_3848(envelope: Envelope, kind: str) -> None:
    assert envelope.transmission_type == kind


# --- STARTTLS (RFC 3207) -----------------------------------------------------------------


def test_starttls_is_220_2_0_0_and_emits_an_event() -> None:
    s = greeted()
    events = s.receive_data(b"STARTTLS\r\n")
    assert s.data_to_send().startswith(b"220 2.0.0 ")
    assert StartTLSRequested() in events and s.state is ServerState.STARTTLS


def test_starttls_with_an_argument_is_501() -> None:
    assert last(greeted(), "STARTTLS now").startswith("501 5.5.4 ")  # RFC 3207 §4


def test_starttls_when_unavailable_is_454_4_7_0_and_not_advertised() -> None:
    s = server(starttls_available=False)
    assert "250-STARTTLS" not in talk(s, "EHLO client.example.net")
    assert last(s, "STARTTLS").startswith("454 4.7.0 ")  # RFC 3207 §4


def test_after_the_handshake_all_state_is_forgotten() -> None:
    s = server(Role.MSA, ServerPolicy({"alice": "secret"}))
    talk(s, "EHLO laptop.example.net", "STARTTLS")
    s.tls_established()
    assert s.tls_active and s.envelope.helo is None
    # RFC 3207 §4.2: back to the state after the greeting: MAIL needs a new EHLO.
    assert last(s, "MAIL FROM:<alice@example.org>").startswith("503 5.5.1 ")
    t = greeted()
    talk(t, "MAIL FROM:<a@example.net>", "STARTTLS")  # STARTTLS in a transaction: refused
    talk(t, "RSET", "STARTTLS")
    t.tls_established()
    assert last(t, "MAIL FROM:<a@example.net>").startswith("503 5.5.1 ")


@pytest.mark.parametrize("line", ["MAIL FROM:<alice@example.org>", "RCPT TO:<bob@example.net>", "DATA"])
def test_msa_after_the_handshake_mail_rcpt_data_without_a_new_ehlo_are_503_5_5_1(line: str) -> None:
    # RFC 3207 §4.2: the server forgets the EHLO, so the client is back before EHLO, where
    # RFC 5321 §4.1.4 (and §3.3) make MAIL, RCPT and DATA out of sequence: 503, on the MSA
    # too. RFC 4954 §6 asks for 530 when "authentication is required in order to perform the
    # requested action"; out of sequence, no login would make MAIL work. (RFC 3207 §4 is
    # stricter for a server that requires TLS: 530 to every command, see
    # test_require_tls_answers_530_even_before_ehlo.)
    s = server(Role.MSA, ServerPolicy({"alice": "secret"}))
    talk(s, "EHLO laptop.example.net", "STARTTLS")
    s.tls_established()
    assert last(s, line) == "503 5.5.1 Send HELO/EHLO first"
    talk(s, "EHLO laptop.example.net")
    assert last(s, line) == "530 5.7.0 Authentication required"  # greeted again: now a login is missing


def test_ehlo_inside_tls_omits_starttls_and_a_second_starttls_is_503() -> None:
    s = greeted()
    talk(s, "STARTTLS")
    s.tls_established()
    assert not any("STARTTLS" in ln for ln in talk(s, "EHLO client.example.net"))  # §4.2 MUST NOT
    assert last(s, "STARTTLS").startswith("503 5.5.1 ")


def test_bytes_pipelined_after_starttls_are_discarded() -> None:
    s = greeted()
    # CVE-2011-0411: plaintext injected after STARTTLS must never run inside TLS.
    events = s.receive_data(b"STARTTLS\r\nMAIL FROM:<evil@example.net>\r\nRCPT TO:<b@example.org>\r\n")
    assert s.data_to_send() == b"220 2.0.0 Ready to start TLS\r\n"
    assert [e.verb for e in events if isinstance(e, CommandReceived)] == ["STARTTLS"]
    s.tls_established()
    assert last(s, "EHLO client.example.net").startswith("250 ")
    assert s.envelope.mail_from is None


def test_receive_data_before_tls_established_raises() -> None:
    s = greeted()
    talk(s, "STARTTLS")
    with pytest.raises(LocalProtocolError):
        s.receive_data(b"EHLO client.example.net\r\n")


def test_tls_established_without_starttls_raises() -> None:
    with pytest.raises(LocalProtocolError):
        greeted().tls_established()


@pytest.mark.parametrize("line", ["MAIL FROM:<a@example.net>", "VRFY x", "HELP", "AUTH PLAIN"])
def test_require_tls_is_530_5_7_0_until_starttls(line: str) -> None:
    s = greeted(require_tls=True)
    assert last(s, line) == "530 5.7.0 Must issue a STARTTLS command first"  # RFC 3207 §4
    assert [ln[:3] for ln in talk(s, "NOOP", "RSET", "HELO c.example")] == ["250", "250", "250"]
    talk(s, "EHLO c.example", "STARTTLS")
    s.tls_established()
    talk(s, "EHLO c.example")
    assert last(s, "MAIL FROM:<a@example.net>").startswith("250 ")


@pytest.mark.parametrize("line", ["MAIL FROM:<a@example.net>", "DATA"])
def test_require_tls_answers_530_even_before_ehlo(line: str) -> None:
    # RFC 3207 §4: "530 Must issue a STARTTLS command first" to *every* command other than
    # NOOP, EHLO, STARTTLS or QUIT; unlike RFC 4954's 530, this one does not wait for EHLO.
    assert last(server(require_tls=True), line) == "530 5.7.0 Must issue a STARTTLS command first"


def test_implicit_tls_never_offers_starttls() -> None:
    s = greeted(implicit_tls=True)
    assert s.tls_active and s.envelope.transmission_type == "ESMTPS"
    assert last(s, "STARTTLS").startswith("503 5.5.1 ")
