"""A message's MIME structure with exact byte ranges: BODY[section] and BODYSTRUCTURE (RFC 3501 §6.4.5, §7.4.2).

The ``email`` package reads each header (Content-Type and its parameters,
RFC 2231 included); the splitting into parts is done here on the raw
octets, so that ``BODY[1.2]`` is exactly the octets of that part as they sit
in the message (``email`` re-serializes, which may change them). A body
part ends where the CRLF before its boundary delimiter starts (RFC 2046
§5.1.1: that CRLF belongs to the delimiter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import collapse_rfc2231_value

from ._envelope import envelope
from ._syntax import nstring

__all__ = ["Entity", "bodystructure", "header_fields", "parse_entity", "section_octets"]

_HEADER_PARSER = BytesHeaderParser(policy=compat32)
MAX_DEPTH = 20  # nesting deeper than this is read as an opaque body


@dataclass(eq=False)
class Entity:
    """One MIME entity: a message, a body part, or a message inside a message/rfc822 part."""

    header: bytes  # the header block, with the blank line that ends it (if there was one)
    body: bytes
    info: Message  # the parsed header (no body)
    children: list[Entity] = field(default_factory=list)  # parts of a multipart
    embedded: Entity | None = None  # the message inside a message/rfc822 part

    @property
    def content_type(self) -> str:
        return self.info.get_content_type()

    @property
    def multipart(self) -> bool:
        return self.info.get_content_maintype() == "multipart" and bool(self.children)


def split_header(octets: bytes) -> tuple[bytes, bytes]:
    """(header with its blank line, body); a message that starts with a blank line has an empty header."""
    if octets.startswith(b"\r\n"):
        return b"\r\n", octets[2:]
    end = octets.find(b"\r\n\r\n")
    if end < 0:
        return octets, b""
    return octets[: end + 4], octets[end + 4 :]


def parse_entity(octets: bytes, depth: int = 0, default: str = "text/plain") -> Entity:
    """The entity tree of a message (CRLF line ends)."""
    header, body = split_header(octets)
    info = _HEADER_PARSER.parsebytes(header)
    if "content-type" not in info and default != "text/plain":
        info.set_default_type(default)
    entity = Entity(header, body, info)
    if depth >= MAX_DEPTH:
        return entity
    maintype = info.get_content_maintype()
    if maintype == "multipart":
        boundary = info.get_param("boundary")
        if isinstance(boundary, tuple):
            boundary = collapse_rfc2231_value(boundary)
        if isinstance(boundary, str) and boundary:
            inner = "message/rfc822" if info.get_content_subtype() == "digest" else "text/plain"
            entity.children = [parse_entity(part, depth + 1, inner) for part in _split_parts(body, boundary)]
    elif entity.content_type in ("message/rfc822", "message/global"):
        entity.embedded = parse_entity(body, depth + 1)
    return entity


def _split_parts(body: bytes, boundary: str) -> list[bytes]:
    delimiter = re.compile(rb"(?:\A|\r\n)--" + re.escape(boundary.encode("ascii", "replace"))
                           + rb"(--)?[ \t]*(?:\r\n|\Z)")
    parts = []
    start: int | None = None
    for match in delimiter.finditer(body):
        if start is not None:
            parts.append(body[start : match.start()])
        if match.group(1):  # the close delimiter: the epilogue follows
            return parts
        start = match.end()
    if start is not None:
        parts.append(body[start:])  # no close delimiter: the last part runs to the end
    return parts


# --- sections ------------------------------------------------------------------------------------


def _part(root: Entity, numbers: list[int]) -> Entity | None:
    """The entity a section-part names (RFC 3501 §6.4.5), or None if there is none."""
    current: Entity | None = root
    for index, number in enumerate(numbers):
        assert current is not None
        message = current if index == 0 else current.embedded  # a level that is a message
        if index and message is None:
            if not current.multipart:
                return None
            message = current
        assert message is not None
        if message.multipart:
            if not 1 <= number <= len(message.children):
                return None
            current = message.children[number - 1]
        elif number == 1:
            current = message  # a single-part message has only part 1: its body
        else:
            return None
    return current


def header_fields(header: bytes, names: list[str], exclude: bool) -> bytes:
    """The header lines whose field name is (or, with ``exclude``, is not) among ``names``,
    each with its continuation lines, then the blank line (HEADER.FIELDS, HEADER.FIELDS.NOT)."""
    wanted = {n.lower() for n in names}
    out = bytearray()
    keep = False
    for line in header.split(b"\r\n"):
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            if keep:
                out += line + b"\r\n"
            continue
        name = line.split(b":", 1)[0].strip().decode("ascii", "replace").lower()
        keep = (name in wanted) != exclude
        if keep:
            out += line + b"\r\n"
    return bytes(out) + b"\r\n"


def section_octets(root: Entity, numbers: list[int], text: str, fields: list[str]) -> bytes:
    """The octets BODY[<numbers>.<text> (<fields>)] names. ``text`` is "", HEADER,
    HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME. A section the message does not have is empty."""
    part = _part(root, numbers) if numbers else root
    if part is None:
        return b""
    if text == "MIME":
        return part.header
    if not text:
        return part.body
    target = part if not numbers else part.embedded  # HEADER/TEXT of a part: its message/rfc822 content
    if target is None:
        return b""
    if text == "TEXT":
        return target.body
    if text == "HEADER":
        return target.header
    return header_fields(target.header, fields, exclude=text == "HEADER.FIELDS.NOT")


# --- BODYSTRUCTURE ---------------------------------------------------------------------------------


def _param(value: object) -> str:
    return collapse_rfc2231_value(value) if isinstance(value, tuple) else str(value)


def _params(info: Message, header: str, skip_first: bool = True) -> bytes:
    """``("name" "value" ...)`` or NIL (body-fld-param)."""
    params = info.get_params(header=header)
    if not params:
        return b"NIL"
    pairs = params[1:] if skip_first else params
    if not pairs:
        return b"NIL"
    return b"(" + b" ".join(nstring(k) + b" " + nstring(_param(v)) for k, v in pairs) + b")"


def _header_nstring(info: Message, name: str) -> bytes:
    value = info.get(name)
    return b"NIL" if value is None else nstring(" ".join(str(value).split()))


def _extension(entity: Entity) -> bytes:
    """body-fld-dsp SP body-fld-lang SP body-fld-loc."""
    info = entity.info
    disposition = info.get("content-disposition")
    if disposition is None:
        dsp = b"NIL"
    else:
        kind = str(disposition).split(";", 1)[0].strip()
        dsp = b"(" + nstring(kind) + b" " + _params(info, "content-disposition") + b")"
    language = info.get("content-language")
    if language is None:
        lang = b"NIL"
    else:
        tags = [t.strip() for t in str(language).split(",") if t.strip()]
        lang = nstring(tags[0]) if len(tags) == 1 else b"(" + b" ".join(map(nstring, tags)) + b")"
    return dsp + b" " + lang + b" " + _header_nstring(info, "content-location")


def bodystructure(entity: Entity, extensible: bool = True) -> bytes:
    """BODYSTRUCTURE (or, not ``extensible``, BODY) of an entity (RFC 3501 §7.4.2)."""
    info = entity.info
    if entity.multipart:
        parts = b"".join(bodystructure(child, extensible) for child in entity.children)
        out = parts + b" " + nstring(info.get_content_subtype())
        if extensible:
            out += b" " + _params(info, "content-type") + b" " + _extension(entity)
        return b"(" + out + b")"
    maintype, subtype = info.get_content_maintype(), info.get_content_subtype()
    if "content-type" not in info and maintype == "text":
        params = b'("charset" "us-ascii")'  # RFC 2045 §5.2's default
    else:
        params = _params(info, "content-type")
    encoding = str(info.get("content-transfer-encoding", "7bit")).strip() or "7bit"
    fields = [nstring(maintype), nstring(subtype), params, _header_nstring(info, "content-id"),
              _header_nstring(info, "content-description"), nstring(encoding), str(len(entity.body)).encode()]
    lines = str(entity.body.count(b"\n")).encode()
    if entity.embedded is not None and entity.content_type in ("message/rfc822", "message/global"):
        fields += [envelope(entity.embedded.info), bodystructure(entity.embedded, extensible), lines]
    elif maintype == "text":
        fields.append(lines)
    if extensible:
        fields += [_header_nstring(info, "content-md5"), _extension(entity)]
    return b"(" + b" ".join(fields) + b")"
