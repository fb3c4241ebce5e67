"""Python's own smtplib against our SMTP server, over real TCP and real TLS.

smtplib was written by other people from the same RFCs: where it and our
server disagree, our server is wrong unless the RFC text says otherwise.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

import pytest

from simulator.protocols.smtp import (
    AuthFailed,
    AuthSucceeded,
    MessageReceived,
    RecipientRejected,
    Role,
    ServerPolicy,
    SMTPServer,
    SMTPServerConfig,
)

from adapter import LoopbackServer

pytestmark = [pytest.mark.socket, pytest.mark.timeout(30)]

HOST = "smtp.example.org"
USER, PASSWORD = "alice@example.org", "correct horse battery staple"
CLIENT_NAME = "laptop.example.net"  # our own EHLO name: never ask the resolver for one


def msa(implicit_tls: bool = False) -> SMTPServer:
    config = SMTPServerConfig(HOST, Role.MSA, local_domains=frozenset({"example.org"}), implicit_tls=implicit_tls)
    return SMTPServer(config, ServerPolicy({USER: PASSWORD}))


def mta() -> SMTPServer:
    return SMTPServer(SMTPServerConfig("mx.example.org", Role.MTA, local_domains=frozenset({"example.org"})))


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = USER
    msg["To"] = "bob@example.net, carol@example.com"
    msg["Cc"] = "dave@example.org"
    msg["Subject"] = "Interop"
    # A line starting with a dot: smtplib stuffs it, our server must un-stuff it.
    msg.set_content("Hello,\n.leading dot\n..two dots\nbye\n")
    return msg


def connect(server: LoopbackServer) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", server.port, local_hostname=CLIENT_NAME, timeout=10)


def test_smtplib_ehlo_sees_our_extensions_and_no_auth_before_tls(server_tls: ssl.SSLContext) -> None:
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        code, _ = client.ehlo()
        assert code == 250
        for keyword in ("pipelining", "size", "starttls", "enhancedstatuscodes", "8bitmime"):
            assert client.has_extn(keyword), keyword
        assert client.esmtp_features["size"] == "10485760"
        assert not client.has_extn("auth")  # RFC 4954 §4: not offered in the clear
    assert server.errors == []


def test_smtplib_starttls_does_a_real_handshake_verified_against_the_ca(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.ehlo()
        code, text = client.starttls(context=client_tls)
        assert (code, text) == (220, b"2.0.0 Ready to start TLS")
        assert isinstance(client.sock, ssl.SSLSocket) and client.sock.version() in ("TLSv1.2", "TLSv1.3")
        client.ehlo()  # smtplib forgot the old EHLO answer, as RFC 3207 §4.2 asks
        assert client.has_extn("auth") and not client.has_extn("starttls")
        assert client.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
    assert server.errors == []
    assert server.servers[0].tls_active


def test_smtplib_refuses_a_certificate_from_an_unknown_ca(server_tls: ssl.SSLContext) -> None:
    stranger = ssl.create_default_context()  # trusts the system CAs, not ours
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.ehlo()
        with pytest.raises(ssl.SSLCertVerificationError):
            client.starttls(context=stranger)
        server.wait_idle()
    assert server.errors and all(isinstance(e, ssl.SSLError) for e in server.errors)


def test_smtplib_login_picks_plain_and_succeeds(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.starttls(context=client_tls)
        assert client.login(USER, PASSWORD) == (235, b"2.7.0 Authentication successful")
    assert server.events_of(AuthSucceeded) == [AuthSucceeded(USER, "PLAIN")]


def test_smtplib_auth_plain_without_initial_response_reads_the_334_space(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.starttls(context=client_tls)
        client.ehlo()
        client.user, client.password = USER, PASSWORD
        # "334 " with its trailing space is an empty challenge (RFC 4954 §4).
        assert client.auth("PLAIN", client.auth_plain, initial_response_ok=False)[0] == 235
    assert server.events_of(AuthSucceeded) == [AuthSucceeded(USER, "PLAIN")]


@pytest.mark.parametrize("initial_response_ok", [True, False])
def test_smtplib_auth_login_answers_username_then_password(
    server_tls: ssl.SSLContext, client_tls: ssl.SSLContext, initial_response_ok: bool
) -> None:
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.starttls(context=client_tls)
        client.ehlo()
        client.user, client.password = USER, PASSWORD
        code, _ = client.auth("LOGIN", client.auth_login, initial_response_ok=initial_response_ok)
        assert code == 235
    assert server.events_of(AuthSucceeded) == [AuthSucceeded(USER, "LOGIN")]


def test_smtplib_bad_password_is_535(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.starttls(context=client_tls)
        with pytest.raises(smtplib.SMTPAuthenticationError) as failure:
            client.login(USER, "wrong")
        assert failure.value.smtp_code == 535 and failure.value.smtp_error.startswith(b"5.7.8 ")
    assert server.events_of(AuthFailed)


def test_smtplib_sending_without_login_is_530(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.starttls(context=client_tls)
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(message())
        assert refused.value.smtp_code == 530
    assert server.events_of(MessageReceived) == []


def test_smtplib_send_message_with_several_recipients(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    msg = message()
    with LoopbackServer(msa, server_tls) as server, connect(server) as client:
        client.starttls(context=client_tls)
        client.login(USER, PASSWORD)
        assert client.send_message(msg) == {}  # nobody refused
    [received] = server.events_of(MessageReceived)
    envelope = received.envelope
    assert envelope.mail_from == USER
    assert envelope.rcpt_to == ("bob@example.net", "carol@example.com", "dave@example.org")
    assert envelope.auth_user == USER and envelope.transmission_type == "ESMTPSA"
    assert received.reply.code == 250
    # smtplib announced SIZE (lower-case keyword: parameters are case-insensitive).
    assert int(envelope.mail_params["SIZE"]) > 0
    # Dot-stuffing undone: the stored content is what the client meant, CRLF line ends.
    assert b"\r\n.leading dot\r\n..two dots\r\n" in received.content
    assert received.content == msg.as_bytes().replace(b"\n", b"\r\n")


def test_smtplib_gets_the_refused_recipient_back_from_the_mta(server_tls: ssl.SSLContext) -> None:
    with LoopbackServer(mta, server_tls) as server, connect(server) as client:
        refused = client.sendmail("a@example.net", ["b@example.org", "c@elsewhere.example"], b"Subject: x\r\n\r\nhi\r\n")
    assert refused == {"c@elsewhere.example": (550, b"5.7.1 Relay access denied")}
    [rejected] = server.events_of(RecipientRejected)
    assert rejected.address == "c@elsewhere.example"
    [received] = server.events_of(MessageReceived)
    assert received.envelope.rcpt_to == ("b@example.org",)


def test_smtp_ssl_on_an_implicit_tls_server(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    with (
        LoopbackServer(lambda: msa(implicit_tls=True), server_tls, implicit_tls=True) as server,
        smtplib.SMTP_SSL("127.0.0.1", server.port, local_hostname=CLIENT_NAME, context=client_tls, timeout=10) as client,
    ):
        client.ehlo()
        assert client.has_extn("auth") and not client.has_extn("starttls")  # RFC 8314: already in TLS
        client.login(USER, PASSWORD)
        client.send_message(message())
    [received] = server.events_of(MessageReceived)
    assert received.envelope.tls and received.envelope.auth_user == USER
    assert server.errors == []
