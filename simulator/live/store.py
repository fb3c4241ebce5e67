"""Where live mode's mailbox store used to live: it is ``simulator.live.maildir`` now (with folders,
flags, keywords and an append-only UID list); the names are kept here for the modules that import them."""

from __future__ import annotations

from simulator.live.atomic import write_atomic
from simulator.live.maildir import MaildirMailbox, MaildirMessage, MaildirStore, safe_name

__all__ = ["MaildirMailbox", "MaildirMessage", "MaildirStore", "safe_name", "write_atomic"]
