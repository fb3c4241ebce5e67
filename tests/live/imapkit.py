"""Helpers for the real-IMAP-client tests: a line-level IMAP client over TLS, and external tools."""

from __future__ import annotations

import os
import re
import shutil
import socket
import time

import pytest

from livekit import TIMEOUT, tls
from simulator.live import LiveMode

_LITERAL = re.compile(rb"\{(\d+)\}\r\n$")


def need_tool(tool: str, package: str) -> str:
    """The tool's path; without it, skip with a reason, unless under CI (.ci/run installs it): fail."""
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required under CI: .ci/run installs the {package} package")
        pytest.skip(f"{tool} is not installed (apt-get install {package}); CI runs this test")
    return path


class RawIMAP:
    """An IMAP client that sends exactly the lines it is given and returns what came back."""

    def __init__(self, mode: LiveMode, port_key: str = "imaps") -> None:
        raw = socket.create_connection(("127.0.0.1", mode.ports[port_key]), timeout=TIMEOUT)
        self.sock = tls(mode).wrap_socket(raw, server_hostname="localhost")
        self.buffer = b""
        self.greeting = self.read_line()

    def read_line(self, timeout: float = TIMEOUT) -> bytes:
        """One response line with the literals inside it (CRLF-ended)."""
        self.sock.settimeout(timeout)
        out = b""
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"closed after {out + self.buffer!r}")
                self.buffer += chunk
            end = self.buffer.index(b"\r\n") + 2
            line, self.buffer = self.buffer[:end], self.buffer[end:]
            out += line
            literal = _LITERAL.search(line)
            if literal is None:
                return out
            size = int(literal.group(1))
            while len(self.buffer) < size:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed inside a literal")
                self.buffer += chunk
            out, self.buffer = out + self.buffer[:size], self.buffer[size:]

    def command(self, tag: str, text: bytes | str) -> list[bytes]:
        """Send ``tag text`` and read up to (and including) the tagged completion."""
        line = (tag + " " if tag else "").encode() + (text.encode() if isinstance(text, str) else text)
        self.sock.sendall(line + b"\r\n")
        return self.until(tag)

    def until(self, tag: str) -> list[bytes]:
        lines = []
        while True:
            line = self.read_line()
            lines.append(line)
            if line.startswith(tag.encode() + b" "):
                return lines

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()


def wait_until(predicate: object, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)
