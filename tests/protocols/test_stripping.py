"""The on-path attacker's edit of an EHLO reply (RFC 3207 §6): the offer goes, the reply stays well formed."""

from simulator.protocols.smtp.replies import parse_reply_line
from simulator.protocols.smtp.stripping import strip_starttls_offer


def _lines(data: bytes) -> list[bytes]:
    return [ln for ln in data.split(b"\r\n") if ln]


def test_a_middle_offer_is_removed():
    reply = b"250-mx1.example.net\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
    assert _lines(strip_starttls_offer(reply)) == [b"250-mx1.example.net", b"250-PIPELINING", b"250 8BITMIME"]


def test_a_last_offer_leaves_a_final_line_with_a_space():
    # RFC 5321 §4.2.1: every line but the last has a hyphen after the code; the last a space.
    reply = b"250-mx1.example.net\r\n250-SIZE 10485760\r\n250 STARTTLS\r\n"
    out = _lines(strip_starttls_offer(reply))
    assert out == [b"250-mx1.example.net", b"250 SIZE 10485760"]
    assert [parse_reply_line(ln)[1] for ln in out] == [False, True]


def test_a_reply_without_an_offer_is_untouched():
    reply = b"250-mx1.example.net\r\n250 8BITMIME\r\n"
    assert strip_starttls_offer(reply) is reply
