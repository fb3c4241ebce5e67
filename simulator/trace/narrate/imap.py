"""IMAP lines and what they mean (RFC 3501, IMAP4rev1)."""

from __future__ import annotations

import re

from simulator.trace.narrate import Line
from simulator.trace.narrate.imap_more import COMMANDS as _MORE_COMMANDS
from simulator.trace.narrate.imap_more import ClientLiterals, continuation_meaning, untagged_meaning

_COMMANDS: dict[str, tuple[str, str]] = {
    "CAPABILITY": ("The client asks what this server supports.", "RFC 3501 §6.1.1"),
    "STARTTLS": ("The client asks to upgrade this connection to TLS before logging in.", "RFC 3501 §6.2.1"),
    "LOGIN": (
        "The client logs in with username and password, readable by anyone on the path unless TLS is on. "
        "That is why a server on port 143 refuses LOGIN before STARTTLS (it advertises LOGINDISABLED).",
        "RFC 3501 §6.2.3",
    ),
    "SELECT": ("The client opens a mailbox; the server reports how many messages it holds.", "RFC 3501 §6.3.1"),
    "SEARCH": ("The client asks which messages match: UNSEEN ones are the new mail.", "RFC 3501 §6.4.4"),
    "FETCH": (
        "The client downloads a message. BODY[] is the whole message; fetching it marks it \\Seen "
        "(BODY.PEEK[] would not).",
        "RFC 3501 §6.4.5",
    ),
    "LOGOUT": ("The client is done; the server says BYE and closes.", "RFC 3501 §6.1.3"),
    "NOOP": ("NOOP does nothing but lets the server report news.", "RFC 3501 §6.1.2"),
}
_COMMANDS.update({k: v for k, v in _MORE_COMMANDS.items() if k not in _COMMANDS})

_LITERAL = re.compile(rb"\{(\d+)\}$")


class IMAPNarrator:
    def __init__(self) -> None:
        self._cbuf = b""
        self._sbuf = b""
        self._literal: int | None = None
        self._client_literal = ClientLiterals()
        self._after_literal = False

    def client(self, data: bytes) -> list[Line]:
        self._cbuf += data
        out = []
        while True:
            left = self._client_literal.left
            if left:  # the octets of a literal the client announced (APPEND's message)
                if len(self._cbuf) < left:
                    break
                body, self._cbuf = self._cbuf[:left], self._cbuf[left:]
                self._client_literal.left, self._after_literal = 0, True
                out.append(Line(body.decode("utf-8", "replace").removesuffix("\r\n"),
                                *ClientLiterals.explain(True), content=True))
                continue
            end = self._cbuf.find(b"\r\n")
            if end == -1:
                break
            raw, self._cbuf = self._cbuf[:end], self._cbuf[end + 2 :]
            self._client_literal.announced(raw)
            if self._after_literal:  # the rest of the command after its literal
                self._after_literal = False
                if not raw:
                    continue
            text = raw.decode("utf-8", "replace")
            if text.upper() == "DONE":
                out.append(Line(text, "DONE ends IDLE (it has no tag): the client wants to send commands again.",
                                "RFC 2177 §3"))
                continue
            parts = text.split(" ")
            verb = parts[1].upper() if len(parts) > 1 else ""
            if verb == "UID" and len(parts) > 2:
                verb = parts[2].upper()
            explain, rfc = _COMMANDS.get(verb, ("A command the client sends, tagged so replies can be matched.", "RFC 3501 §2.2.1"))
            tagged = f"Tag {parts[0]}: {explain[:1].lower()}{explain[1:]}" if verb else explain
            out.append(Line(text, tagged, rfc))
        return out

    def server(self, data: bytes) -> list[Line]:
        self._sbuf += data
        out = []
        while True:
            if self._literal is not None:
                if len(self._sbuf) < self._literal:
                    break
                body, self._sbuf = self._sbuf[: self._literal], self._sbuf[self._literal :]
                self._literal = None
                out.append(
                    Line(
                        body.decode("utf-8", "replace").removesuffix("\r\n"),
                        "The message itself, sent as a literal: exactly the announced number of bytes.",
                        "RFC 3501 §4.3",
                        content=True,
                    )
                )
                continue
            end = self._sbuf.find(b"\r\n")
            if end == -1:
                break
            raw, self._sbuf = self._sbuf[:end], self._sbuf[end + 2 :]
            match = _LITERAL.search(raw)
            if match:
                self._literal = int(match[1])
            out.append(Line(raw.decode("utf-8", "replace"), *_response_meaning(raw.decode("utf-8", "replace"))))
        return out


def _response_meaning(text: str) -> tuple[str, str]:
    more = continuation_meaning(text) if text.startswith("+") else None
    if more is None and text.startswith("* "):
        head, _, tail = text[2:].partition(" ")
        more = untagged_meaning(head.upper(), head, tail)
    if more is not None:
        return more
    upper = text.upper()
    if upper.startswith("* OK") and ("IMAP4" in upper or "READY" in upper) and "[UID" not in upper and "[PERMANENTFLAGS" not in upper:
        return ("The server's greeting: untagged OK, ready for commands.", "RFC 3501 §7.1.1")
    if upper.startswith("* CAPABILITY"):
        extra = (
            " LOGINDISABLED means: no password on this connection until STARTTLS."
            if "LOGINDISABLED" in upper
            else ""
        )
        return ("The server lists what it supports." + extra, "RFC 3501 §7.2.1")
    if upper.startswith("* FLAGS"):
        return ("The flags messages in this mailbox can carry.", "RFC 3501 §7.2.6")
    if " EXISTS" in upper:
        return ("How many messages the mailbox holds.", "RFC 3501 §7.3.1")
    if " RECENT" in upper:
        return ("How many messages arrived since the last look.", "RFC 3501 §7.3.2")
    if "[UIDVALIDITY" in upper:
        return ("UIDVALIDITY: if it changes, clients must forget the UIDs they cached.", "RFC 3501 §2.3.1.1")
    if "[UIDNEXT" in upper:
        return ("UIDNEXT: the UID the next message will get.", "RFC 3501 §2.3.1.1")
    if "[PERMANENTFLAGS" in upper:
        return ("Which flags the client may change and keep.", "RFC 3501 §7.1")
    if upper.startswith("* SEARCH"):
        return ("The messages that match: their sequence numbers.", "RFC 3501 §7.2.5")
    if " FETCH " in upper:
        return ("The server sends the message; {n} announces a literal of n bytes.", "RFC 3501 §7.4.2")
    if upper.startswith("* BYE"):
        return ("The server is closing the connection.", "RFC 3501 §7.1.5")
    if upper.startswith(")"):
        return ("The end of the FETCH response.", "RFC 3501 §7.4.2")
    parts = upper.split(" ")
    status = parts[1] if len(parts) > 1 else ""
    if status == "OK":
        return ("Tagged OK: the command with this tag succeeded.", "RFC 3501 §7.1.1")
    if status == "NO":
        return ("Tagged NO: the command was understood but failed.", "RFC 3501 §7.1.2")
    if status == "BAD":
        return ("Tagged BAD: the command was not valid here.", "RFC 3501 §7.1.3")
    return ("A server response.", "RFC 3501 §7")
