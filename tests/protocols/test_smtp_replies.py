"""The reply catalogue: formatting, parsing, and each constant checked against its RFC."""

from __future__ import annotations

import dataclasses

import pytest

from simulator.protocols.errors import RemoteProtocolError
from simulator.protocols.smtp import replies as R
from simulator.protocols.smtp.meanings import BASIC_MEANING, ENHANCED_MEANING, describe
from simulator.protocols.smtp.replies import Reply, parse_reply_line, split_enhanced


def test_single_line_reply_with_and_without_enhanced_code() -> None:
    reply = Reply(550, "5.1.1", "No such user")
    assert reply.lines(enhanced_codes=True) == ["550 5.1.1 No such user"]
    assert reply.lines(enhanced_codes=False) == ["550 No such user"]


def test_multi_line_reply_uses_dash_then_space() -> None:
    # RFC 5321 §4.2.1: "250-First line" ... "250 The last line".
    reply = Reply(250, "2.0.0", ("First line", "Second line", "The last line"))
    assert reply.lines(True) == ["250-2.0.0 First line", "250-2.0.0 Second line", "250 2.0.0 The last line"]
    # RFC 2034 §4: the same enhanced code at the start of each line.


def test_to_bytes_ends_every_line_with_crlf() -> None:
    assert Reply(250, None, ("a", "b")).to_bytes(False) == b"250-a\r\n250 b\r\n"


def test_empty_334_challenge_keeps_its_trailing_space() -> None:
    assert R.AUTH_EMPTY_CHALLENGE.to_bytes() == b"334 \r\n"  # RFC 4954 §4


def test_enhanced_code_is_only_inserted_when_present() -> None:
    assert R.START_MAIL_INPUT.lines(True) == ["354 End data with <CR><LF>.<CR><LF>"]


@pytest.mark.parametrize(
    ("code", "positive", "transient", "permanent"),
    [(250, True, False, False), (354, True, False, False), (451, False, True, False), (550, False, False, True)],
)
def test_severity_properties_follow_the_first_digit(code: int, positive: bool, transient: bool, permanent: bool) -> None:
    reply = Reply(code, None, "x")
    assert (reply.is_positive, reply.is_transient, reply.is_permanent) == (positive, transient, permanent)


def test_with_text_keeps_the_codes() -> None:
    reply = R.BAD_SEQUENCE.with_text("Need MAIL command")
    assert (reply.code, reply.enhanced, reply.text) == (503, "5.5.1", "Need MAIL command")
    assert R.OK.with_text("a", "b").text == ("a", "b")


@pytest.mark.parametrize(
    ("code", "enhanced", "text"),
    [(199, None, "x"), (600, None, "x"), (250, "5.0.0", "x"), (250, "2.0", "x"), (250, None, "a\r\nb"),
     (354, "2.0.0", "x"), (250, None, ("ok", "evil\n250 fake"))],
)
def test_invalid_replies_are_refused(code: int, enhanced: str | None, text: str) -> None:
    with pytest.raises(ValueError):
        Reply(code, enhanced, text)


# Each constant against the RFC that defines it: (constant, code, enhanced).
RFC_TABLE = [
    (R.CLOSING, 221, "2.0.0"),  # RFC 5321 §4.2.2
    (R.OK, 250, "2.0.0"),
    (R.SENDER_OK, 250, "2.1.0"),  # RFC 3463 X.1.0
    (R.RECIPIENT_OK, 250, "2.1.5"),  # RFC 3463 X.1.5 destination address valid
    (R.CANNOT_VRFY, 252, "2.0.0"),  # RFC 5321 §3.5.3
    (R.START_MAIL_INPUT, 354, None),  # RFC 2034 §4: no enhanced code on 3xx
    (R.READY_TO_START_TLS, 220, "2.0.0"),  # RFC 3207 §4
    (R.TLS_NOT_AVAILABLE, 454, "4.7.0"),  # RFC 3207 §4
    (R.MUST_ISSUE_STARTTLS, 530, "5.7.0"),  # RFC 3207 §4 "SHOULD be 5.7.0"
    (R.AUTH_SUCCEEDED, 235, "2.7.0"),  # RFC 4954 §6
    (R.AUTH_CREDENTIALS_INVALID, 535, "5.7.8"),  # RFC 4954 §6
    (R.AUTH_REQUIRED, 530, "5.7.0"),  # RFC 4954 §6
    (R.ENCRYPTION_REQUIRED_FOR_AUTH, 538, "5.7.11"),  # RFC 4954 §6
    (R.AUTH_MECH_TOO_WEAK, 534, "5.7.9"),  # RFC 4954 §6
    (R.AUTH_TEMP_FAILURE, 454, "4.7.0"),  # RFC 4954 §6
    (R.AUTH_LINE_TOO_LONG, 500, "5.5.6"),  # RFC 4954 §6
    (R.BAD_BASE64, 501, "5.5.2"),  # RFC 4954 §4
    (R.AUTH_MECH_UNKNOWN, 504, "5.5.4"),  # RFC 4954 §4: 504
    (R.BAD_SEQUENCE, 503, "5.5.1"),  # RFC 5321 §4.2.2, RFC 3463 X.5.1
    (R.SYNTAX_ERROR, 500, "5.5.2"),  # RFC 3463 X.5.2
    (R.LINE_TOO_LONG, 500, "5.5.2"),  # RFC 5321 §4.5.3.1.9 "500 Line too long"
    (R.ARG_SYNTAX, 501, "5.5.4"),  # RFC 3463 X.5.4
    (R.BAD_SENDER_SYNTAX, 501, "5.1.7"),  # RFC 3463 X.1.7
    (R.BAD_RECIPIENT_SYNTAX, 501, "5.1.3"),  # RFC 3463 X.1.3
    (R.PARAM_NOT_RECOGNIZED, 555, "5.5.4"),  # RFC 5321 §4.1.1.11
    (R.NOT_IMPLEMENTED, 502, "5.5.1"),  # RFC 5321 §4.2.4
    (R.TOO_MANY_RECIPIENTS, 452, "4.5.3"),  # RFC 5321 §4.5.3.1.10, RFC 3463 X.5.3
    (R.RELAY_DENIED, 550, "5.7.1"),  # RFC 3463 X.7.1
    (R.USER_UNKNOWN, 550, "5.1.1"),  # RFC 3463 X.1.1
    (R.MAILBOX_FULL_TEMP, 452, "4.2.2"),  # RFC 3463 X.2.2
    (R.MAILBOX_FULL, 552, "5.2.2"),  # RFC 3463 X.2.2
    (R.MESSAGE_TOO_BIG, 552, "5.3.4"),  # RFC 1870, RFC 3463 X.3.4
    (R.SERVICE_UNAVAILABLE, 421, "4.3.2"),  # RFC 5321 §4.2.2, RFC 3463 X.3.2
    (R.NO_VALID_RECIPIENTS, 554, "5.5.1"),  # RFC 5321 §3.3
    (R.NULL_MX, 556, "5.1.10"),  # RFC 7504 (556), RFC 7505 (X.1.10)
    (R.NULL_MX_SENDER, 550, "5.7.27"),  # RFC 7505
    (R.AUTH_CANCELLED, 501, "5.7.0"),  # RFC 4954 §4: 501
]


@pytest.mark.parametrize(("reply", "code", "enhanced"), RFC_TABLE)
def test_constant_matches_its_rfc(reply: Reply, code: int, enhanced: str | None) -> None:
    assert (reply.code, reply.enhanced) == (code, enhanced)


def test_login_challenges_are_base64_prompts() -> None:
    assert R.LOGIN_USERNAME_CHALLENGE.to_bytes() == b"334 VXNlcm5hbWU6\r\n"
    assert R.LOGIN_PASSWORD_CHALLENGE.to_bytes() == b"334 UGFzc3dvcmQ6\r\n"


def test_every_catalogued_reply_is_well_formed_and_explained() -> None:
    constants = [v for v in vars(R).values() if isinstance(v, Reply)]
    assert len(constants) > 40
    for reply in constants:
        dataclasses.replace(reply)  # re-runs validation
        assert reply.code in BASIC_MEANING, reply
        if reply.enhanced:
            assert reply.enhanced in ENHANCED_MEANING, reply


def test_basic_meaning_covers_every_rfc_5321_code_and_the_extension_codes() -> None:
    rfc5321 = {211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455,
               500, 501, 502, 503, 504, 550, 551, 552, 553, 554, 555}  # §4.2.3
    extensions = {235, 334, 454, 530, 535, 538, 556}  # RFC 4954, 3207, 7504
    assert rfc5321 | extensions <= set(BASIC_MEANING)
    assert all(text.endswith(".") for text in BASIC_MEANING.values())


def test_enhanced_meaning_has_classes_and_answers_for_concrete_codes() -> None:
    for key in ("2.X.X", "4.X.X", "5.X.X"):  # RFC 3463 §3.1
        assert key in ENHANCED_MEANING
    assert ENHANCED_MEANING["5.1.1"].startswith("Bad destination mailbox address")
    assert ENHANCED_MEANING["4.1.1"] == ENHANCED_MEANING["X.1.1"]
    assert "5.7.11" in ENHANCED_MEANING and "5.7.8" in ENHANCED_MEANING and "5.7.0" in ENHANCED_MEANING
    assert ENHANCED_MEANING.get("5.9.9") is None and "5.9.9" not in ENHANCED_MEANING


def test_describe_combines_basic_and_enhanced_meanings() -> None:
    assert describe(550, "5.1.1") == (
        "550: requested action not taken, mailbox unavailable; "
        "5.1.1: permanent failure, bad destination mailbox address"
    )
    assert describe(452, "4.5.3").endswith("4.5.3: persistent transient failure, too many recipients")
    assert describe(250) == "250: requested action completed"


def test_describe_unknown_codes_by_first_digit() -> None:
    assert describe(457) == "457: transient negative completion"  # RFC 5321 §4.2
    assert describe(550, "5.1.99").endswith("5.1.99: permanent failure, addressing status")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"250-mx.example.org\r\n", (250, False, "mx.example.org")),
        (b"250 SIZE 1000\r\n", (250, True, "SIZE 1000")),
        ("334 \r\n", (334, True, "")),
        (b"250\r\n", (250, True, "")),  # §4.2: clients accept a bare code
        (b"550 5.1.1 No such user\n", (550, True, "5.1.1 No such user")),
        ("250-234 Text beginning with numbers", (250, False, "234 Text beginning with numbers")),
    ],
)
def test_parse_reply_line(line: bytes | str, expected: tuple[int, bool, str]) -> None:
    assert parse_reply_line(line) == expected


@pytest.mark.parametrize("line", [b"25 ok\r\n", b"abc def\r\n", b"2500 x\r\n", b"\r\n", b"250x\r\n"])
def test_parse_reply_line_rejects_garbage(line: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        parse_reply_line(line)


def test_split_enhanced_only_takes_a_code_of_the_same_class() -> None:
    assert split_enhanced(550, "5.1.1 No such user") == ("5.1.1", "No such user")
    assert split_enhanced(250, "5.1.1 odd") == (None, "5.1.1 odd")
    assert split_enhanced(250, "2.0.0.example.org") == (None, "2.0.0.example.org")
    assert split_enhanced(235, "2.7.0") == ("2.7.0", "")
