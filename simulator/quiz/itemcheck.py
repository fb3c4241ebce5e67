"""Item-writing checks: does a question give its answer away, or answer another one?

A question bank pooled from several lessons must not reward test-wise
guessing. These checks read only a question's text, so the bank's tests, the
quiz builder (which never puts two questions that answer each other in one
quiz) and ``python -m simulator.quiz.bank`` all use the same rules:

* a **give-away**: the keyed choice shares a distinctive word with the stem
  that no distractor has ("...IMAP over implicit TLS. Which port?" keyed
  "993 (IMAP over implicit TLS)");
* a **stand-out**: the keyed choice echoes the stem more than every
  distractor does (the same cue spread over several words);
* a **long key**: the keyed choice is strictly the longest;
* two questions **answer each other** when the stem of one says the other's
  key: its one distinctive word (a code, a port), or half of them for a phrase ("...answers `RCPT TO` with `550 5.1.1`"
  beside "Which code refuses an unknown recipient?").

Words are compared lower-cased, with a crude stemmer ("upgrade" and
"upgraded" are one word) and the parts of a host name or address counted too
("imap.example.net" also says "imap").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from simulator.quiz.model import Question

# English function words: sharing one of these says nothing.
STOPWORDS = frozenset("""
a an the and or but nor of to in on at by for from with without into onto over under as is are was were be been
being it its this that these those there here what which who whom whose when where why how does do did done has
have had not no yes than then so if else all any each every some one two own same such only just also very can
could may might must shall should will would about after before again once up down out off new next first last s
""".split())

_TOKEN = re.compile(r"[a-z0-9][a-z0-9._@+-]*[a-z0-9]|[a-z0-9]")
_SUFFIXES = ("ing", "ed", "es", "e", "s", "y")


def _stem(word: str) -> str:
    if not word.isalpha() or len(word) <= 4:
        return word
    if word.endswith(("ies", "ied")):  # retries, retried: retry (stemmed on below)
        word = word[:-3] + "y"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if suffix in ("ing", "ed") and word.endswith("y") and len(word) > 4:
                word = word[:-1]  # "retrying", "retryed": as "retry" is stemmed
            break
    return word


@lru_cache(maxsize=8192)
def words(text: str) -> frozenset[str]:
    """The content words of ``text``: lower-cased, stemmed; names such as ``imap.example.net`` or
    ``250-STARTTLS`` count whole and by their parts."""
    out: set[str] = set()
    for token in _TOKEN.findall(text.lower()):
        out.add(_stem(token))
        if re.search(r"[a-z]", token) and re.search(r"[.@-]", token):
            out.update(_stem(part) for part in re.split(r"[.@-]", token) if part)
    return frozenset(w for w in out if w not in STOPWORDS)


def distinctive(question: Question) -> frozenset[str]:
    """The words of the keyed choice that no distractor has."""
    others: set[str] = set()
    for choice in question.distractors:
        others |= words(choice)
    return words(question.answer) - others


def gives_away(question: Question) -> bool:
    """The key shares a distinctive word with the stem (question and exhibit) that no distractor has."""
    return bool(distinctive(question) & words(question.stem))


def stands_out(question: Question) -> bool:
    """The key echoes the stem strictly more than every distractor does."""
    stem = words(question.stem)
    echo = len(words(question.answer) & stem)
    return echo > 0 and all(len(words(d) & stem) < echo for d in question.distractors)


def key_is_longest(question: Question) -> bool:
    return all(len(question.answer) > len(d) for d in question.distractors)


def answers(a: Question, b: Question) -> bool:
    """Reading ``b`` tells the answer to ``a``: b's stem names what only a's key has.

    Stems are what a student sees of every question at once on a printed exam.
    """
    if a.id == b.id:
        return False
    cue = distinctive(a) - words(a.stem)  # a word a's own stem already says is no news from b
    hit = cue & words(b.stem)
    # A bare key (a code, a port) is told by its one word; a phrase by half its distinctive words.
    return bool(hit) and 2 * len(hit) >= len(cue)


def answer_each_other(a: Question, b: Question) -> bool:
    return answers(a, b) or answers(b, a)


def share(questions: Iterable[Question], test: object) -> float:
    """The fraction of ``questions`` for which ``test(q)`` is true (0 for none)."""
    qs = list(questions)
    return sum(bool(test(q)) for q in qs) / len(qs) if qs else 0.0  # type: ignore[operator]
