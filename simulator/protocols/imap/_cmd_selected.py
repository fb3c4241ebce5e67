"""Selected-state commands (RFC 3501 §6.4): the messages of the open mailbox.

CHECK, CLOSE, UNSELECT (RFC 3691), EXPUNGE, SEARCH, FETCH, STORE, COPY,
MOVE (RFC 6851) and UID, whose variants answer with UIDs and may report
expunges (§7.4.1: the non-UID FETCH, STORE and SEARCH may not). COPY, MOVE
and APPEND answer with UIDPLUS codes (RFC 4315).
"""

from __future__ import annotations

from collections.abc import Callable

from ..mailstore import FlagOp, StoredMessage, StoreError
from ._cmd_mailboxes import parse_flags
# Failures, IDLE, ID and mailbox changes: their events are imported where reported (see _events_more).
from ._events import Event, MessageFetched
from ._fetch import FetchItem, Rendered, parse_fetch_items, render_item
from ._list import mailbox_name
from ._search import Candidate, parse_search
from ._session import Session, atom_upper, no_args
from ._state import UID_COMMANDS, Trigger
from ._syntax import Atom, IMAPSyntaxError, Token, compress_uids, format_flags, parse_sequence_set, text_of
from .responses import Texts

__all__ = ["HANDLERS"]

Handler = Callable[[Session, str, list[Token], list[Event]], None]
_STORE_OPS = {"FLAGS": FlagOp.REPLACE, "+FLAGS": FlagOp.ADD, "-FLAGS": FlagOp.REMOVE}


def check(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    no_args(args)
    s.complete(tag, "OK", Texts.CHECK_DONE)


def close(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    no_args(args)
    view = s.selected_box()
    if not view.read_only:
        # CLOSE expunges \Deleted messages silently (§6.4.2); other sessions are told.
        doomed = [m for m in view.mailbox.messages if "\\Deleted" in m.flags and view.seq_of(m.uid)]
        gone = view.mailbox.expunge(doomed, origin=view.watcher)
        if gone:
            from ._events_more import MessagesExpunged
            events.append(MessagesExpunged(view.mailbox.name, len(gone)))
    s.deselect()
    s.machine.fire(Trigger.CLOSE)
    s.tagged(tag, "OK", Texts.CLOSE_DONE)


def unselect(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    no_args(args)
    s.deselect()  # like CLOSE, without the expunge (RFC 3691)
    s.machine.fire(Trigger.CLOSE)
    s.tagged(tag, "OK", Texts.UNSELECT_DONE)


def expunge(s: Session, tag: str, args: list[Token], events: list[Event], by_uid: bool = False) -> None:
    view = s.selected_box()
    wanted = None
    if by_uid:  # UID EXPUNGE (RFC 9051 §6.4.9): only these UIDs
        if len(args) != 1 or not isinstance(args[0], Atom):
            raise IMAPSyntaxError("UID EXPUNGE takes a UID set")
        wanted = parse_sequence_set(args[0], view.uids[-1] if view.uids else view.mailbox.uidnext)
    else:
        no_args(args)
    if view.read_only:
        s.complete(tag, "OK", Texts.EXPUNGE_READ_ONLY)
        return
    doomed = [m for m in view.mailbox.messages if "\\Deleted" in m.flags and view.seq_of(m.uid)
              and (wanted is None or m.uid in wanted)]
    gone = view.mailbox.expunge(doomed, origin=view.watcher)
    for line in view.expunged(sorted(m.uid for m in gone)):
        s.untagged(line)
    if gone:
        from ._events_more import MessagesExpunged
        events.append(MessagesExpunged(view.mailbox.name, len(gone)))
    s.complete(tag, "OK", Texts.EXPUNGE_DONE)


# --- SEARCH (§6.4.4) ---------------------------------------------------------------------------------


def search(s: Session, tag: str, args: list[Token], events: list[Event], by_uid: bool = False) -> None:
    charset = "utf-8"
    if len(args) >= 2 and atom_upper(args[0]) == "CHARSET":
        name = text_of(args[1], "a charset").upper()
        if name not in ("US-ASCII", "UTF-8"):
            s.tagged(tag, "NO", Texts.BAD_CHARSET)  # §6.4.4: NO, not BAD
            return
        args = args[2:]
    view = s.selected_box()
    last_uid = view.uids[-1] if view.uids else view.mailbox.uidnext
    predicate = parse_search(args, view.exists, last_uid, charset)
    hits = []
    for seq, uid in enumerate(view.uids, 1):
        message = view.mailbox.get(uid)
        if message is not None and predicate(Candidate(seq, message, uid in view.recent)):
            hits.append(uid if by_uid else seq)
    s.untagged(" ".join(["SEARCH", *map(str, hits)]))
    s.complete(tag, "OK", Texts.UID_SEARCH_DONE if by_uid else Texts.SEARCH_DONE, expunge=by_uid, uid=by_uid)


# --- FETCH (§6.4.5) ----------------------------------------------------------------------------------


def fetch(s: Session, tag: str, args: list[Token], events: list[Event], by_uid: bool = False) -> None:
    if len(args) != 2:
        raise IMAPSyntaxError("FETCH takes a sequence set and data items")
    items = parse_fetch_items(args[1])
    if by_uid and FetchItem("UID") not in items:
        items.insert(0, FetchItem("UID"))  # §6.4.8: UID FETCH always returns the UID
    view = s.selected_box()
    sets_seen = not view.read_only and any(i.sets_seen for i in items)
    skipped = False
    for seq in view.targets(args[0], by_uid):
        message = view.message(seq)
        if message is None:
            skipped = True  # expunged by another session, not yet reported
            continue
        flagged = False
        if sets_seen and "\\Seen" not in message.flags:
            # §6.4.5: BODY[] sets \Seen; the change is reported in this same FETCH response.
            flagged = bool(view.mailbox.store_flags([message], FlagOp.ADD, ["\\Seen"], origin=view.watcher))
        s.out += _fetch_response(s, seq, message, items, flagged, events)
    done = Texts.UID_FETCH_DONE if by_uid else Texts.FETCH_DONE
    s.complete(tag, "OK", Texts.FETCH_EXPUNGED if skipped else done, expunge=by_uid, uid=by_uid)


def _fetch_response(s: Session, seq: int, message: StoredMessage, items: list[FetchItem], flagged: bool,
                    events: list[Event]) -> bytes:
    view = s.selected_box()
    rendered = Rendered(message)
    flags = view.flags_of(message)
    plain, texts = [], []
    for item in items:
        pair, data = render_item(item, rendered, flags)
        if data is None:
            plain.append(pair)
        else:
            texts.append(pair)
            events.append(MessageFetched(seq, message.uid, data))
    if flagged and FetchItem("FLAGS") not in items:
        plain.append(b"FLAGS " + format_flags(flags).encode())
    # The short items first, the literals after them, as Dovecot sends them (UID leads when asked for).
    return b"* %d FETCH (%s)\r\n" % (seq, b" ".join(plain + texts))


# --- STORE (§6.4.6) -----------------------------------------------------------------------------------


def store(s: Session, tag: str, args: list[Token], events: list[Event], by_uid: bool = False) -> None:
    if len(args) < 3 or not isinstance(args[1], Atom):
        raise IMAPSyntaxError("STORE takes a sequence set, FLAGS/+FLAGS/-FLAGS and flags")
    item = args[1].upper()
    silent = item.endswith(".SILENT")
    op = _STORE_OPS.get(item.removesuffix(".SILENT"))
    if op is None:
        raise IMAPSyntaxError(f"unknown STORE item {item}")
    flags = parse_flags(args[2] if len(args) == 3 else args[2:])
    view = s.selected_box()
    seqs = view.targets(args[0], by_uid)
    if view.read_only:
        s.complete(tag, "OK", Texts.STORE_READ_ONLY, expunge=by_uid, uid=by_uid)
        return
    box = view.mailbox
    known_keywords = len(box.keywords)
    targets = [(seq, m) for seq in seqs if (m := view.message(seq)) is not None]
    changed = box.store_flags([m for _, m in targets], op, flags, origin=view.watcher)
    if len(box.keywords) != known_keywords:  # a new keyword: announce it first
        s.untagged(view.flags_response())
        s.untagged(f"OK [PERMANENTFLAGS {view.permanent_flags()}] {Texts.PERMANENT_FLAGS}")
    if not silent:
        for seq, message in targets:
            flag_text = format_flags(view.flags_of(message))
            s.untagged(f"{seq} FETCH (UID {message.uid} FLAGS {flag_text})" if by_uid
                       else f"{seq} FETCH (FLAGS {flag_text})")
    if changed:
        from ._events_more import FlagsStored
        events.append(FlagsStored(box.name, len(changed)))
    s.complete(tag, "OK", Texts.STORE_DONE, expunge=by_uid, uid=by_uid)


# --- COPY (§6.4.7) and MOVE (RFC 6851) -------------------------------------------------------------


def copy(s: Session, tag: str, args: list[Token], events: list[Event], by_uid: bool = False,
         move: bool = False) -> None:
    if len(args) != 2:
        raise IMAPSyntaxError("COPY takes a sequence set and a mailbox name")
    view = s.selected_box()
    seqs = view.targets(args[0], by_uid)
    target = s.store.mailbox(s.username, mailbox_name(args[1]))
    if target is None:
        s.complete(tag, "NO", Texts.NO_TARGET, expunge=by_uid or move, uid=by_uid)
        return
    if move and view.read_only:
        s.complete(tag, "NO", Texts.MOVE_READ_ONLY, uid=by_uid)
        return
    messages = [m for seq in seqs if (m := view.message(seq)) is not None]
    if len(messages) < len(seqs):
        # §6.4.7: a COPY that cannot be done whole leaves the target as it was.
        s.complete(tag, "NO", Texts.COPY_EXPUNGED, expunge=by_uid or move, uid=by_uid)
        return
    if not messages:
        s.complete(tag, "OK", Texts.NO_MESSAGES, expunge=by_uid or move, uid=by_uid)
        return
    copies: list[StoredMessage] = []
    try:
        for message in messages:
            copies.append(target.append(message.content, message.internal_date, message.flags))
    except StoreError:
        target.expunge(copies)  # undo the part that was done, then report the failure
        raise
    code = f"COPYUID {target.uidvalidity} {compress_uids(m.uid for m in messages)} " \
           f"{compress_uids(c.uid for c in copies)}"
    from ._events_more import MessagesCopied
    events.append(MessagesCopied(view.mailbox.name, target.name, len(copies), move))
    if not move:
        s.complete(tag, "OK", f"[{code}] {Texts.COPY_DONE}", expunge=by_uid, uid=by_uid)
        return
    s.untagged(f"OK [{code}] {Texts.MOVED_UIDS}")  # RFC 9051 §6.4.8: COPYUID comes untagged, first
    gone = view.mailbox.expunge(messages, origin=view.watcher)
    for line in view.expunged(sorted(m.uid for m in gone)):
        s.untagged(line)
    from ._events_more import MessagesExpunged
    events.append(MessagesExpunged(view.mailbox.name, len(gone)))
    s.complete(tag, "OK", Texts.MOVE_DONE, uid=by_uid)


def move(s: Session, tag: str, args: list[Token], events: list[Event], by_uid: bool = False) -> None:
    copy(s, tag, args, events, by_uid=by_uid, move=True)


# --- UID (§6.4.8) -------------------------------------------------------------------------------------


def uid(s: Session, tag: str, args: list[Token], events: list[Event]) -> None:
    sub = atom_upper(args[0]) if args else ""
    if sub not in UID_COMMANDS:
        raise IMAPSyntaxError(Texts.UNKNOWN_COMMAND.format(command=f"UID {sub}".strip()))
    # UID commands may report expunges (§7.4.1): do it first, so no UID named is a ghost.
    s.report_changes(uid=True)
    if s.closed:
        return
    _UID_HANDLERS[sub](s, tag, args[1:], events, True)


_UID_HANDLERS: dict[str, Callable[[Session, str, list[Token], list[Event], bool], None]] = {
    "FETCH": fetch, "SEARCH": search, "STORE": store, "COPY": copy, "MOVE": move, "EXPUNGE": expunge,
}

HANDLERS: dict[str, Handler] = {
    "CHECK": check, "CLOSE": close, "UNSELECT": unselect, "EXPUNGE": expunge, "SEARCH": search,
    "FETCH": fetch, "STORE": store, "COPY": copy, "MOVE": move, "UID": uid,
}
