"""服务临过期提醒 (seed 004 #25): which entitled elders are likely to let this month's home-service
subsidy lapse (use less than half of it), ranked early enough to remind the family and the
provider (docs/models.md, "Service-expiry reminder").

- **Entitlement**: the monthly home-service subsidy standard (seeds/subsidy_standards.csv by
  economic type and ability) of a living elder not in an institution, from the month after their
  first subsidised work order (the platform does not record when an entitlement started).
- **Lapse** (the label, from the warehouse): the month's subsidy used by non-cancelled orders
  planned in it stays under half the standard.
- **Snapshot**: a day of the month, ``days_left`` before its end; features use only orders
  planned up to that day: the share used so far and its pace, orders so far, days since the
  last service, the shares of the three previous months, the main provider's recent activity.
- **Model**: ``HistGradientBoostingClassifier`` trained on earlier months' snapshots, threshold
  set on the last training month for recall ≥ ``TARGET_RECALL``; beside it the plain rule
  "more than half still unused".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from models.profile import entitled_home

SEED = 0
TRAIN_DAYS_LEFT = (25, 20, 15, 10, 5, 2)
EVAL_DAYS_LEFT = (20, 10)
TEST_MONTHS = 3  # the last whole months are held out
TRAIN_MONTHS = 12  # whole months used (training and test): older ones add little, cost much
TARGET_RECALL = 0.99  # on the last training month: leaves room for the test's 0.95
MAX_TRAIN_ROWS = 400_000
ENTITLEMENT = "居家服务补贴"
FEATURES = [
    "days_left", "standard", "used_share", "pace", "orders_so_far", "days_since_service",
    "prev1_share", "prev2_share", "prev3_share", "prev_lapsed", "provider_orders_30d",
    "provider_trend",
]  # fmt: skip

INPUTS = {
    "as_of": (
        "select cast(max(order_month) + interval '1 month' - interval '1 day' as date)"
        " from marts.fct_work_order",
        ("as_of",),
    ),
    "elders": (
        "select e.elder_code, e.county_code, e.town_code, e.economic_type_code,"
        " e.ability_level_code, e.death_date,"
        " exists (select 1 from marts.fct_residency r where r.elder_code = e.elder_code"
        " and r.is_current) as resident"
        " from marts.dim_elder e where e.is_live",
        ("elder_code", "county_code", "town_code", "economic_type_code", "ability_level_code",
         "death_date", "resident"),
    ),
    "orders": (
        "select elder_code, org_code, cast(plan_time as date),"
        " cast(coalesce(subsidy_amount, 0) as double precision)"
        " from marts.fct_work_order where order_status <> '3' and elder_code is not null"
        " and plan_time is not null",
        ("elder_code", "org_code", "plan_date", "subsidy"),
    ),
    "phones": (
        "select r.elder_code, s.guardian_phone from staging.stg_legacy__yl_elder s"
        " join intermediate.int_elder_resolved r on r.elder_id = s.elder_id"
        " where not s.is_deleted and s.guardian_phone is not null"
        " order by r.elder_code, s.create_time",
        ("elder_code", "guardian_phone"),
    ),
}  # fmt: skip

# used/remaining/likelihood are empty for the date-bound entitlements (models/entitlement_dates.py)
TABLE = (
    "elder_code text not null, county_code text, town_code text, entitlement text not null,"
    " period_start date not null, period_end date not null, as_of_date date not null,"
    " days_left integer not null, entitled_amount double precision,"
    " used_amount double precision, remaining double precision,"
    " lapse_probability double precision, rule_flag boolean not null, reason text,"
    " family_phone_masked text, notify_org_code text"
)

EVALUATION_TABLE = (
    "method text not null, days_left integer not null, recall double precision not null,"
    " precision double precision not null, flagged bigint not null, lapsing bigint not null,"
    " threshold double precision, test_months text not null"
)


@dataclass
class Expiry:
    reminders: pd.DataFrame  # the current period, every day, entitlements at risk
    threshold: float
    metrics: dict  # held-out months: model and rule at EVAL_DAYS_LEFT
    test_rows: pd.DataFrame  # held-out snapshots with probability and label (for scoring)


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the first 3 and last 4 digits of a mobile, the last 4 of anything else."""
    if not phone:
        return None
    p = str(phone)
    return f"{p[:3]}****{p[-4:]}" if len(p) == 11 else f"****{p[-4:]}"


def _months(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Entitled elder-months with the month's final use: elder_code, month, standard, used."""
    as_of = pd.Timestamp(frames["as_of"].iloc[0, 0])
    e = frames["elders"].copy()
    e["standard"] = entitled_home(e).to_numpy()
    e = e[(e["standard"] > 0) & ~e["resident"].astype(bool)]
    o = frames["orders"]
    o = o.assign(month=pd.to_datetime(o["plan_date"]).dt.to_period("M"))
    subsidised = o[o["subsidy"] > 0]
    if subsidised.empty:
        return pd.DataFrame(columns=["elder_code", "county_code", "town_code", "month",
                                     "standard", "used"]), as_of  # fmt: skip
    # the entitlement starts with the elder's first subsidised order; an entitled elder who
    # never had one is counted from the platform's first subsidised month
    first = subsidised.groupby("elder_code")["month"].min()
    first = e["elder_code"].map(first).fillna(subsidised["month"].min())
    e = e.assign(first=first.to_numpy())
    last = pd.Period(as_of, "M").ordinal
    death = pd.to_datetime(e["death_date"]).dt.to_period("M")
    start = e["first"].map(lambda p: p.ordinal) + 1
    # whole months alive: up to the one before the death month; the living: the current one
    end = death.map(lambda p: p.ordinal - 1 if pd.notna(p) else last)
    e = e.assign(n=(end - start + 1).clip(lower=0).astype(int), start=start)
    rows = e.loc[e.index.repeat(e["n"])].copy()
    ordinal = rows["start"].to_numpy() + rows.groupby(level=0).cumcount().to_numpy()
    rows["month"] = pd.PeriodIndex.from_ordinals(ordinal, freq="M")
    used = o.groupby(["elder_code", "month"])["subsidy"].sum()
    key = pd.MultiIndex.from_arrays([rows["elder_code"], rows["month"]])
    rows["used"] = used.reindex(key).fillna(0.0).to_numpy()
    keep = ["elder_code", "county_code", "town_code", "month", "standard", "used"]
    return rows[keep].reset_index(drop=True), as_of


@dataclass
class _Orders:
    """The orders, prepared once: sorted by plan date, each elder's main provider (most orders:
    the one to remind), and per provider the cumulative orders per day (activity windows)."""

    o: pd.DataFrame
    main: pd.Series
    orgs: pd.Index
    day0: pd.Timestamp
    cum: np.ndarray  # (provider, day): orders planned up to and including that day


def _prepare(orders: pd.DataFrame) -> _Orders:
    o = orders.assign(plan_date=pd.to_datetime(orders["plan_date"]).astype("datetime64[us]"))
    o = o.assign(month=o["plan_date"].dt.to_period("M")).sort_values("plan_date", kind="stable")
    main = (o.groupby(["elder_code", "org_code"]).size().rename("n").reset_index()
            .sort_values(["elder_code", "n", "org_code"], ascending=[True, False, True])
            .drop_duplicates("elder_code").set_index("elder_code")["org_code"])  # fmt: skip
    orgs = pd.Index(o["org_code"].dropna().unique())
    day0 = o["plan_date"].min() if len(o) else pd.Timestamp("2000-01-01")
    days = int((o["plan_date"].max() - day0).days) + 1 if len(o) else 1
    cum = np.zeros((len(orgs), days))
    known = o["org_code"].notna().to_numpy()
    np.add.at(cum, (orgs.get_indexer(o["org_code"][known]),
                    (o["plan_date"][known] - day0).dt.days.to_numpy()), 1)  # fmt: skip
    return _Orders(o, main, orgs, day0, np.cumsum(cum, axis=1))


def _cum_at(p: _Orders, org_idx: np.ndarray, day: pd.Series) -> np.ndarray:
    """Cumulative orders of each provider up to each day (0 before the first, none unknown)."""
    j = (day - p.day0).dt.days.to_numpy()
    out = p.cum[np.clip(org_idx, 0, None), np.clip(j, 0, p.cum.shape[1] - 1)]
    return np.where((org_idx < 0) | (j < 0), 0.0, out)


def _snapshots(
    months: pd.DataFrame, p: _Orders, days_left: int, history: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Features of each elder-month on the day ``days_left`` before the month's end; previous
    months' use is looked up in ``history`` (default: ``months`` itself)."""
    m = months.copy()
    m["period_start"] = m["month"].dt.start_time
    m["period_end"] = m["month"].dt.end_time.dt.normalize()
    m["as_of_date"] = (m["period_end"] - pd.Timedelta(days=days_left)).astype("datetime64[us]")
    o = p.o
    # this month's use up to the snapshot day
    this = o[o["month"].isin(m["month"].unique())]
    this = this.merge(m[["elder_code", "month", "as_of_date"]], on=["elder_code", "month"])
    this = this[this["plan_date"] <= this["as_of_date"]]
    so_far = this.groupby(["elder_code", "month"]).agg(
        used_so_far=("subsidy", "sum"), orders_so_far=("subsidy", "size")
    )
    m = m.merge(so_far, how="left", left_on=["elder_code", "month"], right_index=True)
    m[["used_so_far", "orders_so_far"]] = m[["used_so_far", "orders_so_far"]].fillna(0)
    m["used_share"] = m["used_so_far"] / m["standard"]
    elapsed = (m["as_of_date"] - m["period_start"]).dt.days + 1
    m["pace"] = m["used_share"] / (elapsed / m["month"].dt.days_in_month)
    m["days_left"] = days_left
    # the last service before the snapshot (any month)
    last = pd.merge_asof(
        m[["as_of_date", "elder_code"]].reset_index().sort_values("as_of_date"),
        o[["plan_date", "elder_code"]],
        left_on="as_of_date", right_on="plan_date", by="elder_code",
    ).set_index("index")  # fmt: skip
    m["days_since_service"] = (
        (m["as_of_date"] - last["plan_date"].reindex(m.index)).dt.days.fillna(365).clip(upper=365)
    )
    # previous months' shares (-1: not entitled then)
    h = (months if history is None else history).set_index(["elder_code", "month"])
    share = h["used"] / h["standard"]
    lapsed = 0
    for k in (1, 2, 3):
        key = pd.MultiIndex.from_arrays([m["elder_code"], m["month"] - k])
        m[f"prev{k}_share"] = share.reindex(key).fillna(-1).to_numpy()
        lapsed = lapsed + ((m[f"prev{k}_share"] >= 0) & (m[f"prev{k}_share"] < 0.5))
    m["prev_lapsed"] = lapsed
    # the main provider's orders in the 30 days up to the snapshot and the 30 before (a
    # provider that stopped working leaves its elders' quotas unused)
    m["notify_org_code"] = m["elder_code"].map(p.main)
    org = p.orgs.get_indexer(m["notify_org_code"])
    day = m["as_of_date"]
    now, d30, d60 = (_cum_at(p, org, day - pd.Timedelta(days=k)) for k in (0, 30, 60))
    m["provider_orders_30d"] = now - d30
    m["provider_trend"] = (now - d30 + 1) / (d30 - d60 + 1)
    return m


def _scores(flag: np.ndarray, label: np.ndarray) -> dict:
    tp = int((flag & label).sum())
    return {
        "recall": round(tp / max(int(label.sum()), 1), 4),
        "precision": round(tp / max(int(flag.sum()), 1), 4),
        "flagged": int(flag.sum()),
        "lapsing": int(label.sum()),
    }


def compute(frames: dict[str, pd.DataFrame]) -> Expiry:
    # one thread: OpenMP's spinning threads crawl on a busy 2-core machine (about 50x slower)
    with threadpool_limits(limits=1):
        return _compute(frames)


def _compute(frames: dict[str, pd.DataFrame]) -> Expiry:
    months, as_of = _months(frames)
    orders = _prepare(frames["orders"])
    current = pd.Period(as_of, "M")
    # the last TRAIN_MONTHS whole months (and the 3 before them for the previous-month shares)
    whole = months[(months["month"] < current) & (months["month"] >= current - TRAIN_MONTHS)]
    test_from = current - TEST_MONTHS
    snaps = pd.concat(
        [_snapshots(whole, orders, d, months) for d in TRAIN_DAYS_LEFT], ignore_index=True
    )
    snaps["lapse"] = snaps["used"] < 0.5 * snaps["standard"]
    train = snaps[snaps["month"] < test_from]
    test = snaps[snaps["month"] >= test_from]
    valid_month = train["month"].max()
    fit_rows = train[train["month"] < valid_month]
    if len(fit_rows) > MAX_TRAIN_ROWS:
        fit_rows = fit_rows.sample(MAX_TRAIN_ROWS, random_state=SEED)
    model = make_pipeline(HistGradientBoostingClassifier(random_state=SEED, max_iter=150))
    model.fit(fit_rows[FEATURES], fit_rows["lapse"])
    valid = train[train["month"] == valid_month]
    threshold = _threshold(model.predict_proba(valid[FEATURES])[:, 1], valid["lapse"].to_numpy())
    test = test.assign(lapse_probability=model.predict_proba(test[FEATURES])[:, 1])
    metrics: dict = {"threshold": round(threshold, 4), "test_months": [
        str(p) for p in sorted(test["month"].unique())]}  # fmt: skip
    for d in EVAL_DAYS_LEFT:
        t = test[test["days_left"] == d]
        label = t["lapse"].to_numpy()
        metrics[f"model_{d}d"] = _scores(t["lapse_probability"].to_numpy() >= threshold, label)
        metrics[f"rule_{d}d"] = _scores(t["used_share"].to_numpy() < 0.5, label)
    # refit on every whole month for the current period's list
    every = (
        snaps if len(snaps) <= MAX_TRAIN_ROWS else snaps.sample(MAX_TRAIN_ROWS, random_state=SEED)
    )
    model.fit(every[FEATURES], every["lapse"])
    reminders = _current(frames, months, current, orders, model, threshold)
    return Expiry(reminders, threshold, metrics, test)


def _threshold(prob: np.ndarray, label: np.ndarray) -> float:
    """The highest threshold keeping recall ≥ TARGET_RECALL on these rows."""
    if not label.any():
        return 0.5
    positives = np.sort(prob[label])
    k = int(np.floor((1 - TARGET_RECALL) * len(positives)))
    return float(positives[k])


def _current(frames, history, current, orders: _Orders, model, threshold) -> pd.DataFrame:
    """The current period on each of its days up to the as-of day: entitlements at risk."""
    as_of = pd.Timestamp(frames["as_of"].iloc[0, 0])
    months = history[history["month"] == current]
    if months.empty:
        return pd.DataFrame(columns=[c.split()[0] for c in TABLE.split(", ")])
    end = months["month"].iloc[0].end_time.normalize()
    parts = []
    for day in pd.date_range(
        months["month"].iloc[0].start_time, min(as_of, end - pd.Timedelta(days=1))
    ):
        s = _snapshots(months, orders, int((end - day).days), history)
        s["lapse_probability"] = model.predict_proba(s[FEATURES])[:, 1]
        parts.append(s[(s["lapse_probability"] >= threshold) | (s["used_share"] < 0.5)])
    s = pd.concat(parts, ignore_index=True)
    phones = frames["phones"].drop_duplicates("elder_code", keep="last").set_index("elder_code")
    s["family_phone_masked"] = s["elder_code"].map(phones["guardian_phone"]).map(mask_phone)
    s["remaining"] = (s["standard"] - s["used_so_far"]).clip(lower=0)
    s["rule_flag"] = s["used_share"] < 0.5
    s = s[s["lapse_probability"] >= threshold].copy()
    s["reason"] = [
        f"本月已用{u:.0f}元/{q:.0f}元({u / q:.0%})，距上次服务{int(d)}天，上月使用"
        + ("—" if p < 0 else f"{p:.0%}")
        for u, q, d, p in zip(s["used_so_far"], s["standard"], s["days_since_service"],
                              s["prev1_share"], strict=True)
    ]  # fmt: skip
    out = s.rename(columns={"standard": "entitled_amount", "used_so_far": "used_amount"})
    out["entitlement"] = ENTITLEMENT
    out["period_end"] = out["period_end"].dt.date
    out["period_start"] = out["period_start"].dt.date
    out["as_of_date"] = out["as_of_date"].dt.date
    out["lapse_probability"] = out["lapse_probability"].round(4)
    cols = [c.split()[0] for c in TABLE.split(", ")]
    return out.sort_values(["as_of_date", "lapse_probability", "elder_code"],
                           ascending=[True, False, True])[cols].reset_index(drop=True)  # fmt: skip


def evaluation_table(metrics: dict) -> pd.DataFrame:
    """The held-out scores as rows: method (model/rule) × days left."""
    rows = []
    for d in EVAL_DAYS_LEFT:
        for method in ("model", "rule"):
            m = metrics[f"{method}_{d}d"]
            rows.append({"method": method, "days_left": d, **m,
                         "threshold": metrics["threshold"] if method == "model" else None,
                         "test_months": ",".join(metrics["test_months"])})  # fmt: skip
    return pd.DataFrame(rows)
