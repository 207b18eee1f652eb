"""Cases and oracles for the code, place and calendar macros (see cleaning_oracles)."""

from __future__ import annotations

import datetime as dt
import random
import re

import chinese_calendar
import coordTransform
from cleaning_oracles import (
    AREAS,
    BLANKS,
    HALFWIDTH,
    _fullwidth_some,
    _nfkc_compact,
    _sprinkle_blanks,
)
from stdnum.cn import uscc


# ---------------------------------------------------------------- coordinates (coordTransform)
def coord_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    """(lng, lat) as written, plus the WGS-84 truth the SQL must recover."""
    out: list[tuple[str | None, ...]] = [
        ("0", "0", None, None),
        (None, "21.27", None, None),
        ("21.27", "110.35", None, None),
        ("abc", "21.2", None, None),
        ("200", "21.2", None, None),
    ]
    for i in range(200):
        if i % 2:
            wgs = (rng.uniform(109.6, 110.9), rng.uniform(20.2, 21.9))  # the city
        else:
            wgs = (rng.uniform(74, 134), rng.uniform(18, 53))
        out.append((repr(wgs[0]), repr(wgs[1]), repr(wgs[0]), repr(wgs[1])))
    return out


def coord_expected(lng: str | None, lat: str | None, wl: str | None, wa: str | None) -> dict:
    def num(s: str | None) -> float | None:
        try:
            return float(s) if s is not None else None
        except ValueError:
            return None

    x, y = num(lng), num(lat)
    in_box = x is not None and y is not None and 73 <= x <= 136 and 3 <= y <= 54
    swapped = x is not None and y is not None and 73 <= y <= 136 and 3 <= x <= 54
    truth = (float(wl), float(wa)) if wl is not None and wa is not None else None
    return {"valid": in_box, "swapped": swapped, "truth": truth}


def coord_inputs(case: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """Rows hold the GCJ-02 and BD-09 renderings of the WGS-84 truth (or the raw dirt)."""
    lng, lat, wl, wa = case
    if wl is None or wa is None:
        return (lng, lat, lng, lat, wl, wa)
    g = coordTransform.wgs84_to_gcj02(float(wl), float(wa))
    b = coordTransform.wgs84_to_bd09(float(wl), float(wa))
    return (repr(g[0]), repr(g[1]), repr(b[0]), repr(b[1]), wl, wa)


# ---------------------------------------------------------------- credit code (stdnum.cn.uscc)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[str | None] = [None, "", "  ", "9144080", "91440800MA4UJ0X05", "9144O8OOMA4UJOXO5Q"]
    for _ in range(200):
        body = rng.choice("159Y") + rng.choice("123") + rng.choice(AREAS)
        body += "".join(rng.choices(USCC_ALPHABET, k=9))
        code = body + uscc.calc_check_digit(body)
        kind = rng.randrange(7)
        if kind == 0:
            out.append(code.lower())
        elif kind == 1:
            out.append(_sprinkle_blanks(rng, code[:6] + "-" + code[6:]))
        elif kind == 2:
            out.append(_fullwidth_some(rng, code))
        elif kind == 3:
            out.append(code[:17] + rng.choice([c for c in USCC_ALPHABET if c != code[17]]))
        elif kind == 4:
            pos = rng.randrange(8, 17)
            out.append(code[:pos] + rng.choice("IOSVZ") + code[pos + 1 :])
        elif kind == 5:
            out.append(code[:3] + "A" + code[4:])
        else:
            out.append(code)
    return [(x,) for x in out]


def credit_expected(raw: str | None) -> dict[str, object]:
    c = _nfkc_compact(raw).replace("-", "").upper() if raw is not None else ""
    cleaned = c if re.fullmatch(r"[0-9A-HJ-NP-RTUW-Y]{18}", c) else None
    if not c:
        reason = "credit_code_missing"
    elif cleaned is None or not c[2:8].isdigit():
        reason = "credit_code_bad_format"
    elif uscc.calc_check_digit(c) != c[17]:
        reason = "credit_code_bad_check_char"
    else:
        reason = None
    if c[:8].isdigit() and cleaned is not None:
        # stdnum's own verdict, where it applies (it wants 8 leading digits: no 'Y' codes)
        assert uscc.is_valid(c) == (reason is None), c
    return {"cleaned": cleaned, "ok": reason is None, "reason": reason}


# ---------------------------------------------------------------- names and division codes
NAME_PARTS = ["湛江市", "赤坎区", "霞山区", "颐康", "养老院", "社区照料中心", "(分院)", "（东区）"]
NAME_PARTS += ["AB", "12号", "长者食堂"]


def org_name_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[str | None] = [None, "", "　", " 湛江市（赤坎区）养老院 ", "湛江市　 养老 院(分院)"]
    for _ in range(120):
        parts = rng.sample(NAME_PARTS, rng.randrange(2, 5))
        name = "".join(p + (rng.choice(BLANKS) if rng.random() < 0.3 else "") for p in parts)
        out.append(_fullwidth_some(rng, name) if rng.random() < 0.3 else name)
    return [(x,) for x in out]


def org_name_expected(raw: str | None) -> dict[str, object]:
    if raw is None:
        return {"name": None}
    s = raw.translate(HALFWIDTH)
    s = s.replace("(", "（").replace(")", "）")
    s = re.sub(r" ?([（）]) ?", r"\1", re.sub(r"\s+", " ", s)).strip()
    return {"name": s or None}


def area_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[str | None] = [None, "", "赤坎区", "44080", "4408021", "4408020010001", "440802 "]
    out += ["４４０８０２", "440802001", "440802000000", "440802001000", "4408020010"]
    for _ in range(40):
        code = rng.choice(AREAS) + f"{rng.randrange(1, 20):03d}" + f"{rng.randrange(1, 300):03d}"
        out.append(_sprinkle_blanks(rng, code[: rng.choice([6, 9, 12])]))
    return [(x,) for x in out]


def area_expected(raw: str | None) -> dict[str, object]:
    d = _nfkc_compact(raw) if raw is not None else ""
    digits = d if re.fullmatch(r"[0-9]{6}|[0-9]{9}|[0-9]{12}", d) else None
    town = digits[:9] if digits and len(digits) >= 9 and digits[6:9] != "000" else None
    return {"digits": digits, "county": digits[:6] if digits else None, "town": town}


# ---------------------------------------------------------------- working days (chinesecalendar)
CAL_FIRST, CAL_LAST = dt.date(2023, 1, 1), dt.date(2026, 12, 31)


def workday_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out = [
        ("2024-02-08 10:00:00", "2024-02-19 09:00:00"),  # Spring Festival 2024, 调休 Sun 2-18
        ("2024-02-02", "2024-02-05"),  # make-up Sunday 2024-02-04
        ("2025-09-26", "2025-10-11 12:00:00"),  # National Day 2025, 调休 9-28 and 10-11
        ("2025-09-30", "2025-10-09"),
        ("2024-02-19", "2024-02-08"),
        ("2022-12-30", "2023-01-05"),
        ("2026-12-30", "2027-01-04"),
        (None, "2024-01-01"),
    ]
    for _ in range(120):
        a = CAL_FIRST + dt.timedelta(days=rng.randrange((CAL_LAST - CAL_FIRST).days + 1))
        b = a + dt.timedelta(days=rng.randrange(-20, 60))
        out.append((f"{a} {rng.randrange(24):02d}:30:00", b.isoformat()))
    return out


def workday_expected(start: str | None, end: str | None) -> dict[str, object]:
    def day(s: str | None) -> dt.date | None:
        return dt.datetime.fromisoformat(s).date() if s else None

    a, b = day(start), day(end)
    is_wd = chinese_calendar.is_workday(a) if a and CAL_FIRST <= a <= CAL_LAST else None
    if a is None or b is None or not (CAL_FIRST <= a <= CAL_LAST and CAL_FIRST <= b <= CAL_LAST):
        return {"days": None, "is_workday": is_wd}
    lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
    n = sum(chinese_calendar.is_workday(lo + dt.timedelta(days=i)) for i in range(1, (hi - lo).days + 1))  # fmt: skip
    return {"days": sign * n, "is_workday": is_wd}
