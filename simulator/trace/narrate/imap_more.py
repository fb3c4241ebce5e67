"""What the IMAP commands and responses beyond the first lessons mean: folders, flags, moves, IDLE.

``imap.py`` narrates each line; it takes its tables from here for the
commands of RFC 3501 §6.3-6.4 it did not know, the extensions this server
offers (IDLE, MOVE, UIDPLUS, NAMESPACE, ENABLE, ID, SPECIAL-USE,
LIST-EXTENDED), their untagged responses and response codes, and the
literals a client sends (APPEND's message).
"""

from __future__ import annotations

import re

__all__ = [
    "COMMANDS",
    "RESPONSE_CODES",
    "ClientLiterals",
    "continuation_meaning",
    "untagged_meaning",
]

COMMANDS: dict[str, tuple[str, str]] = {
    "AUTHENTICATE": ("The client logs in with a SASL mechanism; with PLAIN the credentials are base64, "
                     "not encrypted, so only inside TLS.", "RFC 3501 §6.2.2"),
    "EXAMINE": ("The client opens a mailbox read-only: nothing it does changes flags.", "RFC 3501 §6.3.2"),
    "CREATE": ("The client creates a mailbox (a folder).", "RFC 3501 §6.3.3"),
    "DELETE": ("The client deletes a mailbox and the messages in it.", "RFC 3501 §6.3.4"),
    "RENAME": ("The client renames a mailbox; folders inside it move along.", "RFC 3501 §6.3.5"),
    "SUBSCRIBE": ("The client subscribes to a mailbox: it will show it in its folder list.", "RFC 3501 §6.3.6"),
    "UNSUBSCRIBE": ("The client drops a mailbox from its subscriptions (the mailbox stays).", "RFC 3501 §6.3.7"),
    "LIST": ("The client asks which mailboxes exist; \"*\" matches every level, \"%\" one level. With "
             "SPECIAL-USE the server marks the Sent, Drafts, Trash and Junk folders.",
             "RFC 3501 §6.3.8; RFC 6154 §2"),
    "LSUB": ("The client asks which mailboxes it is subscribed to.", "RFC 3501 §6.3.9"),
    "STATUS": ("The client asks for a mailbox's counts (messages, unseen, next UID) without selecting it.",
               "RFC 3501 §6.3.10"),
    "APPEND": ("The client uploads a message into a mailbox (a sent copy, a draft), as a literal; the "
               "server answers with the UID it got (APPENDUID).", "RFC 3501 §6.3.11; RFC 9051 §7.1"),
    "NAMESPACE": ("The client asks how mailbox names are laid out: the prefix and the hierarchy delimiter.",
                  "RFC 9051 §6.3.10"),
    "ENABLE": ("The client asks to turn on extensions that change how the server answers.", "RFC 9051 §6.3.1"),
    "ID": ("The client says which program it is (and asks the server the same); only for logs and "
           "statistics.", "RFC 2971"),
    "IDLE": ("The client waits to be told of changes: from now on the server sends new EXISTS, EXPUNGE "
             "and FETCH responses as they happen, until the client says DONE. That is push mail.",
             "RFC 2177 §3"),
    "CHECK": ("A checkpoint: the server may write what it buffered (here everything is written already).",
              "RFC 3501 §6.4.1"),
    "CLOSE": ("The client closes the mailbox; messages marked \\Deleted are removed, silently.", "RFC 3501 §6.4.2"),
    "UNSELECT": ("The client closes the mailbox without removing the messages marked \\Deleted.",
                 "RFC 9051 §6.4.2"),
    "EXPUNGE": ("The client removes every message marked \\Deleted; the server answers with an EXPUNGE for each.",
                "RFC 3501 §6.4.3"),
    "STORE": ("The client changes flags: FLAGS replaces them, +FLAGS adds, -FLAGS removes; .SILENT asks for "
              "no FETCH in reply. Every other session on this mailbox is told.", "RFC 3501 §6.4.6"),
    "COPY": ("The client copies messages into another mailbox, flags and date included; the server answers "
             "with the new UIDs (COPYUID).", "RFC 3501 §6.4.7; RFC 9051 §7.1"),
    "MOVE": ("The client moves messages into another mailbox in one step: a copy there, then an EXPUNGE "
             "here (as a client without MOVE does with COPY, STORE \\Deleted and EXPUNGE).", "RFC 9051 §6.4.8"),
}

RESPONSE_CODES: dict[str, str] = {
    "APPENDUID": "the mailbox's UIDVALIDITY and the UID the appended message got",
    "COPYUID": "the target's UIDVALIDITY, the UIDs copied and the UIDs the copies got",
    "NONEXISTENT": "there is no such mailbox",
    "ALREADYEXISTS": "a mailbox of that name exists already",
    "CANNOT": "the server cannot do that (here it never will)",
    "LIMIT": "a limit of the server was reached",
    "EXPUNGEISSUED": "some of the messages asked for were removed by another session meanwhile",
    "TOOBIG": "the message is larger than the server takes",
    "CLOSED": "the mailbox that was selected is closed now",
    "AUTHENTICATIONFAILED": "the user name or the password is wrong (the server does not say which)",
    "UNAVAILABLE": "a temporary failure: trying later may work (a server also says it to an address that got "
                   "the password wrong too often)",
}

_SPECIAL = ("\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", "\\All", "\\Flagged")
_LITERAL_AT_END = re.compile(rb"\{(\d+)(\+?)\}$")


def continuation_meaning(text: str) -> tuple[str, str] | None:
    if text.lower().startswith("+ idling"):
        return ("The server agrees to IDLE: it will now send news as it happens, without being asked, until "
                "the client says DONE.", "RFC 2177 §3")
    return None


def untagged_meaning(upper: str, head: str, tail: str) -> tuple[str, str] | None:
    """The meaning of ``* <head> <tail>`` for the responses of the commands above (``upper`` = head upper-cased)."""
    if upper in ("LIST", "LSUB"):
        attributes = tail[tail.find("(") + 1 : tail.find(")")].split()
        notes = []
        special = [a for a in attributes if a in _SPECIAL]
        if special:
            notes.append(f"{special[0]} marks it as the folder for that use, whatever its name")
        if "\\Noselect" in attributes or "\\NonExistent" in attributes:
            notes.append("it cannot be selected: only a level of the hierarchy")
        if "\\HasChildren" in attributes:
            notes.append("it has folders inside it")
        if "\\Subscribed" in attributes:
            notes.append("the user subscribed to it")
        extra = (": " + "; ".join(notes)) if notes else ""
        return (f"An untagged {upper} response: one mailbox, its attributes and the hierarchy delimiter"
                f"{extra}.", "RFC 3501 §7.2.2; RFC 6154 §2" if special else "RFC 3501 §7.2.2")
    if upper == "STATUS":
        return ("An untagged STATUS response: the counts asked for, without selecting the mailbox.",
                "RFC 3501 §7.2.4")
    if upper == "NAMESPACE":
        return ("An untagged NAMESPACE response: personal mailboxes have no prefix and \".\" between levels; "
                "there are no other users' or shared ones (NIL).", "RFC 9051 §7.3.2")
    if upper == "ENABLED":
        return ("An untagged ENABLED response: the extensions now on (none listed: nothing changed).",
                "RFC 9051 §7.2.1")
    if upper == "ID":
        return ("An untagged ID response: the server says which program it is.", "RFC 2971")
    if head.isdigit() and tail.upper().startswith("FETCH (") and "FLAGS" in tail.upper() \
            and "BODY" not in tail.upper() and "RFC822" not in tail.upper():
        return (f"An untagged FETCH response with the flags of message {head}: the answer to a FETCH or STORE, "
                "or news that another session changed them.", "RFC 3501 §7.4.2")
    return None


class ClientLiterals:
    """Cuts a client's literals out of its line stream (APPEND's message, a password in {n}):
    feed it each line; while it holds a count, the next octets are data, not commands."""

    def __init__(self) -> None:
        self.left = 0

    def announced(self, raw: bytes) -> None:
        match = _LITERAL_AT_END.search(raw)
        self.left = int(match.group(1)) if match else 0

    @staticmethod
    def explain(synchronizing: bool) -> tuple[str, str]:
        return ("The literal itself: exactly the number of octets announced by {n} at the end of the line "
                "before" + ("" if synchronizing else " (with {n+} the client did not wait for a \"+\", LITERAL+)")
                + ".", "RFC 3501 §4.3")
