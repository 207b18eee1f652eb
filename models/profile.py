"""老人画像 (seed 004 #23, #53): tags that say who an elder is at a glance, each with its rule and
the evidence for this elder, and segments from a clustering (docs/models.md, "Elder profile").

Pure functions over DataFrames read from the marts (``INPUTS``); ``pipelines/smart_models.py``
reads, calls ``compute`` and writes ``marts.elder_profile``. The as-of day is the data's 今天:
the last day of the latest month with work orders (the cockpit's 本月).

Tag rules (all on living elders of ``dim_elder``):

- 高龄: 80 or older on the as-of day.  独居 / 空巢: the living type says so.
- 轻度失能 … 完全失能: the ability level (code 1-4), when not 能力完好.  兜底对象: 特困 or 低保.
- 高血压风险 / 高血糖风险 / 心率异常: in the 30 days ending on the elder's last day with that
  reading, at least 3 days whose daily mean is SBP ≥ 140 or DBP ≥ 90 / glucose ≥ 7.0 mmol/L /
  heart rate > 100 or < 50 (``HEALTH_RULES``).
- 频繁报警: at least 3 alarms in the 90 days up to the as-of day.  家庭床位: a bed in state 建床.
- 服务活跃 / 服务沉默: entitled to the home-service subsidy (seeds/subsidy_standards.csv by
  economic type and ability; not living in an institution) with / without a started work order
  in the 90 days up to the as-of day.
- 近期迁居: the elder's legacy rows name more than one town, the newest created in the 180 days
  up to the as-of day.

Segments: k-means over standardised features (``FEATURES``), k in 3..6 chosen by the best
silhouette on a fixed sample; numbered by size, named by the features whose centroid stands out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

SEED = 0
K_RANGE = range(3, 7)
FIT_SAMPLE = 50_000  # k-means is fitted on at most this many elders, then predicts all
SILHOUETTE_SAMPLE = 4_000
WINDOW_DAYS = 30
MIN_DAYS = 3
ABILITY = ("能力完好", "轻度失能", "中度失能", "重度失能", "完全失能")
SUBSIDY_CSV = Path(__file__).resolve().parents[1] / "seeds" / "subsidy_standards.csv"

# item -> (label, rule text, predicate on the daily mean)
HEALTH_RULES = {
    "高血压风险": (("SBP", "DBP"), "收缩压≥140或舒张压≥90"),
    "高血糖风险": (("GLU",), "血糖≥7.0mmol/L"),
    "心率异常": (("HR",), "心率>100或<50次/分"),
}

AS_OF = (
    "select cast(max(order_month) + interval '1 month' - interval '1 day' as date)"
    " from marts.fct_work_order"
)
INPUTS = {
    "as_of": (AS_OF, ("as_of",)),
    "elders": (
        "select elder_code, county_code, town_code, birth_date, economic_type_code,"
        " ability_level_code, ability_level, living_type from marts.dim_elder"
        " where is_live and not is_deceased",
        ("elder_code", "county_code", "town_code", "birth_date", "economic_type_code",
         "ability_level_code", "ability_level", "living_type"),
    ),
    # the health rules, in SQL (30 M readings at city scale stay in the warehouse)
    "health": (
        "with daily as (select elder_code, measure_date, case when item_code in ('SBP', 'DBP')"
        " then '高血压风险' when item_code = 'GLU' then '高血糖风险' else '心率异常' end as tag,"
        " max(case when (item_code = 'SBP' and avg_value >= 140)"
        " or (item_code = 'DBP' and avg_value >= 90) or (item_code = 'GLU' and avg_value >= 7.0)"
        " or (item_code = 'HR' and (avg_value > 100 or avg_value < 50)) then 1 else 0 end) as flag"
        " from marts.fct_health_daily where item_code in ('SBP', 'DBP', 'GLU', 'HR')"
        " group by 1, 2, 3),"
        " last_day as (select elder_code, tag, max(measure_date) as last_day from daily"
        " group by 1, 2)"
        " select d.elder_code, d.tag, cast(count(*) as bigint), cast(sum(d.flag) as bigint),"
        " l.last_day from daily d join last_day l on l.elder_code = d.elder_code"
        " and l.tag = d.tag where d.measure_date > l.last_day - interval '30 days'"
        " group by d.elder_code, d.tag, l.last_day having sum(d.flag) >= 3",
        ("elder_code", "tag", "measured", "flagged", "last_day"),
    ),
    "alarms": (
        f"select elder_code, count(*) from marts.fct_alarm where alarm_date <= ({AS_OF})"
        f" and alarm_date > ({AS_OF}) - interval '90 days' group by 1",
        ("elder_code", "alarms_90d"),
    ),
    "orders": (
        f"select elder_code, count(*) from marts.fct_work_order where start_time is not null"
        f" and cast(start_time as date) <= ({AS_OF})"
        f" and cast(start_time as date) > ({AS_OF}) - interval '90 days' group by 1",
        ("elder_code", "orders_90d"),
    ),
    "beds": (
        "select distinct elder_code from marts.fct_family_bed_state"
        " where is_current and state = '建床'",
        ("elder_code",),
    ),
    "residents": (
        "select distinct elder_code from marts.fct_residency where is_current",
        ("elder_code",),
    ),
    "moves": (
        "select r.elder_code, count(distinct s.town_code), max(s.create_time)"
        " from staging.stg_legacy__yl_elder s"
        " join intermediate.int_elder_resolved r on r.elder_id = s.elder_id"
        " where not s.is_deleted group by r.elder_code",
        ("elder_code", "towns", "newest_row"),
    ),
}  # fmt: skip

FEATURES = {  # column -> what a high centroid means, in the segment's name
    "age": "高龄",
    "ability": "失能",
    "hardship": "兜底",
    "alone": "独居",
    "health_risks": "慢病风险",
    "alarms_90d": "报警多",
    "orders_90d": "服务多",
    "family_bed": "家床",
}

TABLE = (
    "elder_code text not null, county_code text, town_code text, tags text, tag_count integer"
    " not null, segment integer not null, segment_label text not null, explanation text,"
    " as_of_date date not null"
)


@dataclass
class Profile:
    table: pd.DataFrame
    k: int
    silhouettes: dict[int, float]
    centroids: pd.DataFrame  # per segment, standardised feature means


def subsidy_standards() -> pd.DataFrame:
    s = pd.read_csv(SUBSIDY_CSV, dtype={"economic_type": str, "ability_level": str})
    return s.rename(
        columns={"economic_type": "economic_type_code", "ability_level": "ability_level_code"}
    )


def entitled_home(elders: pd.DataFrame) -> pd.Series:
    """The monthly home-service subsidy standard of each elder (0: not entitled)."""
    s = subsidy_standards()
    keys = elders[["economic_type_code", "ability_level_code"]].astype(str)
    merged = keys.merge(s, how="left", on=["economic_type_code", "ability_level_code"])
    return pd.Series(merged["home_service_monthly"].fillna(0).to_numpy(), index=elders.index)


def health_tags(health: pd.DataFrame) -> pd.DataFrame:
    """(elder_code, tag, evidence) from the health rule's rows (``INPUTS["health"]``: at least
    MIN_DAYS flagged days in the 30 ending on the elder's last day with that kind of reading)."""
    rules = {tag: rule for tag, (_, rule) in HEALTH_RULES.items()}
    rows = []
    for code, tag, measured, flagged, last in health.itertuples(index=False):
        last = pd.Timestamp(last)
        start = last - pd.Timedelta(days=WINDOW_DAYS - 1)
        rows.append((code, tag, f"{start:%Y-%m-%d}至{last:%Y-%m-%d}测量{measured}天，"
                     f"{flagged}天{rules[tag]}"))  # fmt: skip
    return pd.DataFrame(rows, columns=["elder_code", "tag", "evidence"])


def compute(frames: dict[str, pd.DataFrame]) -> Profile:
    with threadpool_limits(limits=1):  # see models/expiry.py: OpenMP on a busy machine
        return _compute(frames)


def _compute(frames: dict[str, pd.DataFrame]) -> Profile:
    as_of = pd.Timestamp(frames["as_of"].iloc[0, 0])
    # in code order: the segments' samples are drawn by row position, and a warehouse returns
    # rows in no fixed order (DuckDB and PostgreSQL gave k = 4 and k = 3 on the same data)
    e = frames["elders"].sort_values("elder_code").reset_index(drop=True)
    code = e["elder_code"]
    birth = pd.to_datetime(e["birth_date"])
    age = as_of.year - birth.dt.year - ((birth.dt.month * 100 + birth.dt.day)
                                          > as_of.month * 100 + as_of.day).astype(int)  # fmt: skip
    ability = pd.to_numeric(e["ability_level_code"], errors="coerce").fillna(0)
    alarms_90d = code.map(frames["alarms"].set_index("elder_code")["alarms_90d"]).fillna(0)
    orders_90d = code.map(frames["orders"].set_index("elder_code")["orders_90d"]).fillna(0)
    alarms_90d, orders_90d = alarms_90d.astype(int), orders_90d.astype(int)
    bed = code.isin(frames["beds"]["elder_code"])
    resident = code.isin(frames["residents"]["elder_code"])
    standard = entitled_home(e)
    entitled = (standard > 0) & ~resident
    moves = frames["moves"].set_index("elder_code")
    newest = pd.to_datetime(code.map(moves["newest_row"]))
    moved = (code.map(moves["towns"]).fillna(1) > 1) & (newest > as_of - pd.Timedelta(days=180))

    tags: list[tuple[int, str, str]] = []  # (row, tag, evidence)

    def add(mask: pd.Series, tag: str, evidence) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            tags.append((i, tag, evidence(i) if callable(evidence) else evidence))

    add(age >= 80, "高龄", lambda i: f"{age[i]}岁")
    for living in ("独居", "空巢"):
        add(e["living_type"] == living, living, f"居住状况={living}")
    for level in range(1, 5):
        add(ability == level, ABILITY[level], f"能力等级={ABILITY[level]}")
    econ = e["economic_type_code"].astype(str)
    add(econ.isin(["1", "2"]), "兜底对象",
        lambda i: "经济状况=" + ("特困" if econ[i] == "1" else "低保"))  # fmt: skip
    health = health_tags(frames["health"])
    row_of = pd.Series(np.arange(len(e)), index=code)
    health = health[health["elder_code"].isin(row_of.index)]
    for c, tag, evidence in health.itertuples(index=False):
        tags.append((int(row_of[c]), tag, evidence))
    add(alarms_90d >= 3, "频繁报警", lambda i: f"近90天报警{alarms_90d[i]}次")
    add(bed, "家庭床位", "家庭养老床位在建")
    add(entitled & (orders_90d > 0), "服务活跃",
        lambda i: f"补贴标准{standard[i]:.0f}元/月，近90天服务{orders_90d[i]}次")  # fmt: skip
    add(entitled & (orders_90d == 0), "服务沉默",
        lambda i: f"补贴标准{standard[i]:.0f}元/月，近90天无服务")  # fmt: skip
    add(moved, "近期迁居", lambda i: f"{newest[i]:%Y-%m-%d}在新镇街登记")

    t = pd.DataFrame(tags, columns=["row", "tag", "evidence"]).sort_values(["row", "tag"])
    t["text"] = t["tag"] + "：" + t["evidence"]
    joined = t.groupby("row").agg(
        tags=("tag", ",".join), tag_count=("tag", "size"), explanation=("text", "；".join)
    )
    features = pd.DataFrame({
        "age": age.astype(float), "ability": ability.astype(float),
        "hardship": econ.isin(["1", "2"]).astype(float),
        "alone": (e["living_type"] == "独居").astype(float),
        "health_risks": code.map(health.groupby("elder_code").size()).fillna(0).astype(float),
        "alarms_90d": np.log1p(alarms_90d.astype(float)),
        "orders_90d": np.log1p(orders_90d.astype(float)),
        "family_bed": bed.astype(float),
    })  # fmt: skip
    segment, k, silhouettes, centroids = segments(features)
    table = pd.DataFrame({
        "elder_code": code, "county_code": e["county_code"], "town_code": e["town_code"],
        "tags": joined["tags"].reindex(range(len(e))).to_numpy(),
        "tag_count": joined["tag_count"].reindex(range(len(e))).fillna(0).astype(int).to_numpy(),
        "segment": segment,
        "explanation": joined["explanation"].reindex(range(len(e))).to_numpy(),
        "as_of_date": as_of.date(),
    })  # fmt: skip
    labels = segment_labels(centroids)
    table["segment_label"] = table["segment"].map(labels)
    centroids.insert(0, "segment_label", centroids.index.map(labels))
    return Profile(table, k, silhouettes, centroids)


def segments(features: pd.DataFrame) -> tuple[np.ndarray, int, dict[int, float], pd.DataFrame]:
    """Segment (1 = largest) of each row, the chosen k, silhouettes per k, standardised centroids."""
    rng = np.random.default_rng(SEED)
    n = len(features)
    fit_rows = np.sort(rng.choice(n, min(n, FIT_SAMPLE), replace=False))
    sil_rows = np.sort(
        rng.choice(len(fit_rows), min(len(fit_rows), SILHOUETTE_SAMPLE), replace=False)
    )
    scaler = StandardScaler().fit(features.iloc[fit_rows])
    x_fit = scaler.transform(features.iloc[fit_rows])
    silhouettes, models = {}, {}
    for k in K_RANGE:
        if k >= len(fit_rows):
            break
        km = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(x_fit)
        models[k] = km
        silhouettes[k] = round(
            float(silhouette_score(x_fit[sil_rows], km.labels_[sil_rows], random_state=SEED)), 4
        )
    k = max(silhouettes, key=lambda kk: (silhouettes[kk], -kk))
    pipe = make_pipeline(scaler, models[k])
    raw = pipe.predict(features)
    sizes = np.bincount(raw, minlength=k)
    order = sorted(range(k), key=lambda c: (-sizes[c], tuple(models[k].cluster_centers_[c])))
    renumber = {old: new + 1 for new, old in enumerate(order)}
    centroids = pd.DataFrame(models[k].cluster_centers_[order], columns=features.columns,
                             index=pd.Index(range(1, k + 1), name="segment")).round(3)  # fmt: skip
    centroids["elders"] = sizes[order]
    return np.vectorize(renumber.get)(raw), k, silhouettes, centroids


def segment_labels(centroids: pd.DataFrame, threshold: float = 0.5) -> dict[int, str]:
    """A name per segment: its (at most 3) features at least ``threshold`` standard deviations
    above the mean, strongest first; a segment without any is 一般长者 (the majority)."""
    labels: dict[int, str] = {}
    for seg, row in centroids[list(FEATURES)].iterrows():
        high = row[row >= threshold].sort_values(ascending=False).index[:3]
        label = "·".join(FEATURES[f] for f in high) or "一般长者"
        labels[seg] = label if label not in labels.values() else f"{label}({seg})"
    return labels
