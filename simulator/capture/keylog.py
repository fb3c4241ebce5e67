"""The NSS key log of a capture's TLS sessions (the ``SSLKEYLOGFILE`` format Wireshark reads).

OpenSSL writes the lines itself, through ``SSLContext.keylog_filename``: one
``CLIENT_RANDOM`` line per TLS 1.2 session, five secrets per TLS 1.3 session
(``CLIENT_HANDSHAKE_TRAFFIC_SECRET`` ... ``EXPORTER_SECRET``), each keyed by
the ClientHello's random. This module only hands the finished file over.
"""

from __future__ import annotations

from pathlib import Path

HEADER = b"# TLS secrets of an smtpsim capture (NSS key log format). Anyone with this file can read the TLS.\n"


def copy_key_log(written: Path, destination: Path) -> None:
    """Put the key log OpenSSL wrote at ``written`` into ``destination`` (a comment only when the
    lesson had no TLS)."""
    lines = written.read_bytes() if written.exists() else b""
    destination.write_bytes(HEADER + b"".join(ln for ln in lines.splitlines(keepends=True) if not ln.startswith(b"#")))
