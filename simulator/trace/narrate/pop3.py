"""POP3 lines and what they mean (RFC 1939)."""

from __future__ import annotations

from collections import deque

from simulator.trace.narrate import Line
from simulator.trace.narrate._cut import Cutter, shown

_COMMANDS: dict[str, tuple[str, str]] = {
    "CAPA": ("The client asks what the server supports.", "RFC 2449 §5"),
    "STLS": ("The client asks to upgrade to TLS before sending a password.", "RFC 2595 §4"),
    "USER": ("The client names the mailbox.", "RFC 1939 §7"),
    "PASS": ("The password, in clear inside the connection: only TLS protects it.", "RFC 1939 §7"),
    "STAT": ("How many messages, and how many bytes?", "RFC 1939 §5"),
    "LIST": ("The size of each message.", "RFC 1939 §5"),
    "RETR": ("Download one message.", "RFC 1939 §5"),
    "DELE": ("Mark a message for deletion; it goes when the session ends with QUIT.", "RFC 1939 §5"),
    "RSET": ("Unmark every message marked for deletion.", "RFC 1939 §5"),
    "NOOP": ("Does nothing; the server answers +OK.", "RFC 1939 §5"),
    "QUIT": ("Ends the session; deletions take effect now.", "RFC 1939 §6"),
}
_MULTILINE = {"CAPA", "RETR", "TOP", "UIDL", "LIST"}
COMMAND_KEPT = 255  # the server's limit: RFC 2449 section 4, 255 octets a command, CRLF included
# RFC 1939 §3: a status line is at most 512 octets; the lines of a multi-line answer (TOP's message
# lines) may be longer, so more is kept.
RESPONSE_KEPT = 8192
CONTENT_KEPT = 65536  # as much of a message as the trace shows
MAX_PENDING = 1024  # commands awaiting a reply: a client that never reads cannot grow this forever


class POP3Narrator:
    def __init__(self) -> None:
        self._cbuf = Cutter()
        self._sbuf = Cutter()
        self._pending: deque[tuple[str, bool]] = deque()  # (verb, has argument)
        self._multi: str | None = None  # the command whose multi-line answer is being read
        self._greeted = False

    def client(self, data: bytes) -> list[Line]:
        self._cbuf.feed(data)
        out = []
        while (line := self._cbuf.line(COMMAND_KEPT)) is not None:
            text = shown(line)
            verb = text.split(" ", 1)[0].upper()
            if len(self._pending) < MAX_PENDING:
                self._pending.append((verb, " " in text.strip()))
            explain, rfc = _COMMANDS.get(verb, ("A command the server may not know.", "RFC 1939 §3"))
            out.append(Line(text, explain, rfc))
        return out

    def server(self, data: bytes) -> list[Line]:
        cut = self._sbuf
        cut.feed(data)
        out: list[Line] = []
        while True:
            if self._multi == "RETR":
                body = cut.body(CONTENT_KEPT)
                if body is None:
                    break
                self._multi = None
                out.append(Line(shown(body), "The message, dot-stuffed like SMTP's DATA.", "RFC 1939 §3", content=True))
                out.append(Line(".", "A line with only a dot ends the message.", "RFC 1939 §3"))
                continue
            line = cut.line(RESPONSE_KEPT)
            if line is None:
                break
            text = shown(line)
            if self._multi is not None:
                if text == ".":
                    self._multi = None
                    out.append(Line(text, "The end of the list.", "RFC 1939 §3"))
                else:
                    out.append(Line(text, "One line of the list.", "RFC 1939 §3"))
                continue
            # The status indicator first (RFC 1939 §3): "+OK" or "-ERR", then what it answers.
            ok, err = _status(text, "+OK"), _status(text, "-ERR")
            greeting = not self._greeted
            self._greeted = True
            verb, has_arg = self._pending.popleft() if self._pending and not greeting else ("", False)
            if ok and verb in _MULTILINE and not (verb == "LIST" and has_arg):
                self._multi = verb
            if greeting:
                out.append(Line(text, "+OK: the server's greeting, ready for USER (or CAPA, STLS)." if ok else
                                "-ERR at the greeting: the server refuses this session." if err else
                                "A greeting without +OK or -ERR: not valid POP3.", "RFC 1939 §4"))
            elif ok:
                out.append(Line(text, f"+OK: {verb or 'the command'} succeeded.", "RFC 1939 §3"))
            elif err and text[5:].startswith("[SYS/TEMP]"):
                # The response code (RFC 2449 §8) says whether trying later may help.
                out.append(Line(text, f"-ERR [SYS/TEMP]: {verb or 'the command'} failed for a temporary reason; "
                                "trying later may work (as after too many wrong passwords from one address).",
                                "RFC 2449 §8"))
            elif err:
                out.append(Line(text, f"-ERR: {verb or 'the command'} failed.", "RFC 1939 §3"))
            else:
                out.append(Line(text, "A reply without +OK or -ERR: not valid POP3.", "RFC 1939 §3"))
        return out


def _status(text: str, indicator: str) -> bool:
    # "+OK" alone or followed by a space; "+OKAY" is not a status indicator.
    return text == indicator or text.startswith(indicator + " ")
