"""Protocol errors, split as in h11 by whose fault they are."""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every error a protocol state machine raises."""


class LocalProtocolError(ProtocolError):
    """Our side misused the state machine (a bug in the caller)."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something that cannot be answered in-protocol."""
