"""Dates and review intervals.

Front matter dates load as ``datetime.date`` with PyYAML, but a quoted date is
a string: :func:`as_date` accepts both so rules compare dates as dates.
Intervals are written ``30d``, ``2w``, ``6m`` or ``1y``; months are calendar
months (2026-08-31 + 6m = 2027-02-28), via dateutil's relativedelta.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from qa_tool.errors import DateOutOfRange, UsageError

# English month names and their usual abbreviations, lowercase, to numbers ("sept" -> 9).
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}

_INTERVAL = re.compile(r"^\s*(\d{1,4})\s*([dwmy])\s*$", re.IGNORECASE)
MAX_INTERVAL_YEARS = 100
"""The longest interval accepted (an option or a setting): a review policy, not a calendar."""


@dataclass(frozen=True, order=True)
class Interval:
    """A length of time in days or calendar months, e.g. ``Interval(6, "m")``."""

    count: int
    unit: str  # "d", "w", "m" or "y"

    @property
    def approx_days(self) -> float:
        return self.count * {"d": 1, "w": 7, "m": 30.44, "y": 365.25}[self.unit]

    def after(self, start: dt.date) -> dt.date:
        """``start`` plus this interval; :class:`DateOutOfRange` past the year 9999."""
        try:
            if self.unit == "d":
                return start + dt.timedelta(days=self.count)
            if self.unit == "w":
                return start + dt.timedelta(weeks=self.count)
            from dateutil.relativedelta import relativedelta

            months = self.count * (12 if self.unit == "y" else 1)
            return start + relativedelta(months=months)
        except (OverflowError, ValueError):
            raise DateOutOfRange(f"{start} plus {self} is past the year 9999") from None

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


def parse_interval(text: str) -> Interval:
    """``"30d"`` -> ``Interval(30, "d")``; UsageError on anything else."""
    match = _INTERVAL.match(text)
    if not match or int(match.group(1)) == 0:
        raise UsageError(f"{text!r} is not an interval; write e.g. 30d, 2w, 6m or 1y")
    interval = Interval(int(match.group(1)), match.group(2).lower())
    if interval.approx_days > MAX_INTERVAL_YEARS * 365.25:
        raise UsageError(f"{text!r} is longer than {MAX_INTERVAL_YEARS} years")
    return interval


def parse_iso_date(text: str, what: str = "date") -> dt.date:
    """A date given on the command line, as YYYY-MM-DD; UsageError otherwise."""
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else _bad(text, what)
    except ValueError:
        return _bad(text, what)


def _bad(text: str, what: str) -> dt.date:
    raise UsageError(f"{what} {text!r} is not a date; write YYYY-MM-DD")


def as_date(value: object) -> dt.date | None:
    """A front-matter value as a date, or None when it is absent or not a valid date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None
