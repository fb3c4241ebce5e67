"""The item-writing checks catch the give-aways issue 10 found in the old bank, and pass fair items."""

from __future__ import annotations

from simulator.quiz.itemcheck import answer_each_other, answers, gives_away, key_is_longest, stands_out, words
from simulator.quiz.model import Difficulty, Question, QuestionKind as K


def q(stem: str, answer: str, *others: str, kind: K = K.AUTHORED, exhibit: tuple[str, ...] = ()) -> Question:
    return Question("lab", kind, Difficulty.EASY, stem, (answer, *others), answer, "Because.", "RFC 5321",
                    exhibit=exhibit)


# Two questions the old bank generated, word for word (issue 10).
OLD_PORT = q("Bob's phone (bob-phone.example.net) connects to imap.example.net to read mail with IMAP over implicit "
             "TLS. Which port does it use?", "993 (IMAP over implicit TLS)", "25 (SMTP relay, server to server)",
             "587 (submission with STARTTLS)", "110 (POP3, STLS)", kind=K.PORT)
OLD_TLS = q("Alice's laptop (alice-laptop.example.org) connects to smtp.example.org:587 and the server offers an "
            "upgrade. How is the connection protected by the time it closes?", "STARTTLS (upgraded in the session)",
            "plain (no TLS)", "implicit TLS (from the first byte)", kind=K.TLS_MODE)
# The same cue, spread so that each word is also in some distractor: only the echo count shows it.
SPREAD = q("...reads mail with IMAP over implicit TLS. Which port?", "993 (IMAP over implicit TLS)",
           "995 (POP3 over implicit TLS)", "143 (IMAP, STARTTLS)", "587 (submission with STARTTLS)", kind=K.PORT)


def test_the_old_give_aways_are_caught():
    assert gives_away(OLD_PORT)
    assert gives_away(OLD_TLS)  # "upgrade" in the stem, "upgraded" in the key: one word to the stemmer


def test_a_cue_spread_over_several_words_stands_out():
    assert not gives_away(SPREAD)  # every key word is also in a distractor...
    assert stands_out(SPREAD)  # ...but the key echoes the stem three times, no distractor more than twice


def test_fair_items_pass():
    bare = q("Which TCP port is set aside for IMAP over implicit TLS?", "993", "143", "995", "25", kind=K.PORT)
    assert not gives_away(bare) and not stands_out(bare)
    # Picking among hosts the stem lists: every choice echoes the stem alike.
    hosts = q("MX 10 mx1.example.net and MX 20 mx2.example.net: in which order are they tried?",
              "mx1.example.net first, then mx2.example.net", "mx2.example.net first, then mx1.example.net",
              "Both at once", "A random one", kind=K.MX_ORDER)
    assert not gives_away(hosts) and not stands_out(hosts)


def test_the_exhibit_counts_as_part_of_the_stem():
    shown = q("What does this answer say?", "The name does not exist", "The resolver failed", "It has no MX",
              exhibit=("S: ;; status: NXDOMAIN, name does not exist",))
    assert gives_away(shown)


def test_words_stem_and_split_names():
    assert words("upgrade imap example net STARTTLS") <= words("upgraded imap.example.net 250-STARTTLS")
    assert words("retries") == words("retried") == words("retrying") == words("retry")
    assert words("the a of to") == frozenset()


def test_longest_key():
    assert key_is_longest(q("?", "a long answer", "short", "tiny"))
    assert not key_is_longest(q("?", "same", "size", "also"))  # a tie is not "the longest"


def test_questions_that_answer_each_other():
    code = q("Which reply code refuses a recipient whose mailbox does not exist?", "550", "250", "452", "221",
             kind=K.REPLY_CODE)
    meaning = q("A server answers `RCPT TO` with `550 5.1.1 …`. What does 5.1.1 mean?",
                "Bad destination mailbox address", "Mailbox full", "Unable to route", kind=K.ENHANCED_CODE)
    port = q("Which TCP port is set aside for IMAP over implicit TLS?", "993", "143", "995", kind=K.PORT)
    assert answers(code, meaning)  # the other stem shows 550
    assert not answers(meaning, code)
    assert answer_each_other(code, meaning) and answer_each_other(meaning, code)
    assert not answer_each_other(code, port)
    # A phrase key is told only by half of its distinctive words, not by one common word in passing.
    temporary = q("A receiving MX answers `452 4.2.2`. What does the sender do?",
                  "It keeps the message queued and tries again later", "It gives up and bounces at once",
                  "It reconnects at once",
                  kind=K.TEMPORARY_OR_PERMANENT)
    passing = q("A mail server has a message for another domain. Which record type first?", "MX", "PTR", "TXT")
    telling = q("After a temporary failure a server keeps the message queued and tries again later. How long?",
                "30 minutes", "30 seconds", "24 hours")
    assert not answers(temporary, passing)
    assert answers(temporary, telling)
