"""Times as people in Taiwan read them: recorded times are UTC (ISO 8601) in files and the gradebook; pages show
them in Asia/Taipei (UTC+8, no daylight saving). The zone comes from :mod:`zoneinfo`, with the ``tzdata`` package
as its source where the system has no zone database."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["ZONE", "local_time", "utc_now"]

ZONE: Final = "Asia/Taipei"


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(ZONE)


def utc_now() -> str:
    """Now, in UTC, to the second, as recorded times are written."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def local_time(text: str) -> str:
    """An ISO-8601 time (UTC when it gives no offset) as ``YYYY-MM-DD HH:MM`` in Asia/Taipei; ``""`` for ``""``
    and the text itself when it is not a time (an old record may hold anything)."""
    if not text:
        return ""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(_zone()).strftime("%Y-%m-%d %H:%M")
