"""FETCH data items (RFC 3501 §6.4.5): reading the request, writing each message's answer (§7.4.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..mailstore import StoredMessage
from ._envelope import envelope
from ._mime import Entity, bodystructure, header_fields, parse_entity, section_octets, split_header
from ._syntax import Atom, IMAPSyntaxError, Token, format_flags

__all__ = ["FetchItem", "Rendered", "parse_fetch_items", "render_item"]

_SIMPLE = ("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY",
           "RFC822", "RFC822.HEADER", "RFC822.TEXT")
_MACROS = {
    "FAST": ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
    "ALL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
    "FULL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
}
_SECTION_ITEM = re.compile(r"(BODY|BODY\.PEEK)\[(.*)\](?:<(\d{1,10})\.(\d{1,10})>)?\Z", re.S)
_PART = re.compile(r"[1-9]\d{0,9}(?:\.[1-9]\d{0,9})*")
_TEXTS = ("HEADER.FIELDS.NOT", "HEADER.FIELDS", "HEADER", "TEXT", "MIME")


@dataclass(frozen=True)
class FetchItem:
    """One fetch-att. ``kind`` is one of the simple names, or "SECTION" for BODY[...]."""

    kind: str
    numbers: tuple[int, ...] = ()
    text: str = ""  # "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME
    fields: tuple[str, ...] = ()
    partial: tuple[int, int] | None = None
    peek: bool = False

    @property
    def sets_seen(self) -> bool:
        """Fetching the text sets \\Seen; BODY.PEEK and RFC822.HEADER do not (§6.4.5)."""
        return (self.kind == "SECTION" and not self.peek) or self.kind in ("RFC822", "RFC822.TEXT")

    @property
    def is_text(self) -> bool:
        return self.kind in ("SECTION", "RFC822", "RFC822.HEADER", "RFC822.TEXT")

    def response_name(self) -> str:
        """How the item is named in the FETCH response: BODY[...] with <origin>, never .PEEK."""
        if self.kind != "SECTION":
            return self.kind
        spec = ".".join(map(str, self.numbers))
        if self.text:
            spec = f"{spec}.{self.text}" if spec else self.text
        if self.text.startswith("HEADER.FIELDS"):
            spec += " (" + " ".join(f.upper() for f in self.fields) + ")"
        name = f"BODY[{spec}]"
        return name + (f"<{self.partial[0]}>" if self.partial else "")


def parse_fetch_items(spec: Token) -> list[FetchItem]:
    """The items of a FETCH (macros expanded, order kept, repeats dropped); IMAPSyntaxError if bad."""
    raw = spec if isinstance(spec, list) else [spec]
    if not raw or not all(isinstance(i, Atom) for i in raw):
        raise IMAPSyntaxError("bad FETCH data items")
    names = [str(i) for i in raw]
    if len(names) == 1 and names[0].upper() in _MACROS:
        names = _MACROS[names[0].upper()]
    items: list[FetchItem] = []
    for name in names:
        item = _item(name)
        if item not in items:
            items.append(item)
    return items


def _item(name: str) -> FetchItem:
    upper = name.upper()
    if upper in _SIMPLE:
        return FetchItem(upper)
    match = _SECTION_ITEM.match(name)
    if match is None or not match.group(1).upper().startswith("BODY"):
        raise IMAPSyntaxError(f"unknown FETCH item {name}")
    numbers, text, fields = _section(match.group(2))
    partial = None
    if match.group(3) is not None:
        count = int(match.group(4))
        if count == 0:
            raise IMAPSyntaxError("a partial fetch needs a non-zero length")
        partial = (int(match.group(3)), count)
    return FetchItem("SECTION", numbers, text, fields, partial, peek=match.group(1).upper() == "BODY.PEEK")


def _section(spec: str) -> tuple[tuple[int, ...], str, tuple[str, ...]]:
    """section-spec = section-msgtext / (section-part ["." section-text])."""
    rest = spec
    numbers: tuple[int, ...] = ()
    part = _PART.match(rest)
    if part:
        numbers = tuple(int(n) for n in part.group(0).split("."))
        rest = rest[part.end():]
        if rest:
            if not rest.startswith("."):
                raise IMAPSyntaxError(f"bad section {spec!r}")
            rest = rest[1:]
    if not rest:
        return numbers, "", ()
    upper = rest.upper()
    text = next((t for t in _TEXTS if upper.startswith(t)), None)
    if text is None or (text == "MIME" and not numbers):
        raise IMAPSyntaxError(f"bad section {spec!r}")
    tail = rest[len(text):]
    if not text.startswith("HEADER.FIELDS"):
        if tail:
            raise IMAPSyntaxError(f"bad section {spec!r}")
        return numbers, text, ()
    if not (tail.startswith(" (") and tail.endswith(")")):
        raise IMAPSyntaxError("HEADER.FIELDS needs a list of field names")
    fields = tuple(f.strip('"') for f in tail[2:-1].split())
    if not fields or not all(fields):
        raise IMAPSyntaxError("HEADER.FIELDS needs a list of field names")
    return numbers, text, fields


# --- answers -------------------------------------------------------------------------------------


class Rendered:
    """What one message's answer needs from it, computed at most once per FETCH."""

    def __init__(self, message: StoredMessage) -> None:
        self.message = message
        self._content: bytes | None = None
        self._entity: Entity | None = None

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = self.message.content
        return self._content

    @property
    def entity(self) -> Entity:
        if self._entity is None:
            self._entity = parse_entity(self.content)
        return self._entity


def literal(data: bytes) -> bytes:
    return b"{%d}\r\n%s" % (len(data), data)


def render_item(item: FetchItem, rendered: Rendered, flags: frozenset[str] | set[str]) -> tuple[bytes, bytes | None]:
    """(the ``name value`` pair, the text octets sent if it is a text item)."""
    message = rendered.message
    name = item.response_name().encode("ascii")
    if item.kind == "UID":
        return b"UID %d" % message.uid, None
    if item.kind == "FLAGS":
        return b"FLAGS " + format_flags(flags).encode(), None
    if item.kind == "INTERNALDATE":
        return b'INTERNALDATE "%s"' % message.internal_date.encode("ascii", "replace"), None
    if item.kind == "RFC822.SIZE":
        return b"RFC822.SIZE %d" % message.size, None
    if item.kind == "ENVELOPE":
        return b"ENVELOPE " + envelope(rendered.entity.info), None
    if item.kind in ("BODYSTRUCTURE", "BODY"):
        return name + b" " + bodystructure(rendered.entity, extensible=item.kind == "BODYSTRUCTURE"), None
    if item.kind == "RFC822":
        data = rendered.content
    elif item.kind == "RFC822.HEADER":
        data = split_header(rendered.content)[0]
    elif item.kind == "RFC822.TEXT":
        data = split_header(rendered.content)[1]
    elif not item.numbers and not item.text:
        data = rendered.content
    elif not item.numbers and item.text in ("HEADER", "TEXT"):
        data = split_header(rendered.content)[item.text == "TEXT"]
    elif not item.numbers:
        data = header_fields(split_header(rendered.content)[0], list(item.fields), item.text.endswith(".NOT"))
    else:
        data = section_octets(rendered.entity, list(item.numbers), item.text, list(item.fields))
    if item.kind == "SECTION":
        if item.partial is not None:
            start, count = item.partial
            data = data[start : start + count]
    return name + b" " + literal(data), data
