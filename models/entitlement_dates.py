"""The date-bound entitlements of the service-expiry reminder (服务临过期提醒, seed 004 #25):
family-bed service agreements (家庭养老床位服务协议) and the ability re-assessments behind them
(能力复评). Unlike the monthly home-service subsidy (``models/expiry.py``), these do not lapse
through slow use: they end on a date unless someone renews them, so the reminder is a rule on
that date, not a learned likelihood (``lapse_probability`` is empty for them).

- **Agreement**: a bed in state 建床 (not revoked) of a living elder renews every
  ``months`` from its 建床 date; the current term ends the day before the next anniversary.
- **Re-assessment**: the bed's ability assessment is valid ``months`` from its date and every
  term after it (the platform records one assessment per bed: a re-assessment, once recorded
  as a new bed application, restarts the count).
- **Reminder**: on each day of the current month (up to the as-of day, as for the subsidy)
  whose term ends within ``remind_days``; whom to remind: the family (phone masked) and the
  bed's provider.

Terms live in ``seeds/reminder_rules.yml`` (the project's defaults; docs/models.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from models.expiry import mask_phone

RULES_FILE = Path(__file__).resolve().parents[1] / "seeds" / "reminder_rules.yml"

# with ``as_of`` and ``phones`` of ``expiry.INPUTS``, read once for both (``reminders``)
INPUTS = {
    "beds": (
        "select b.elder_code, b.county_code, b.town_code, b.org_code, b.assess_date,"
        " b.assess_level, b.build_date, cast(b.monthly_subsidy as double precision)"
        " from marts.fct_family_bed b join marts.dim_elder e on e.elder_code = b.elder_code"
        " where b.current_state = '建床' and b.revoke_date is null and b.build_date is not null"
        " and e.is_live and not e.is_deceased",
        ("elder_code", "county_code", "town_code", "org_code", "assess_date", "assess_level",
         "build_date", "monthly_subsidy"),
    ),
}  # fmt: skip


def rules(path: Path = RULES_FILE) -> dict:
    with path.open(encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    for key in ("family_bed_agreement", "ability_reassessment"):
        term = raw[key]
        if int(term["months"]) < 1 or int(term["remind_days"]) < 1:
            raise ValueError(f"{path.name}: {key}: months and remind_days must be positive")
    return raw


def term_end(start: pd.Series, months: int, day: pd.Timestamp) -> pd.Series:
    """The last day of the term (``months`` long, renewed from ``start``) running on ``day``."""
    start = pd.to_datetime(start)
    elapsed = (day.year - start.dt.year) * 12 + (day.month - start.dt.month)
    elapsed = elapsed - (day.day < start.dt.day).astype(int)  # not yet this month's anniversary
    terms = elapsed.clip(lower=0) // months + 1
    ends = [s + pd.DateOffset(months=int(k * months)) for s, k in zip(start, terms, strict=True)]
    return pd.Series(pd.to_datetime(ends), index=start.index) - pd.Timedelta(days=1)


def reminders(frames: dict[str, pd.DataFrame], terms: dict | None = None) -> pd.DataFrame:
    """Rows in the columns of ``expiry.TABLE``: each day of the current month up to the as-of
    day, each agreement or assessment whose term ends within its reminder window. ``frames``:
    ``beds`` of ``INPUTS`` with ``as_of`` and ``phones`` of ``expiry.INPUTS``."""
    terms = terms or rules()
    as_of = pd.Timestamp(frames["as_of"].iloc[0, 0])
    beds = frames["beds"]
    if beds.empty or pd.isna(as_of):
        return pd.DataFrame()
    phones = frames["phones"].drop_duplicates("elder_code", keep="last").set_index("elder_code")
    parts = []
    for key, start_col in (("family_bed_agreement", "build_date"),
                           ("ability_reassessment", "assess_date")):  # fmt: skip
        term = terms[key]
        b = beds[beds[start_col].notna()]
        for day in pd.date_range(as_of.replace(day=1), as_of):
            end = term_end(b[start_col], int(term["months"]), day)
            left = (end - day).dt.days
            due = b[(left >= 0) & (left <= int(term["remind_days"]))]
            if due.empty:
                continue
            e, d = end[due.index], left[due.index]
            parts.append(pd.DataFrame({
                "elder_code": due["elder_code"], "county_code": due["county_code"],
                "town_code": due["town_code"], "entitlement": term["label"],
                "period_start": (e + pd.Timedelta(days=1) - pd.DateOffset(
                    months=int(term["months"]))).dt.date,
                "period_end": e.dt.date, "as_of_date": day.date(), "days_left": d,
                "entitled_amount": due["monthly_subsidy"], "used_amount": np.nan,
                "remaining": np.nan, "lapse_probability": np.nan, "rule_flag": True,
                "reason": [_reason(key, x, y, z) for x, y, z in zip(
                    e, pd.to_datetime(due[start_col]), due["assess_level"], strict=True)],
                "family_phone_masked": due["elder_code"].map(phones["guardian_phone"])
                .map(mask_phone),
                "notify_org_code": due["org_code"],
            }))  # fmt: skip
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _reason(key: str, end: pd.Timestamp, start: pd.Timestamp, level: str | None) -> str:
    if key == "family_bed_agreement":
        return f"服务协议{end:%Y年%m月%d日}到期（{start:%Y年%m月%d日}建床），请联系家属和服务商续签"
    return (
        f"能力评估{end:%Y年%m月%d日}到期（{start:%Y年%m月%d日}评估为{level or '—'}），"
        "请安排复评，以免影响补贴"
    )
