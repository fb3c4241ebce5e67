"""One session's view of its selected mailbox: sequence numbers, \\Recent, and what it has not been told yet.

Sequence numbers are this session's own (RFC 3501 §2.3.1.2): a message
expunged by another session keeps its number here until this session is
told with an ``EXPUNGE`` response, and that may not happen while a FETCH,
STORE or SEARCH is answered (§7.4.1), so until then it is a *ghost*. Changes
made by other sessions (and deliveries) arrive through the mailbox's
:class:`~simulator.protocols.mailstore.Watcher`; :meth:`SelectedMailbox.sync`
turns them into untagged responses at a command boundary, or at once while
the session IDLEs (RFC 2177).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from ..mailstore import SYSTEM_FLAGS, ChangeKind, Mailbox, StoredMessage
from ._syntax import IMAPSyntaxError, format_flags, parse_sequence_set

__all__ = ["SelectedMailbox"]


class SelectedMailbox:
    def __init__(self, mailbox: Mailbox, read_only: bool, on_change: Callable[[], None] | None) -> None:
        self.mailbox = mailbox
        self.read_only = read_only
        self.watcher = mailbox.watch(on_change)
        self.uids: list[int] = [m.uid for m in mailbox.messages]  # index + 1 = sequence number
        # EXAMINE MUST NOT take \Recent away from others (§6.3.2); SELECT claims it.
        self.recent: set[int] = mailbox.recent_uids() if read_only else mailbox.claim_recent()
        self.ghosts: set[int] = set()  # expunged elsewhere, not yet reported
        self._flags_changed: set[int] = set()
        self._added = False
        self._keywords_changed = False
        self.deleted = False

    def close(self) -> None:
        self.watcher.close()

    # --- numbers ---------------------------------------------------------------------------------

    @property
    def exists(self) -> int:
        return len(self.uids)

    def seq_of(self, uid: int) -> int | None:
        index = bisect_left(self.uids, uid)
        return index + 1 if index < len(self.uids) and self.uids[index] == uid else None

    def message(self, seq: int) -> StoredMessage | None:
        """The message at ``seq``, or None for a ghost."""
        return self.mailbox.get(self.uids[seq - 1])

    def targets(self, spec: object, by_uid: bool) -> list[int]:
        """Sequence numbers named by a sequence set (of UIDs if ``by_uid``), ascending."""
        if not isinstance(spec, str):
            raise IMAPSyntaxError("expected a sequence set")
        if by_uid:
            star = self.uids[-1] if self.uids else self.mailbox.uidnext
            return [i + 1 for i in parse_sequence_set(spec, star).select(self.uids)]
        # §9 seq-number: a number beyond EXISTS (or "*" in an empty mailbox) gets a tagged BAD.
        seqs = parse_sequence_set(spec, self.exists)
        if seqs.highest() > self.exists or seqs.highest() == 0:
            raise IMAPSyntaxError("message sequence number beyond EXISTS")
        return [i + 1 for i in seqs.select(list(range(1, self.exists + 1)))]

    def flags_of(self, message: StoredMessage) -> set[str]:
        flags = set(message.flags)
        if message.uid in self.recent:
            flags.add("\\Recent")
        return flags

    def flags_response(self) -> str:
        return f"FLAGS {format_flags([*SYSTEM_FLAGS, *self.mailbox.keywords])}"

    def permanent_flags(self) -> str:
        if self.read_only:
            return "()"
        # "\\*": new keywords may be created (§7.1); last, as Dovecot writes it.
        return format_flags([*SYSTEM_FLAGS, *self.mailbox.keywords])[:-1] + " \\*)"

    # --- being told ------------------------------------------------------------------------------

    def take_changes(self) -> None:
        """Read what the mailbox queued for this session (cheap: no responses yet)."""
        for change in self.watcher.take():
            if change.kind is ChangeKind.ADDED:
                if not self.uids or change.uid > self.uids[-1]:
                    self.uids.append(change.uid)
                    self._added = True
                    if not self.read_only and self.mailbox.claim_one(change.uid):
                        self.recent.add(change.uid)
            elif change.kind is ChangeKind.EXPUNGED:
                if self.seq_of(change.uid) is not None:
                    self.ghosts.add(change.uid)
                self._flags_changed.discard(change.uid)
            elif change.kind is ChangeKind.FLAGS:
                self._flags_changed.add(change.uid)
            elif change.kind is ChangeKind.KEYWORDS:
                self._keywords_changed = True
            elif change.kind is ChangeKind.DELETED:
                self.deleted = True

    def sync(self, expunge: bool, uid: bool = False) -> list[str]:
        """Untagged responses for what changed: FLAGS, FETCH FLAGS, EXPUNGE, EXISTS, RECENT.

        ``expunge`` false keeps ghosts for later (during FETCH, STORE, SEARCH).
        ``uid``: name the UID in FETCH responses (the command was a UID one).
        """
        self.take_changes()
        lines: list[str] = []
        if self._keywords_changed:
            self._keywords_changed = False
            lines += [self.flags_response(), f"OK [PERMANENTFLAGS {self.permanent_flags()}] Flags permitted"]
        for changed in sorted(self._flags_changed):
            seq, message = self.seq_of(changed), self.mailbox.get(changed)
            if seq is not None and message is not None:
                flags = format_flags(self.flags_of(message))
                lines.append(f"{seq} FETCH (UID {changed} FLAGS {flags})" if uid else f"{seq} FETCH (FLAGS {flags})")
        self._flags_changed.clear()
        if expunge and self.ghosts:
            lines += self.expunged(sorted(self.ghosts))
        if self._added:
            self._added = False
            lines += [f"{self.exists} EXISTS", f"{len(self.recent)} RECENT"]
        return lines

    def expunged(self, uids: list[int]) -> list[str]:
        """Remove ``uids`` (ascending) from the numbering: an EXPUNGE each, numbers as they are
        at that moment (the RFC 3501 §7.4.1 example: 3, 3, 5, 8)."""
        lines = []
        for gone in uids:
            seq = self.seq_of(gone)
            if seq is None:
                continue
            del self.uids[seq - 1]
            self.ghosts.discard(gone)
            self.recent.discard(gone)
            lines.append(f"{seq} EXPUNGE")
        return lines
