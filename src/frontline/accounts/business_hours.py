"""A workspace's business hours: when the team answers, in the workspace's time zone.

Stored on the workspace as {"mon": [["09:00", "17:00"]], ...}; a day that is missing or
empty is closed. SLA clocks and the chat's offline mode read the same data.
"""

import re
import zoneinfo
from datetime import datetime, time

from frontline.lib.errors import invalid

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def _time(value: str, day: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise invalid(f"business_hours.{day}", f"{value!r} is not a time like 09:00")
    return time(int(match[1]), int(match[2]))


def clean(hours) -> dict[str, list[list[str]]]:
    """Validated hours: known days, "HH:MM" ranges that start before they end, in order
    and not overlapping. Raises ServiceError with the day at fault."""
    if not isinstance(hours, dict):
        raise invalid("business_hours", "must map days (mon…sun) to lists of [start, end]")
    cleaned = {}
    for day, ranges in hours.items():
        if day not in DAYS:
            raise invalid("business_hours", f"{day!r} is not one of {', '.join(DAYS)}")
        if not isinstance(ranges, list):
            raise invalid(f"business_hours.{day}", "must be a list of [start, end]")
        parsed = []
        for pair in ranges:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise invalid(f"business_hours.{day}", "each range is [start, end]")
            start, end = _time(pair[0], day), _time(pair[1], day)
            if start >= end:
                raise invalid(f"business_hours.{day}", "a range must start before it ends")
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in zip(parsed, parsed[1:], strict=False):
            if start < end:
                raise invalid(f"business_hours.{day}", "ranges must not overlap")
        if parsed:
            cleaned[day] = [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in parsed]
    return cleaned


def from_text(texts: dict[str, str]) -> dict[str, list[list[str]]]:
    """Hours typed per day as "09:00-12:00, 13:00-17:00" (empty: closed), validated."""
    hours = {}
    for day, text in texts.items():
        ranges = []
        for part in filter(None, (p.strip() for p in (text or "").split(","))):
            pieces = re.split(r"\s*[-–]\s*", part)
            if len(pieces) != 2:
                raise invalid(f"business_hours.{day}", f"{part!r} is not a range like 09:00-17:00")
            ranges.append(pieces)
        hours[day] = ranges
    return clean(hours)


def as_text(hours: dict) -> dict[str, str]:
    """The form's text per day, the inverse of from_text."""
    return {day: ", ".join(f"{s}-{e}" for s, e in hours.get(day, [])) for day in DAYS}


def is_open(hours: dict, time_zone: str, at: datetime) -> bool:
    """Whether `at` (aware) falls in the business hours. No hours set: always open."""
    if not hours:
        return True
    local = at.astimezone(zoneinfo.ZoneInfo(time_zone))
    now = local.time().replace(second=0, microsecond=0)
    return any(
        time.fromisoformat(start) <= now < time.fromisoformat(end)
        for start, end in hours.get(DAYS[local.weekday()], [])
    )


def summary(hours: dict) -> list[str]:
    """Human lines such as "Mon–Fri 09:00–17:00", "Sat 10:00–14:00", days with the same
    hours run together."""
    lines: list[str] = []
    run: list[str] = []
    for day in (*DAYS, None):
        if run and (day is None or hours.get(day) != hours.get(run[0])):
            if hours.get(run[0]):
                days = DAY_NAMES[run[0]] + (f"–{DAY_NAMES[run[-1]]}" if len(run) > 1 else "")
                spans = ", ".join(f"{s}–{e}" for s, e in hours[run[0]])
                lines.append(f"{days} {spans}")
            run = []
        if day is not None:
            run.append(day)
    return lines
