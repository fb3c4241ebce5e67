"""The SMTP server's AUTH command and its SASL continuation lines (RFC 4954).

Functions of the server (``SMTPServer._cmd_auth`` and friends are these), kept apart so that
server.py stays one job a screen: commands, sequence, content. They read and set the server's
own state exactly as its methods do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.protocols.smtp import _sasl
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp._events import AuthSucceeded
from simulator.protocols.smtp._framing import CRLF, Line
from simulator.protocols.smtp._state import AFTER_SUCCESS, IN_SEQUENCE, SEQUENCE_ERRORS

if TYPE_CHECKING:
    from simulator.protocols.smtp.server import SMTPServer


def cmd_auth(server: SMTPServer, arg: str, verb: str) -> None:
    """``AUTH mechanism [initial-response]``."""
    if not server._auth_enabled:
        return server._reply(R.AUTH_NOT_ENABLED, verb)
    if not arg:
        return server._reply(R.AUTH_SYNTAX, verb)
    if server.auth_user is not None:
        return server._reply(R.AUTH_ALREADY_DONE, verb)  # RFC 4954 §4
    if server.state not in IN_SEQUENCE[verb] or not server._esmtp:
        # AUTH is an extension: it needs EHLO (HELO is not enough), and no open transaction.
        text = SEQUENCE_ERRORS.get((verb, server.state), "Send EHLO first")
        return server._reply(R.BAD_SEQUENCE.with_text(text), verb)
    words = arg.split(" ")
    mechanism = words[0].upper()
    if len(words) > 2:
        return server._reply(R.AUTH_SYNTAX, verb)
    if mechanism not in server.config.auth_mechanisms:
        return server._reply(R.AUTH_MECH_UNKNOWN, verb)
    if not server.tls_active:
        return server._reply(R.ENCRYPTION_REQUIRED_FOR_AUTH, verb)  # RFC 4954 §6: 538
    server._sasl = _sasl.ServerExchange(mechanism)
    auth_step(server, server._sasl.start(words[1] if len(words) == 2 else None))


def auth_line(server: SMTPServer, line: Line) -> None:
    """A SASL continuation line (the client's answer to a 334)."""
    if line.too_long:
        return auth_step(server, _sasl.Failure(R.AUTH_LINE_TOO_LONG))
    if line.ending != CRLF:
        return auth_step(server, _sasl.Failure(R.BARE_LF_IN_COMMAND))
    assert server._sasl is not None
    auth_step(server, server._sasl.respond(line.data.decode("latin-1").strip(" ")))


def auth_step(server: SMTPServer, step: _sasl.Step) -> None:
    """What the exchange said: another challenge, a failure, or credentials to check."""
    assert server._sasl is not None
    mechanism = server._sasl.mechanism
    if isinstance(step, _sasl.Challenge):
        server.state = AFTER_SUCCESS["AUTH"]
        return server._reply(step.reply, "AUTH")
    server._sasl = None
    server.state = AFTER_SUCCESS["AUTH-END"]
    if isinstance(step, _sasl.Failure):
        return _failed(server, step.username, mechanism, step.reply)
    gate = server.login_gate
    if gate is not None and not gate.allowed():
        # Too many wrong passwords from this client: not even checked; 421 and close (RFC 5321 §3.8).
        server._reply(server._with_domain(R.TOO_MANY_AUTH_FAILURES), "AUTH")
        return server._close()
    if server.policy.authenticate(mechanism, step.username, step.password):
        server.auth_user = step.username
        server._events.append(AuthSucceeded(step.username, mechanism))
        return server._reply(R.AUTH_SUCCEEDED, "AUTH")
    if gate is not None:
        gate.failed()
    _failed(server, step.username, mechanism, R.AUTH_CREDENTIALS_INVALID)


def _failed(server: SMTPServer, username: str, mechanism: str, reply: R.Reply) -> None:
    # A refused login is rare in a run: its event class is imported when one happens.
    from simulator.protocols.smtp._events_more import AuthFailed

    server._events.append(AuthFailed(username, mechanism))
    server._reply(reply, "AUTH")
