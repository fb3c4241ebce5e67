"""The imap-push lesson: Bob's phone IDLEs and is told of the new message the moment mx1 stores
it (RFC 2177); his laptop reads it, finds Trash by its special-use attribute (RFC 6154) and MOVEs
it there (RFC 6851); the phone is told of both changes."""

from simulator.trace import Kind

from helpers import in_order, kind, line


def test_the_phone_idles_before_the_mail_and_is_told_when_it_is_stored(trace):
    ev = trace("imap-push").events
    idle, go, stored, exists, done = in_order(
        ev,
        line("C", "a005 IDLE", src="bob-phone"),
        line("S", "+ idling", dst="bob-phone"),
        kind("deliver", "stored in bob@example.net's INBOX"),
        line("S", "* 1 EXISTS", dst="bob-phone"),
        line("C", "DONE", src="bob-phone"),
    )
    assert idle.t < min(e.t for e in ev if e.port == 587)  # connected and waiting before Alice sent
    assert exists.t == stored.t  # told at once: nothing polled
    between = [e for e in ev if e.src == "bob-phone" and idle.t < e.t < exists.t and e.kind is Kind.IMAP]
    assert between == []  # the phone sent nothing while it waited
    in_order(ev, line("C", "a006 FETCH 1 (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])",
                      src="bob-phone"), line("C", "a007 IDLE", src="bob-phone"))
    assert done.t > exists.t


def test_the_laptop_finds_trash_by_its_attribute_and_moves_the_message(trace):
    ev = trace("imap-push").events
    in_order(
        ev,
        line("C", 'a003 LIST (SPECIAL-USE) "" "*"', src="bob-laptop"),
        line("S", '* LIST (\\HasNoChildren \\Trash) "." Trash', dst="bob-laptop"),
        line("C", "a006 FETCH 1 BODY[]", src="bob-laptop"),
        line("S", "* 1 FETCH (FLAGS (\\Seen \\Recent))", dst="bob-phone"),  # the phone learns it was read
        line("C", "a007 MOVE 1 Trash", src="bob-laptop"),
        line("S", "* OK [COPYUID 5 1 1] Moved UIDs", dst="bob-laptop"),
        line("S", "* 1 EXPUNGE", dst="bob-laptop"),
        line("S", "* 1 EXPUNGE", dst="bob-phone"),  # ... and that it left INBOX
    )


def test_the_phone_ends_idle_after_29_minutes_and_logs_out(trace):
    ev = trace("imap-push").events
    last_go = [e for e in ev if e.dst == "bob-phone" and e.text == "+ idling"][-1]
    done, bye = in_order(ev, line("C", "DONE", src="bob-phone"), line("S", "* BYE", dst="bob-phone"))
    done = [e for e in ev if e.src == "bob-phone" and e.text == "DONE"][-1]
    # RFC 2177: re-issue IDLE at least every 29 minutes; the phone then stops (one link latency later).
    assert 29 * 60 <= done.t - last_go.t < 29 * 60 + 0.1
    assert bye.t > done.t
