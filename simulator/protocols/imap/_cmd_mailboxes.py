"""Authenticated-state commands (RFC 3501 §6.3): mailboxes, and what goes into them.

SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST,
LSUB, STATUS, APPEND, and the extensions' NAMESPACE (RFC 2342) and ENABLE
(RFC 5161). Each handler takes the session, the tag, the parsed arguments
and the event list; a refusal from the store comes back as ``StoreError``
and is answered NO with its response code by the caller.
"""

from __future__ import annotations

from collections.abc import Callable

from ..mailstore import SYSTEM_FLAGS, Mailbox, Problem, StoreError
from ._dates import parse_date_time
# Failures, IDLE, ID and mailbox changes: their events are imported where reported (see _events_more).
from ._events import Event, MailboxSelected
from ._list import list_lines, mailbox_name, parse_list, status_items
from ._session import Session, no_args
from ._state import Trigger
from ._syntax import Atom, IMAPSyntaxError, Token, astring_out, text_of
from ._view import SelectedMailbox
from .responses import Texts

__all__ = ["HANDLERS", "parse_flags"]

Handler = Callable[[Session, str, list[Token], list[Event]], None]


def parse_flags(token: Token) -> set[str]:
    """A flag list for STORE or APPEND: system flags (not \\Recent) and keyword atoms (§2.3.2)."""
    raw = token if isinstance(token, list) else [token]
    known = {f.upper(): f for f in SYSTEM_FLAGS}
    flags = set()
    for flag in raw:
        if not isinstance(flag, Atom):
            raise IMAPSyntaxError(Texts.NOT_A_FLAG)
        if flag.startswith("\\"):
            if flag.upper() not in known:
                raise IMAPSyntaxError(Texts.BAD_FLAG.format(flag=flag.upper()))  # \Recent too (§2.3.2)
            flags.add(known[flag.upper()])
        elif any(c in flag for c in "[]%*"):
            raise IMAPSyntaxError(f"invalid keyword {flag}")
        else:
            flags.add(str(flag))
    return flags


def _existing(s: Session, token: Token) -> Mailbox:
    box = s.store.mailbox(s.username, mailbox_name(token))
    if box is None:
        raise StoreError(Problem.NO_SUCH_MAILBOX, "No such mailbox")
    return box


# --- SELECT / EXAMINE (§6.3.1, §6.3.2) --------------------------------------------------------------


def select(s: Session, tag: str, args: list[Token], events: list[Event], examine: bool = False) -> None:
    if len(args) != 1:
        raise IMAPSyntaxError("SELECT takes one mailbox name (no SELECT options here)")
    name = mailbox_name(args[0])
    s.deselect()  # a failed SELECT still leaves the previous mailbox (§6.3.1)
    box = s.store.mailbox(s.username, name)
    if box is None:
        s.machine.fire(Trigger.SELECT_FAILED)
        s.tagged(tag, "NO", Texts.NO_MAILBOX)
        return
    view = s.selected = SelectedMailbox(box, examine, s.on_change)
    s.machine.fire(Trigger.SELECT_OK)
    s.untagged(view.flags_response())
    s.untagged(f"OK [PERMANENTFLAGS {view.permanent_flags()}] "
               + (Texts.NO_PERMANENT_FLAGS if examine else Texts.PERMANENT_FLAGS))
    s.untagged(f"{view.exists} EXISTS")
    s.untagged(f"{len(view.recent)} RECENT")
    unseen = next((i for i, m in enumerate(box.messages, 1) if "\\Seen" not in m.flags), None)
    if unseen is not None:
        s.untagged(f"OK [UNSEEN {unseen}] " + Texts.FIRST_UNSEEN.format(seq=unseen))
    s.untagged(f"OK [UIDVALIDITY {box.uidvalidity}] {Texts.UIDVALIDITY}")
    s.untagged(f"OK [UIDNEXT {box.uidnext}] {Texts.UIDNEXT}")
    s.tagged(tag, "OK", Texts.EXAMINE_DONE if examine else Texts.SELECT_DONE)
    events.append(MailboxSelected(box.name, view.exists))


def examine(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    select(s, tag, args, events, examine=True)


# --- CREATE, DELETE, RENAME (§6.3.3-5) --------------------------------------------------------------


def create(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if len(args) != 1:
        raise IMAPSyntaxError("CREATE takes one mailbox name")
    box = s.store.create_mailbox(s.username, text_of(args[0], "a mailbox name"))
    s.complete(tag, "OK", Texts.CREATE_DONE)
    from ._events_more import MailboxCreated
    events.append(MailboxCreated(box.name))


def delete(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if len(args) != 1:
        raise IMAPSyntaxError("DELETE takes one mailbox name")
    name = mailbox_name(args[0])
    s.store.delete_mailbox(s.username, name)
    from ._events_more import MailboxDeleted
    events.append(MailboxDeleted(name))
    if s.selected is not None and s.selected.mailbox.deleted:
        # Dovecot's way when a session deletes the mailbox it has selected: OK, then BYE.
        s.tagged(tag, "OK", Texts.DELETE_DONE)
        s.report_changes()
        return
    s.complete(tag, "OK", Texts.DELETE_DONE)


def rename(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if len(args) != 2:
        raise IMAPSyntaxError("RENAME takes two mailbox names")
    old, new = mailbox_name(args[0]), text_of(args[1], "a mailbox name")
    s.store.rename_mailbox(s.username, old, new)
    s.complete(tag, "OK", Texts.RENAME_DONE)
    from ._events_more import MailboxRenamed
    events.append(MailboxRenamed(old, new))


# --- SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB (§6.3.6-9) ------------------------------------------------


def subscribe(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if len(args) != 1:
        raise IMAPSyntaxError("SUBSCRIBE takes one mailbox name")
    s.store.subscribe(s.username, mailbox_name(args[0]))
    s.complete(tag, "OK", Texts.SUBSCRIBE_DONE)


def unsubscribe(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if len(args) != 1:
        raise IMAPSyntaxError("UNSUBSCRIBE takes one mailbox name")
    s.store.unsubscribe(s.username, mailbox_name(args[0]))
    s.complete(tag, "OK", Texts.UNSUBSCRIBE_DONE)


def list_(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    request = parse_list(args)
    for line, status_of in list_lines(s.store, s.username, request):
        s.untagged(line)
        if status_of is not None:
            box = s.store.mailbox(s.username, status_of)
            if box is not None:
                s.untagged(_status_line(s, box, request.status))
    s.complete(tag, "OK", Texts.LIST_DONE)


def lsub(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if len(args) != 2:
        raise IMAPSyntaxError("LSUB takes a reference and a mailbox pattern")
    request = parse_list(args)
    for line, _status in list_lines(s.store, s.username, request, lsub=True):
        s.untagged(line)
    s.complete(tag, "OK", Texts.LSUB_DONE)


def namespace(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    no_args(args)
    # One personal namespace, no prefix, "." between levels; no other users', no shared ones.
    s.untagged(b'NAMESPACE (("" ".")) NIL NIL')
    s.complete(tag, "OK", Texts.NAMESPACE_DONE)


# --- STATUS (§6.3.10) ---------------------------------------------------------------------------------


def _status_line(s: Session, box: Mailbox, items: list[str]) -> bytes:
    view = s.selected if s.selected is not None and s.selected.mailbox is box else None
    values = {
        "MESSAGES": len(box.messages),
        "RECENT": len(view.recent) if view is not None else len(box.recent_uids()),
        "UIDNEXT": box.uidnext,
        "UIDVALIDITY": box.uidvalidity,
        "UNSEEN": box.unseen_count(),
        "SIZE": sum(m.size for m in box.messages),
        "DELETED": sum(1 for m in box.messages if "\\Deleted" in m.flags),
    }
    pairs = " ".join(f"{item} {values[item]}" for item in items)
    return b"STATUS " + astring_out(box.name) + f" ({pairs})".encode()


def status(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if len(args) != 2:
        raise IMAPSyntaxError("STATUS takes a mailbox name and a list of items")
    box = _existing(s, args[0])
    s.untagged(_status_line(s, box, status_items(args[1])))
    s.complete(tag, "OK", Texts.STATUS_DONE)


# --- APPEND (§6.3.11) ---------------------------------------------------------------------------------


def append(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if not 2 <= len(args) <= 4 or not isinstance(args[-1], bytes):
        raise IMAPSyntaxError("APPEND takes a mailbox name, optional flags and date, and a literal")
    name, content = mailbox_name(args[0]), args[-1]
    flags: set[str] = set()
    date = None
    for extra in args[1:-1]:
        if isinstance(extra, list) and not flags and date is None:
            flags = parse_flags(extra)
        elif isinstance(extra, bytes) and date is None:
            date = extra.decode("ascii", "replace")
            if parse_date_time(date) is None:
                raise IMAPSyntaxError("invalid date-time")
        else:
            raise IMAPSyntaxError("APPEND takes flags, then a date, then the message")
    box = s.store.mailbox(s.username, name)
    if box is None:
        s.complete(tag, "NO", Texts.NO_TARGET)  # §6.3.11: the client may CREATE and retry
        return
    if not content:
        s.complete(tag, "NO", Texts.APPEND_EMPTY)
        return
    stored = box.append(content, date, flags)
    # RFC 9051 §7.1 (UIDPLUS): APPENDUID <uidvalidity> <uid>
    s.complete(tag, "OK", f"[APPENDUID {box.uidvalidity} {stored.uid}] {Texts.APPEND_DONE}")
    from ._events_more import MessageAppended
    events.append(MessageAppended(box.name, stored.uid))


# --- ENABLE (RFC 5161, RFC 9051 §6.3.1) ---------------------------------------------------------------


def enable(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    if not args or not all(isinstance(a, Atom) for a in args):
        raise IMAPSyntaxError("ENABLE takes one or more capability names")
    # None of this server's extensions needs enabling (no CONDSTORE, QRESYNC or UTF8=ACCEPT):
    # an empty ENABLED response says that nothing was enabled.
    s.untagged("ENABLED")
    s.complete(tag, "OK", Texts.ENABLE_DONE)


HANDLERS: dict[str, Handler] = {
    "SELECT": select, "EXAMINE": examine, "CREATE": create, "DELETE": delete, "RENAME": rename,
    "SUBSCRIBE": subscribe, "UNSUBSCRIBE": unsubscribe, "LIST": list_, "LSUB": lsub,
    "NAMESPACE": namespace, "STATUS": status, "APPEND": append, "ENABLE": enable,
}
