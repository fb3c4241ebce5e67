"""What an on-path attacker does to an EHLO reply: delete the STARTTLS offer (RFC 3207 §6).

Not a server's reply: an edit of the server's own capability lines on the wire. One
function, so the simulation's attacker and the capture of its victim's side agree.
"""

from __future__ import annotations

_OFFERS = (b"250-STARTTLS", b"250 STARTTLS")


def strip_starttls_offer(data: bytes) -> bytes:
    """``data`` with any STARTTLS capability line removed; unchanged when it has none."""
    lines = data.split(b"\r\n")
    kept = [ln for ln in lines if ln.upper() not in _OFFERS]
    if len(kept) == len(lines):
        return data
    if len(lines) >= 2 and lines[-2].upper() == _OFFERS[1] and len(kept) >= 2:
        # STARTTLS was the last line: the new last line must use "250 " (RFC 5321 §4.2.1).
        kept[-2] = b"250 " + kept[-2][4:]
    return b"\r\n".join(kept)
