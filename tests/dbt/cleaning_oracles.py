"""Cases and expected results for the SQL cleaning macros (dbt/macros/cleaning/).

Each group is one dbt model in the test project: rows of text inputs, the macro calls to run
on them, and the expected output of every call computed in Python, from a library where one
exists (python-stdnum for ID and credit codes, coordTransform for GCJ-02/BD-09,
chinesecalendar for working days: those are in cleaning_oracles_codes) and otherwise by construction (a random timestamp rendered
in a vendor format must parse back to itself). Random cases use fixed seeds.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

FULLWIDTH = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")  # fmt: skip
HALFWIDTH = {v: k for k, v in FULLWIDTH.items()}
BLANKS = [" ", "\u3000", "\u00a0", "  "]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Group:
    """One model: input columns, output name -> macro call, cases, and the oracle."""

    name: str
    inputs: list[str]
    calls: dict[str, str]
    cases: list[tuple[str | None, ...]]
    expected: Callable[..., dict[str, object]]


def _nfkc_compact(raw: str) -> str:
    return "".join(unicodedata.normalize("NFKC", raw).split())


def _sprinkle_blanks(rng: random.Random, s: str) -> str:
    pos = rng.randrange(len(s) + 1)
    return s[:pos] + rng.choice(BLANKS) + s[pos:]


def _fullwidth_some(rng: random.Random, s: str) -> str:
    return "".join(c.translate(FULLWIDTH) if rng.random() < 0.5 else c for c in s)


# ---------------------------------------------------------------- ID card (stdnum.cn.ric)
AREAS = ["440802", "440803", "440804", "440811", "440823", "440825", "440881", "110105", "310104"]


def _id17(rng: random.Random, first: dt.date, last: dt.date) -> str:
    birth = first + dt.timedelta(days=rng.randrange((last - first).days))
    return rng.choice(AREAS) + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"


def _with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def id_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[str | None] = [None, "", "   ", "abc", "11010519491231002", "1101051949123100211"]
    for _ in range(220):
        n = _with_check(_id17(rng, dt.date(1920, 1, 1), dt.date(2005, 12, 31)))
        kind = rng.randrange(10)
        if kind == 0:
            out.append(n.replace("X", "x"))
        elif kind == 1:
            out.append(_sprinkle_blanks(rng, _sprinkle_blanks(rng, n)))
        elif kind == 2:
            out.append(_fullwidth_some(rng, n))
        elif kind == 3 and n[6:8] == "19":
            out.append(rng.choice(["", " "]) + n[:6] + n[8:17])  # the 15-digit old number
        elif kind == 4:
            out.append(n[:17] + rng.choice([c for c in "0123456789X" if c != n[17]]))
        elif kind == 5:  # impossible date, right check digit
            bad = rng.choice(["1330", "0230", "0431", "0001", "1200"])
            out.append(_with_check(n[:10] + bad + n[14:17]))
        elif kind == 6:  # future or pre-1900 birth, right check digit
            out.append(_with_check(n[:6] + rng.choice(["2031", "1899"]) + n[10:17]))
        elif kind == 7:
            cut = rng.randrange(18)
            out.append(n[:cut] + n[cut + 1 :])
        elif kind == 8:
            pos = rng.randrange(1, 16)
            out.append(n[:pos] + "A" + n[pos + 1 :])
        else:
            out.append(n)
    return [(x,) for x in out]


def id_expected(raw: str | None) -> dict[str, object]:
    compact = _nfkc_compact(raw).upper() if raw is not None else ""
    cleaned = None
    if re.fullmatch(r"[0-9]{17}[0-9X]", compact):
        cleaned = compact
    elif re.fullmatch(r"[0-9]{15}", compact):
        cleaned = _with_check(compact[:6] + "19" + compact[6:])
    try:
        birth = ric.get_birth_date(cleaned) if cleaned else None
    except ValidationError:
        birth = None
    if not compact:
        reason = "id_card_missing"
    elif cleaned is None:
        reason = "id_card_bad_length"  # wrong length or characters
    elif birth is None or not dt.date(1900, 1, 1) <= birth <= dt.date.today():
        reason = "id_card_bad_birth_date"
    elif ric.calc_check_digit(cleaned) != cleaned[17]:
        reason = "id_card_bad_check_digit"
    else:
        reason = None
    return {
        "cleaned": cleaned,
        "reason": reason,
        "check_ok": reason is None,
        "birth_date": birth,
        "sex": None if cleaned is None else ("男" if int(cleaned[16]) % 2 else "女"),
        "valid": cleaned if reason is None else None,
    }


# ---------------------------------------------------------------- phone (reference rules)
def phone_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[str | None] = [None, "", "abc", "123", "12345678901", "0759-1234567", "138123456789"]
    out += ["0759-23456789012", "+86 759 2345678", "(0759)2345678", "020-87654321", "010 62345678"]
    for _ in range(150):
        mobile = "1" + rng.choice("3456789") + "".join(rng.choices("0123456789", k=9))
        land = rng.choice("23456789") + "".join(rng.choices("0123456789", k=rng.choice([6, 7])))
        out.append(
            rng.choice(
                [
                    mobile,
                    f"+86 {mobile}",
                    f"0086{mobile}",
                    f"86{mobile}",
                    f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
                    _fullwidth_some(rng, mobile),
                    _sprinkle_blanks(rng, mobile),
                    f"0759-{land}",
                    f"（0759）{land}",
                    f"0759 {land}",
                    land,
                    f"+86-759-{land}",
                    f"0668-{land}",
                ]
            )
        )
    return [(x,) for x in out]


def phone_expected(raw: str | None) -> dict[str, object]:
    phone = None
    if raw is not None:
        s = re.sub(r"[\s\-()（）—_.]+", "", unicodedata.normalize("NFKC", raw))
        if m := re.fullmatch(r"(?:\+|00)86([0-9]+)", s):
            s = m.group(1) if s.startswith(("+860", "00860", "+861", "00861")) else "0" + m.group(1)
        elif re.fullmatch(r"861[3-9][0-9]{9}", s):
            s = s[2:]
        if re.fullmatch(r"1[3-9][0-9]{9}", s):
            phone = s
        elif re.fullmatch(r"0(10|2[0-9])[2-9][0-9]{7}", s):
            phone = f"{s[:3]}-{s[3:]}"
        elif re.fullmatch(r"0[3-9][0-9]{2}[2-9][0-9]{6,7}", s):
            phone = f"{s[:4]}-{s[4:]}"
        elif re.fullmatch(r"[2-9][0-9]{6,7}", s):
            phone = f"0759-{s}"
    kind = None if phone is None else ("landline" if "-" in phone else "mobile")
    return {"phone": phone, "kind": kind}


# ---------------------------------------------------------------- timestamps (by construction)
TS_BAD = ["2023-02-29", "2024-13-01", "2024-04-31 10:00", "2024-01-01 24:00:00", "abc", "", " "]
TS_BAD += ["2024-1", "12345", "20241301", "1899-12-31", "2024-01-01 10:60", "2024/02/30", None]
# the canonical form takes a short way in parse_timestamp: impossible dates must fail there too
TS_BAD += [
    "2023-02-29 10:00:00",
    "2024-04-31 23:59:59",
    "1899-12-31 23:59:59",
    "2024-06-01 23:59:60",
]
TS_BAD += ["2023-06-31"]


def timestamp_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[tuple[str | None, ...]] = [(s, None) for s in TS_BAD]
    start = dt.datetime(2023, 1, 1)
    for _ in range(260):
        t = start + dt.timedelta(seconds=rng.randrange(int(1.2e8)))
        y, mo, d, h, mi = t.year, t.month, t.day, t.hour, t.minute
        utc = (t - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S")
        epoch = int(t.replace(tzinfo=SHANGHAI).timestamp())
        ms = rng.randrange(1000)
        variants = [
            (t.strftime("%Y-%m-%d %H:%M:%S"), t),
            (t.strftime("%Y/%m/%d %H:%M"), t.replace(second=0)),
            (f"{y}/{mo}/{d} {h}:{mi:02d}", t.replace(second=0)),
            (t.strftime("%Y-%m-%d"), t.replace(hour=0, minute=0, second=0)),
            (t.strftime("%Y%m%d"), t.replace(hour=0, minute=0, second=0)),
            (f"{y}年{mo}月{d}日", t.replace(hour=0, minute=0, second=0)),
            (t.strftime("%Y年%m月%d日 %H时%M分%S秒"), t),
            (t.strftime("%Y-%m-%dT%H:%M:%S"), t),
            (utc + "Z", t),
            (
                t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms:03d}+08:00",
                t.replace(microsecond=ms * 1000),
            ),
            (str(epoch * 1000 + ms), t.replace(microsecond=ms * 1000)),
            (str(epoch), t),
            (t.strftime("%Y%m%d%H%M%S"), t),
            (t.strftime(" %Y.%m.%d %H:%M:%S "), t),
            (_fullwidth_some(rng, t.strftime("%Y-%m-%d %H:%M:%S")), t),
        ]
        text, expected = rng.choice(variants)
        out.append((text, expected.isoformat()))
    return out


def timestamp_expected(raw: str | None, truth: str | None) -> dict[str, object]:
    t = dt.datetime.fromisoformat(truth) if truth else None
    return {"ts": t, "d": t.date() if t else None}


# ---------------------------------------------------------------- amounts and measurements
def amount_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[str | None] = [None, "", "abc", "1.2.3", "12元5角", "--1", "99999999999", "元"]
    for _ in range(150):
        v = Decimal(rng.randrange(10**9)) / Decimal(10 ** rng.choice([0, 1, 2, 3, 4]))
        out.append(
            rng.choice(
                [
                    str(v),
                    f"{v}元",
                    f"￥{v}",
                    f"¥ {v}",
                    f" {v} ",
                    f"{v:,}",
                    f"RMB{v:,}",
                    _fullwidth_some(rng, str(v)),
                    f"-{v}",
                ]
            )
        )
    return [(x,) for x in out]


def amount_expected(raw: str | None) -> dict[str, object]:
    value = None
    if raw is not None:
        s = re.sub(r"[\s,]+", "", unicodedata.normalize("NFKC", raw))  # NFKC: ￥ -> ¥
        s = re.sub(r"(元|圆)$", "", re.sub(r"^(¥|RMB|rmb)", "", s))
        if re.fullmatch(r"[+-]?([0-9]{1,10}(\.[0-9]*)?|\.[0-9]+)", s):
            value = Decimal(s).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"amount": value}


UNITS = ["mmHg", " mmHg", "mmol/L", " mmol/L", "%", "bpm", "次/分", "", " ", "mg/dL"]


def measurement_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out = [None, "", "abc", "120/80", "1.2.3", "-", ".5mmHg", "7.", "98 % ", "36.5℃"]
    for _ in range(120):
        v = round(rng.uniform(0, 400), rng.choice([0, 1, 2]))
        out.append(f"{v}{rng.choice(UNITS)}")
    return [(x,) for x in out]


def measurement_expected(raw: str | None) -> dict[str, object]:
    s = raw.strip() if raw is not None else ""
    m = re.fullmatch(r"([+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+))((?:[^0-9.][^0-9]*)?)", s)
    if not m:
        return {"value": None, "unit": None}
    return {"value": float(m.group(1)), "unit": m.group(2).strip() or None}


def glucose_cases(rng: random.Random) -> list[tuple[str | None, ...]]:
    out: list[tuple[str | None, ...]] = [
        (None, "mmol/L"),
        ("abc", None),
        ("5.5", "kg"),
        ("35", None),
    ]
    for _ in range(80):
        mmol = round(rng.uniform(2.5, 30), 1)
        mg = rng.randrange(40, 500)
        out.append(
            rng.choice(
                [
                    (str(mmol), "mmol/L"),
                    (str(mmol), None),
                    (str(mmol), ""),
                    (str(mg), "mg/dL"),
                    (str(mg), " MG/DL"),
                    (str(mg), None),
                    (str(mmol), "mg/dl"),
                ]
            )
        )
    return out


def glucose_expected(value: str | None, unit: str | None) -> dict[str, object]:
    try:
        v = float(value) if value is not None else None
    except ValueError:
        v = None
    u = "".join(unit.split()).lower() if unit is not None else ""
    if v is None:
        out = None
    elif u == "mg/dl":
        out = v / 18.0
    elif u == "mmol/l":
        out = v
    elif u == "":
        out = v / 18.0 if v > 35 else v
    else:
        out = None
    return {"mmol": out}
