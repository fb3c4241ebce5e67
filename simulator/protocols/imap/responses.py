"""IMAP wire text: the server's response catalogue, and the syntax both sides share.

The texts are what this server says after ``OK``/``NO``/``BAD``; RFC 3501
leaves human-readable text free, so they follow the RFC's own examples
where it gives one, and Dovecot's wording elsewhere (the server these
clients are most often tested against). Response codes in brackets are
RFC 3501 §7.1's and RFC 9051 §7.1's (from RFC 5530), RFC 4315's for UIDPLUS.
The syntax helpers live in ``_syntax`` and are re-exported here.
"""

from __future__ import annotations

from ._syntax import (
    Atom,
    IMAPSyntaxError,
    Literal,
    SequenceSet,
    Token,
    encode_astring,
    format_flags,
    is_atom,
    parse_sequence_set,
    parse_tokens,
)

__all__ = [
    "Atom",
    "IMAPSyntaxError",
    "Literal",
    "SequenceSet",
    "Texts",
    "Token",
    "encode_astring",
    "format_flags",
    "is_atom",
    "parse_sequence_set",
    "parse_tokens",
]


class Texts:
    """Human-readable response texts, one place to read or translate them."""

    GREETING = "{hostname} IMAP4rev1 ready"
    CAPABILITY_DONE = "CAPABILITY completed"
    NOOP_DONE = "NOOP completed"
    BYE = "{hostname} IMAP4rev1 server logging out"
    LOGOUT_DONE = "LOGOUT completed"
    STARTTLS_GO = "Begin TLS negotiation now"  # RFC 3501 section 6.2.1 example
    STARTTLS_ACTIVE = "TLS is already active"
    STARTTLS_UNAVAILABLE = "STARTTLS is not available"
    LOGIN_DONE = "LOGIN completed"
    AUTH_DONE = "AUTHENTICATE completed"
    # RFC 9051 section 7.1 (from RFC 5530) gives this code and example text.
    PRIVACY_REQUIRED = "[PRIVACYREQUIRED] Connection offers no privacy"
    AUTH_FAILED = "[AUTHENTICATIONFAILED] Invalid credentials"
    TOO_MANY_FAILURES = "[UNAVAILABLE] Too many failed logins from your address, try again later"
    AUTHZ_FAILED = "[AUTHORIZATIONFAILED] Cannot act as another user"
    AUTH_MECHANISM = "Unsupported authentication mechanism"
    AUTH_CANCELLED = "AUTHENTICATE cancelled"
    AUTH_BAD_BASE64 = "Invalid base64 in AUTHENTICATE response"
    ID_DONE = "ID completed"
    ENABLE_DONE = "ENABLE completed"
    NAMESPACE_DONE = "NAMESPACE completed"
    SELECT_DONE = "[READ-WRITE] SELECT completed"
    EXAMINE_DONE = "[READ-ONLY] EXAMINE completed"
    NO_MAILBOX = "[NONEXISTENT] No such mailbox"
    NO_TARGET = "[TRYCREATE] Mailbox doesn't exist"  # RFC 3501 §6.3.11, §6.4.7: the client may CREATE it
    CREATE_DONE = "CREATE completed"
    DELETE_DONE = "DELETE completed"
    RENAME_DONE = "RENAME completed"
    SUBSCRIBE_DONE = "SUBSCRIBE completed"
    UNSUBSCRIBE_DONE = "UNSUBSCRIBE completed"
    LIST_DONE = "LIST completed"
    LSUB_DONE = "LSUB completed"
    STATUS_DONE = "STATUS completed"
    APPEND_DONE = "APPEND completed"
    APPEND_EMPTY = "Can't save a zero byte message"  # Dovecot's refusal of {0}
    TOO_BIG = "[TOOBIG] Message too big (APPENDLIMIT {limit})"
    TOO_BIG_BYE = "[TOOBIG] Literal too big, closing the connection"
    CLOSE_DONE = "CLOSE completed"
    UNSELECT_DONE = "UNSELECT completed"
    CHECK_DONE = "CHECK completed"
    EXPUNGE_DONE = "EXPUNGE completed"
    EXPUNGE_READ_ONLY = "EXPUNGE ignored: the mailbox is read-only"
    FETCH_DONE = "FETCH completed"
    UID_FETCH_DONE = "UID FETCH completed"
    FETCH_EXPUNGED = "[EXPUNGEISSUED] Some messages were already expunged"  # RFC 9051 §7.1
    COPY_EXPUNGED = "[EXPUNGEISSUED] Some of the requested messages no longer exist"
    STORE_DONE = "STORE completed"
    STORE_READ_ONLY = "STORE ignored: the mailbox is read-only"
    COPY_DONE = "COPY completed"
    MOVE_DONE = "MOVE completed"
    MOVED_UIDS = "Moved UIDs"
    NO_MESSAGES = "No messages found"
    MOVE_READ_ONLY = "[READ-ONLY] Can't move messages out of a read-only mailbox"
    SEARCH_DONE = "SEARCH completed"
    UID_SEARCH_DONE = "UID SEARCH completed"
    IDLE_GO = "idling"  # RFC 2177's own example continuation text
    IDLE_DONE = "IDLE terminated"  # RFC 2177 §3 example
    IDLE_EXPECTED_DONE = "Expected DONE"
    STILL_HERE = "Still here"  # Dovecot's keepalive during IDLE
    MAILBOX_DELETED = "Selected mailbox was deleted, have to disconnect"
    FIRST_UNSEEN = "Message {seq} is first unseen"
    UIDVALIDITY = "UIDs valid"
    UIDNEXT = "Predicted next UID"
    PERMANENT_FLAGS = "Flags permitted"
    NO_PERMANENT_FLAGS = "No permanent flags permitted"
    BAD_FLAG = "Invalid system flag {flag}"
    NOT_A_FLAG = "Flags list contains non-atoms"
    CANNOT_SEARCH = "[CANNOT] Search key {key} is not supported by this server"
    BAD_CHARSET = "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset"
    CONTINUE_LITERAL = "Ready for literal data"
    UNKNOWN_COMMAND = "Unknown command {command}"
    WRONG_STATE = "{command} not allowed in the {state} state"
    SYNTAX = "Syntax error: {reason}"
    NO_TAG = "Missing or invalid tag"
    EMPTY_LINE = "Empty command line"  # RFC 9051 section 7.1.3 example
    NO_COMMAND = "Missing or invalid command name"
    NO_SUCH_MESSAGE = "message sequence number beyond EXISTS"
    LINE_TOO_LONG = "Command line too long"  # RFC 9051 section 7.1.3 example
    LITERAL_TOO_BIG = "Literal too big"
    # Untagged BYE when the server ends the connection itself (RFC 3501 section 7.1.5).
    BYE_IDLE = "Autologout; idle for too long"
    BYE_STOPPING = "Server shutting down"
    BYE_TOO_MANY = "Too many connections, try again later"
    BYE_TOO_MANY_FROM_ADDRESS = "Too many connections from your address, try again later"
    BYE_UNAVAILABLE = "Service not available, try again later"
    BYE_TOO_MANY_BAD = "Too many invalid IMAP commands."  # Dovecot's words, after 20 BADs in a row
