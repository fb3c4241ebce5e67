"""``[dns.zones]``: each zone's master-file text, checked, and errors that point at the line at fault.

A zone is inline text, a list of records, or ``{ file = "x.zone" }`` (beside
the scenario, or in assets/zones). A zone that does not parse is reported at
the TOML line that holds the bad record (or the zone file and its line),
with the record itself, e.g.
``lab.toml:84: dns.zones."example.net": expected a valid zone in master-file
syntax, found an error in line 2 of the zone: ... (in "mx1 IN A 203.0.113.999")``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.paths import user_cache_dir
from simulator.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from simulator.scenario.loader import _Reader as Reader


def parse_zones(r: Reader, dns_table: dict[str, Any], base_dir: Path | None) -> tuple[tuple[str, str], ...]:
    r.unknown_keys(dns_table, {"zones"}, "dns")
    zones = r.table(dns_table, "zones", "dns.zones", required=False)
    result = []
    for written, spec in zones.items():
        path = f'dns.zones."{written}"'
        origin = written.rstrip(".").lower()
        records: tuple[str, ...] | None = None
        zone_file: Path | None = None
        if isinstance(spec, str):
            text = spec
        elif isinstance(spec, dict):
            r.unknown_keys(spec, {"records", "file"}, path)
            if "file" in spec:
                zone_file = _find_zone_file(r, r.string(spec, "file", f"{path}.file"), f"{path}.file", base_dir)
                text = zone_file.read_text(encoding="utf-8")
            else:
                records = r.strings(spec, "records", f"{path}.records", required=True)
                text = "\n".join(records)
        else:
            raise r.fail(path, "master-file text, or a table with records or file", spec)
        full = _with_defaults(origin, text)
        mark = _zone_mark(origin, full)
        if mark is None or not mark.is_file():
            import dns.exception
            import dns.zone

            try:
                dns.zone.from_text(full, origin=origin + ".", relativize=False, check_origin=True)
            except dns.exception.DNSException as exc:
                raise _zone_error(r, written, path, origin, text, exc, records, zone_file, base_dir) from None
            _remember_good(mark)
        result.append((origin, full))
    return tuple(result)


# dnspython is a large import (tens of milliseconds), and a player starting a lesson pays for it
# before its first frame only to check zones that were checked the last time. Whether a zone
# parses depends on its text and dnspython alone, so a zone that parsed is remembered by a
# digest of both (an empty file in the user's cache directory); one that failed never is.
def _zone_mark(origin: str, full: str) -> Path | None:
    spec = importlib.util.find_spec("dns")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        version = os.stat(os.path.join(next(iter(spec.submodule_search_locations)), "version.py"))
    except OSError:
        return None
    stamp = f"{version.st_mtime_ns}:{version.st_size}\n{origin}\n{full}"
    return user_cache_dir() / "zones" / hashlib.sha256(stamp.encode()).hexdigest()


def _remember_good(mark: Path | None) -> None:
    if mark is None:
        return
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    except OSError:
        pass  # a cache that cannot be written only means checking again next time


_WHERE = re.compile(r"^<string>:\d+: ")


def _zone_error(r: Reader, written: str, path: str, origin: str, text: str, exc: Exception,
                records: tuple[str, ...] | None, zone_file: Path | None, base_dir: Path | None) -> ScenarioError:
    """The zone error with its real place: the TOML line (inline text), the record, or the zone file's line.

    dnspython counts lines in the text it was given (which has the default SOA
    and NS in front, and is "<string>" to it), and for some errors the line
    after the record: the first line at which the zone alone fails the same way
    is the one at fault.
    """
    detail = _WHERE.sub("", str(exc)).rstrip(".")
    expected = "expected a valid zone in master-file syntax"
    import dns.exception

    line = _failing_line(origin, text, detail) if isinstance(exc, dns.exception.SyntaxError) else None
    if line is None:
        return ScenarioError(r.source, path, f"{expected}, found an error: {detail}", line=_key_line(r.text, written))
    content = text.split("\n")[line - 1].strip()
    if zone_file is not None:
        shown = zone_file.name if base_dir is not None and zone_file.parent == base_dir else str(zone_file)
        return ScenarioError(r.source, f"{path}.file", f'{expected}, found an error at {shown}:{line}: {detail} '
                             f'(in "{content}")', line=_key_line(r.text, written))
    if records is not None:
        index = _record_of(records, line)
        return ScenarioError(r.source, f"{path}.records[{index}]", f'{expected}, found an error: {detail} '
                             f'(in "{content}")', line=_toml_line_of(r.text, written, content))
    return ScenarioError(r.source, path, f'{expected}, found an error in line {line} of the zone: {detail} '
                         f'(in "{content}")', line=_inline_line(r.text, written, line, content))


def _failing_line(origin: str, text: str, detail: str) -> int | None:
    """The first line (1-based, in ``text``) up to which the zone fails with ``detail``."""
    import dns.exception
    import dns.zone

    lines = text.split("\n")
    for end in range(1, len(lines) + 1):
        if not lines[end - 1].strip():
            continue
        try:
            dns.zone.from_text(_with_defaults(origin, "\n".join(lines[:end])), origin=origin + ".",
                               relativize=False, check_origin=False)
        except dns.exception.SyntaxError as exc:
            if _WHERE.sub("", str(exc)).rstrip(".") == detail:
                return end
        except dns.exception.DNSException:
            continue
    return None


def _record_of(records: tuple[str, ...], line: int) -> int:
    """Which ``records`` entry holds line ``line`` of the records joined by newlines."""
    seen = 0
    for index, record in enumerate(records):
        seen += record.count("\n") + 1
        if line <= seen:
            return index
    return len(records) - 1


def _key_line(toml: str, written: str) -> int | None:
    """The TOML line of the zone's key (``"example.net" = ...`` or ``[dns.zones."example.net"]``)."""
    key = re.escape(written)
    pattern = re.compile(rf"""^[ \t]*(?:\[[ \t]*dns\.zones\.(["']){key}\1[ \t]*\]|(?:(?:dns\.)?zones\.)?(["']){key}\2[ \t]*=)""",
                         re.MULTILINE)
    match = pattern.search(toml)
    return toml.count("\n", 0, match.start()) + 1 if match else None


def _inline_line(toml: str, written: str, line: int, content: str) -> int | None:
    """The TOML line holding line ``line`` of an inline zone string (checked: it must hold ``content``)."""
    start = _key_line(toml, written)
    if start is None:
        return None
    toml_lines = toml.split("\n")
    value = toml_lines[start - 1].split("=", 1)[-1].strip()
    # TOML drops a newline right after an opening triple quote: the text starts on the next line.
    first = start + 1 if value in ('"""', "'''") else start
    candidate = first + line - 1 if value[:3] in ('"""', "'''") else start
    if 0 < candidate <= len(toml_lines) and content in toml_lines[candidate - 1]:
        return candidate
    return _toml_line_of(toml, written, content)


def _toml_line_of(toml: str, written: str, content: str) -> int | None:
    """The first TOML line after the zone's key that holds ``content``."""
    start = _key_line(toml, written) or 1
    for number, text in enumerate(toml.split("\n")[start - 1:], start):
        if content and content in text:
            return number
    return None


def _find_zone_file(r: Reader, name: str, path: str, base_dir: Path | None) -> Path:
    from simulator.paths import assets_dir

    candidates = [assets_dir() / "zones" / name]
    if base_dir is not None:
        candidates.insert(0, base_dir / name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise r.fail(path, "a zone file in assets/zones or beside the scenario", name)


def _with_defaults(origin: str, text: str) -> str:
    # A zone needs an SOA and NS at its apex; a scenario that lists only the
    # records it teaches gets sensible ones.
    header = [f"$ORIGIN {origin}.", "$TTL 3600"]
    body = text.strip()
    upper = body.upper()
    if " SOA " not in f" {upper} ".replace("\t", " "):
        header.append(f"@ IN SOA ns1.{origin}. hostmaster.{origin}. 2026112801 7200 3600 1209600 300")
    if " NS " not in f" {upper} ".replace("\t", " "):
        header.append(f"@ IN NS ns1.{origin}.")
    return "\n".join(header) + "\n" + body + "\n"
