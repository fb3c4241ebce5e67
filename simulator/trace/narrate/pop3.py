"""POP3 lines and what they mean (RFC 1939)."""

from __future__ import annotations

from simulator.trace.narrate import Line

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


class POP3Narrator:
    def __init__(self) -> None:
        self._cbuf = b""
        self._sbuf = b""
        self._pending: list[tuple[str, bool]] = []  # (verb, has argument)
        self._multi: str | None = None  # the command whose multi-line answer is being read
        self._greeted = False

    def client(self, data: bytes) -> list[Line]:
        self._cbuf += data
        out = []
        while (end := self._cbuf.find(b"\r\n")) != -1:
            raw, self._cbuf = self._cbuf[:end], self._cbuf[end + 2 :]
            text = raw.decode("utf-8", "replace")
            verb = text.split(" ", 1)[0].upper()
            self._pending.append((verb, " " in text.strip()))
            explain, rfc = _COMMANDS.get(verb, ("A command the server may not know.", "RFC 1939 §3"))
            out.append(Line(text, explain, rfc))
        return out

    def server(self, data: bytes) -> list[Line]:
        self._sbuf += data
        out: list[Line] = []
        while True:
            if self._multi == "RETR":
                end = self._sbuf.find(b"\r\n.\r\n")
                if end == -1 and self._sbuf.startswith(b".\r\n"):
                    body, self._sbuf = b"", self._sbuf[3:]
                elif end == -1:
                    break
                else:
                    body, self._sbuf = self._sbuf[:end], self._sbuf[end + 5 :]
                self._multi = None
                out.append(Line(body.decode("utf-8", "replace"), "The message, dot-stuffed like SMTP's DATA.", "RFC 1939 §3", content=True))
                out.append(Line(".", "A line with only a dot ends the message.", "RFC 1939 §3"))
                continue
            end = self._sbuf.find(b"\r\n")
            if end == -1:
                break
            raw, self._sbuf = self._sbuf[:end], self._sbuf[end + 2 :]
            text = raw.decode("utf-8", "replace")
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
            verb, has_arg = self._pending.pop(0) if self._pending and not greeting else ("", False)
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
