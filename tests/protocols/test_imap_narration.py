"""What the trace says about the IMAP lines of the new commands: IDLE and DONE, special-use
folders, unsolicited flags, a client's literal (APPEND's message) kept as content."""

from simulator.trace.narrate.imap import IMAPNarrator


def client_lines(data: bytes):
    return IMAPNarrator().client(data)


def server_lines(data: bytes):
    return IMAPNarrator().server(data)


def test_idle_done_and_the_continuation_are_explained_with_rfc_2177() -> None:
    idle, done = client_lines(b"a5 IDLE\r\nDONE\r\n")
    assert idle.rfc == done.rfc == "RFC 2177 §3"
    assert "push mail" in idle.explain and "ends IDLE" in done.explain
    [go] = server_lines(b"+ idling\r\n")
    assert go.rfc == "RFC 2177 §3" and "without being asked" in go.explain


def test_a_special_use_folder_is_explained_as_such() -> None:
    [line] = server_lines(b'* LIST (\\HasNoChildren \\Trash) "." Trash\r\n')
    assert "\\Trash marks it as the folder for that use" in line.explain and "RFC 6154" in line.rfc


def test_an_unsolicited_flags_fetch_mentions_another_session() -> None:
    [line] = server_lines(b"* 1 FETCH (FLAGS (\\Seen))\r\n")
    assert "another session" in line.explain


def test_an_appended_message_is_content_not_commands() -> None:
    narrator = IMAPNarrator()
    first = narrator.client(b"a7 APPEND Sent {20}\r\n")
    rest = narrator.client(b"Subject: x\r\n\r\nbody\r\n\r\n")
    assert [line.text for line in first] == ["a7 APPEND Sent {20}"] and "APPENDUID" in first[0].explain
    assert len(rest) == 1 and rest[0].content and rest[0].text == "Subject: x\r\n\r\nbody"
