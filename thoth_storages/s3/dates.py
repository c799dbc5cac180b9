"""Dated listings: the key prefixes that cover a range of days, and the check that an id falls in it.

Document ids carry their creation time after the type prefix: `adviser-220131050913-<hash>` was made
on 2022-01-31. A range of days is listed with as few prefixes as possible (whole years `adviser-22`,
whole months `adviser-2201`, single days `adviser-220131`); every listed id is then checked to have
six digits of a day inside the range, so ids without a timestamp never slip in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from .interface import DocumentStore

_DAY = timedelta(days=1)


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def day_range(start_date: date, end_date: date | None, include_end_date: bool) -> tuple[date, date] | None:
    """(first, last) day of a listing, both included; None when the range holds no day.

    Without `end_date` the range ends today (included); `end_date` itself is included only with
    `include_end_date`. An end before the start is a ValueError.
    """
    first = _as_date(start_date)
    if end_date is None:
        last = date.today()
    else:
        end = _as_date(end_date)
        if end < first:
            raise ValueError(f"end_date {end.isoformat()} is before start_date {first.isoformat()}")
        last = end if include_end_date else end - _DAY
    return (first, last) if last >= first else None


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def cover_stamps(first: date, last: date) -> Iterator[str]:
    """`%y`, `%y%m` or `%y%m%d` stamps whose prefixes cover exactly the days first..last."""
    current = first
    while current <= last:
        year_end = date(current.year, 12, 31)
        month_end = _next_month(current) - _DAY
        if current.month == 1 and current.day == 1 and year_end <= last:
            yield current.strftime("%y")
            current = year_end + _DAY
        elif current.day == 1 and month_end <= last:
            yield current.strftime("%y%m")
            current = month_end + _DAY
        else:
            yield current.strftime("%y%m%d")
            current += _DAY


def dated_keys(store: DocumentStore, id_prefix: str, first: date, last: date) -> Iterator[str]:
    """Keys `<id_prefix>-<yymmdd>...` of `store` whose day lies in first..last, in chronological order."""
    low, high = first.strftime("%y%m%d"), last.strftime("%y%m%d")
    start = len(id_prefix) + 1
    for stamp in cover_stamps(first, last):
        for key in store.get_document_listing(f"{id_prefix}-{stamp}"):
            day = key[start : start + 6]
            if len(day) == 6 and day.isdigit() and low <= day <= high:
                yield key
