"""What the providers' daily statements share: the day's bounds in Beijing time and amounts
written in yuan ("528.00", "-100.00") read exactly into fen."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .exceptions import StatementUnavailable

BEIJING = ZoneInfo("Asia/Shanghai")  # every provider's statement day, whatever TIME_ZONE says
YUAN = re.compile(r"(-?)(\d{1,15})(?:\.(\d{1,2}))?")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of ``day`` in Beijing time."""
    start = datetime.combine(day, time.min, tzinfo=BEIJING)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=BEIJING)


def yuan_fen(text: str) -> int:
    """A statement's amount in fen, exact; ``StatementUnavailable`` if it is not an amount."""
    match = YUAN.fullmatch((text or "").strip())
    if match is None:
        raise StatementUnavailable(f"not an amount: {text!r}")
    fen = int(match[2]) * 100 + int((match[3] or "0").ljust(2, "0"))
    return -fen if match[1] else fen


def beijing_time(text: str) -> datetime | None:
    """A statement's "yyyy-MM-dd HH:mm:ss" (Beijing time) as an aware datetime; None if empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise StatementUnavailable(f"not a time: {text!r}") from exc
