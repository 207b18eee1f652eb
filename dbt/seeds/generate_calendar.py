"""Write cn_workday_calendar.csv: China's working days, with holidays and make-up days (调休).

Origin: the `chinesecalendar` package (PyPI, pinned in requirements.lock), which transcribes the
State Council's yearly holiday notices (国务院办公厅关于节假日安排的通知). Rerun after upgrading it
when a new year's notice is out, and commit the CSV:

    .venv/bin/python dbt/seeds/generate_calendar.py

Columns: calendar_date; is_workday (a working day, including make-up Saturdays/Sundays);
is_holiday (a statutory holiday or its bridging day off); is_makeup_workday (a weekend day
worked instead, 调休上班); holiday_name (English name from chinesecalendar, else empty);
workday_seq (working days from the first row up to and including this date), which turns
"working days in (a, b]" into workday_seq(b) - workday_seq(a).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import chinese_calendar

FIRST_YEAR = 2023
LAST_YEAR = 2026
OUT = Path(__file__).with_name("cn_workday_calendar.csv")


def rows(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> list[dict[str, object]]:
    day = dt.date(first_year, 1, 1)
    seq = 0
    out: list[dict[str, object]] = []
    while day <= dt.date(last_year, 12, 31):
        is_workday = chinese_calendar.is_workday(day)
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        seq += int(is_workday)
        out.append(
            {
                "calendar_date": day.isoformat(),
                "is_workday": str(is_workday).lower(),
                "is_holiday": str(bool(is_holiday and name)).lower(),
                "is_makeup_workday": str(is_workday and day.weekday() >= 5).lower(),
                "holiday_name": name or "",
                "workday_seq": seq,
            }
        )
        day += dt.timedelta(days=1)
    return out


def main() -> None:
    data = rows()
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print(f"{OUT}: {len(data)} days")


if __name__ == "__main__":
    main()
