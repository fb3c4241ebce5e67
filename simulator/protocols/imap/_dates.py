"""IMAP's dates (RFC 3501 §9 ``date``, ``date-time``), read and written without the locale.

``strptime``'s ``%b`` follows the locale, and IMAP's month names are
English whatever the server's language, so the names are spelt out here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

__all__ = ["format_date_time", "parse_date", "parse_date_time"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = {m.upper(): i for i, m in enumerate(MONTHS, 1)}
# date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
_DATE_TIME = re.compile(r"( ?\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\Z")
_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\Z")  # date-text, for SEARCH


def parse_date_time(text: str) -> datetime | None:
    """A ``date-time`` (INTERNALDATE, APPEND), or None if it is not one."""
    match = _DATE_TIME.match(text)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, zh, zm = match.groups()
    if month.upper() not in _MONTH:
        return None
    offset = timedelta(hours=int(zh), minutes=int(zm)) * (1 if sign == "+" else -1)
    try:
        return datetime(int(year), _MONTH[month.upper()], int(day), int(hour), int(minute), int(second),
                        tzinfo=timezone(offset))
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """A ``date`` (SEARCH BEFORE/ON/SINCE ...), or None if it is not one."""
    match = _DATE.match(text)
    if match is None or match.group(2).upper() not in _MONTH:
        return None
    try:
        return date(int(match.group(3)), _MONTH[match.group(2).upper()], int(match.group(1)))
    except ValueError:
        return None


def format_date_time(moment: datetime) -> str:
    """``28-Nov-2026 09:00:00 +0000`` (the server's INTERNALDATE form)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"{moment.day:02d}-{MONTHS[moment.month - 1]}-{moment.year:04d} {moment:%H:%M:%S} {zone}"
