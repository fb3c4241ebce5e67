"""SASL PLAIN (RFC 4616) and LOGIN as used by SMTP AUTH (RFC 4954 §4).

The server side is a tiny exchange object: feed it the initial response and
each client line, it answers with a challenge, credentials to check, or a
failure reply. The client side is a few encoders.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp.replies import Reply

MECHANISMS = ("PLAIN", "LOGIN")


@dataclass(frozen=True)
class Challenge:
    """The server asks for the next step of the login (a 334 reply)."""

    reply: Reply  # a 334


@dataclass(frozen=True)
class Credentials:
    """The login decoded from the client's answer."""

    username: str
    password: str


@dataclass(frozen=True)
class Failure:
    """The login cannot go on: the reply to send, and who tried."""

    reply: Reply
    username: str = ""


Step = Challenge | Credentials | Failure


def _decode(text: str) -> bytes | None:
    # RFC 4954 §4: "=" is a zero-length response.
    if text == "=":
        return b""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class ServerExchange:
    """One AUTH exchange on the server."""

    def __init__(self, mechanism: str) -> None:
        self.mechanism = mechanism
        self._username: str | None = None

    def start(self, initial: str | None) -> Step:
        if initial is None:
            if self.mechanism == "PLAIN":
                return Challenge(R.AUTH_EMPTY_CHALLENGE)  # "334 " (RFC 4954 §4)
            return Challenge(R.LOGIN_USERNAME_CHALLENGE)
        return self.respond(initial)

    def respond(self, line: str) -> Step:
        if line == "*":
            return Failure(R.AUTH_CANCELLED, self._username or "")
        data = _decode(line)
        if data is None:
            return Failure(R.BAD_BASE64, self._username or "")
        if self.mechanism == "PLAIN":
            return self._plain(data)
        return self._login(data)

    def _plain(self, data: bytes) -> Step:
        # RFC 4616: [authzid] NUL authcid NUL passwd
        parts = data.split(b"\x00")
        decoded = [_utf8(p) for p in parts]
        if len(parts) != 3 or any(d is None for d in decoded):
            return Failure(R.BAD_BASE64.with_text("Invalid PLAIN response"))
        authzid, authcid, passwd = (d or "" for d in decoded)
        if not authcid or (authzid and authzid != authcid):
            # Acting as another identity is not supported here.
            return Failure(R.AUTH_CREDENTIALS_INVALID, authcid)
        return Credentials(authcid, passwd)

    def _login(self, data: bytes) -> Step:
        text = _utf8(data)
        if text is None:
            return Failure(R.BAD_BASE64, self._username or "")
        if self._username is None:
            self._username = text
            return Challenge(R.LOGIN_PASSWORD_CHALLENGE)
        return Credentials(self._username, text)


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def plain_response(username: str, password: str) -> str:
    """base64("\\0user\\0pass"): empty authzid, i.e. act as the authenticated user."""
    return base64.b64encode(b"\x00" + username.encode("utf-8") + b"\x00" + password.encode("utf-8")).decode("ascii")
