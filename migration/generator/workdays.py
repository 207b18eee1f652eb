"""Chinese working days (holidays and make-up working days) from the chinesecalendar package."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import numpy as np

FIRST, LAST = date(2019, 1, 1), date(2026, 12, 31)  # the package knows years up to 2026


@lru_cache(maxsize=1)
def workdays() -> np.ndarray:
    """All working days FIRST..LAST, then plain Monday-Friday for a year beyond the package."""
    days = [d for d in chinese_calendar.get_workdays(FIRST, LAST)]
    d = LAST + timedelta(days=1)
    while d.year <= LAST.year + 1:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return np.array(days, dtype="datetime64[D]")


def add_workdays(when: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The date (as datetime64[s] midnight) k working days after each moment's day."""
    wd = workdays()
    day = when.astype("datetime64[D]")
    pos = np.searchsorted(wd, day, side="right") - 1  # last working day on or before
    out = wd[np.clip(pos + np.asarray(k), 0, len(wd) - 1)]
    return out.astype("datetime64[s]")


def is_workday(day: np.ndarray) -> np.ndarray:
    wd = workdays()
    d = day.astype("datetime64[D]")
    pos = np.clip(np.searchsorted(wd, d), 0, len(wd) - 1)
    return wd[pos] == d
