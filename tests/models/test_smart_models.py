"""智慧模型 (issue 13) on the tiny build: every profile tag against an independent SQL
computation, the health tags and the lapsing entitlements against the generator's truth, the
demand forecast's reconciliation and its back-test against a seasonal-naive recomputed here."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

from models import demand, entitlement_dates, expiry, profile
from pipelines.resources import WarehouseResource
from pipelines.smart_models import elder_profile, service_demand, service_expiry


@pytest.fixture(scope="module")
def published(built_duckdb_warehouse, tmp_path_factory):
    """A copy of the tiny warehouse with the three models materialised by Dagster."""
    path = tmp_path_factory.mktemp("smart") / "warehouse.duckdb"
    shutil.copy2(built_duckdb_warehouse, path)
    result = dg.materialize(
        [elder_profile, service_demand, service_expiry],
        resources={"warehouse": WarehouseResource(target=str(path))},
    )
    assert result.success
    metadata = {
        e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }
    con = duckdb.connect(str(path), read_only=True)
    yield con, metadata
    con.close()


def _df(con, sql: str, params=()) -> pd.DataFrame:
    return con.execute(sql, params).df()


@pytest.fixture(scope="module")
def tags(published) -> dict[str, set[str]]:
    con, _ = published
    p = _df(con, "select elder_code, tags from marts.elder_profile where tags is not null")
    out: dict[str, set[str]] = {}
    for code, text in p.itertuples(index=False):
        for tag in text.split(","):
            out.setdefault(tag, set()).add(code)
    return out


def _codes(con, sql: str, params=()) -> set[str]:
    return {r[0] for r in con.execute(sql, params).fetchall()}


LIVING = "from marts.dim_elder e where e.is_live and not e.is_deceased"
AS_OF = "(select max(order_month) + interval 1 month - interval 1 day from marts.fct_work_order)"


def test_demographic_tags_equal_sql(published, tags) -> None:
    con, _ = published
    expected = {
        "高龄": f"select elder_code {LIVING} and date_diff('year', birth_date, {AS_OF}::date)"
        f" - case when strftime(birth_date, '%m%d') > strftime({AS_OF}::date, '%m%d')"
        " then 1 else 0 end >= 80",
        "独居": f"select elder_code {LIVING} and living_type = '独居'",
        "空巢": f"select elder_code {LIVING} and living_type = '空巢'",
        "中度失能": f"select elder_code {LIVING} and ability_level_code = '2'",
        "完全失能": f"select elder_code {LIVING} and ability_level_code = '4'",
        "兜底对象": f"select elder_code {LIVING} and economic_type_code in ('1', '2')",
        "家庭床位": f"select e.elder_code {LIVING} and exists (select 1 from"
        " marts.fct_family_bed_state f where f.elder_code = e.elder_code and f.is_current"
        " and f.state = '建床')",
        "频繁报警": f"select e.elder_code {LIVING} and (select count(*) from marts.fct_alarm a"
        f" where a.elder_code = e.elder_code and a.alarm_date > {AS_OF}::date - 90"
        f" and a.alarm_date <= {AS_OF}::date) >= 3",
        "近期迁居": f"select e.elder_code {LIVING} and e.elder_code in (select r.elder_code"
        " from staging.stg_legacy__yl_elder s join intermediate.int_elder_resolved r"
        " on r.elder_id = s.elder_id where not s.is_deleted group by 1"
        f" having count(distinct s.town_code) > 1 and max(s.create_time) > {AS_OF} - interval 180 day)",
    }  # fmt: skip
    for tag, sql in expected.items():
        want = _codes(con, sql)
        assert tags.get(tag, set()) == want, tag
        assert want or tag in ("近期迁居", "频繁报警", "完全失能"), f"{tag}: none in tiny data"


def test_service_tags_equal_sql(published, tags) -> None:
    """Entitled (standard > 0, not in an institution) with/without a started order in 90 days."""
    con, _ = published
    standards = pd.read_csv(profile.SUBSIDY_CSV, dtype=str)
    con.register("std", standards)
    entitled = (
        f"select e.elder_code {LIVING} and exists (select 1 from std s where s.economic_type ="
        " e.economic_type_code and s.ability_level = e.ability_level_code and"
        " cast(s.home_service_monthly as int) > 0) and not exists (select 1 from"
        " marts.fct_residency r where r.elder_code = e.elder_code and r.is_current)"
    )
    served = _codes(
        con,
        "select elder_code from marts.fct_work_order where start_time is not null and"
        f" cast(start_time as date) > {AS_OF}::date - 90 and cast(start_time as date) <= {AS_OF}::date",
    )
    ent = _codes(con, entitled)
    assert ent
    assert tags.get("服务活跃", set()) == ent & served
    assert tags.get("服务沉默", set()) == ent - served


HEALTH_SQL = """
with daily as (
    select elder_code, measure_date,
        max(case when (item_code = 'SBP' and avg_value >= 140)
            or (item_code = 'DBP' and avg_value >= 90) then 1 else 0 end) as flag
    from marts.fct_health_daily where item_code in ({items}) group by 1, 2
),
windowed as (
    select d.elder_code, count(*) as measured, sum(flag) as flagged
    from daily d join (select elder_code, max(measure_date) as last from daily group by 1) l
        using (elder_code)
    where d.measure_date > l.last - 30 group by 1
)
select elder_code, measured, flagged from windowed
"""


def _health(con, tag: str) -> pd.DataFrame:
    items, flag = {
        "高血压风险": ("'SBP', 'DBP'", None),
        "高血糖风险": ("'GLU'", "avg_value >= 7.0"),
        "心率异常": ("'HR'", "avg_value > 100 or avg_value < 50"),
    }[tag]
    sql = HEALTH_SQL.format(items=items)
    if flag:
        sql = sql.replace(
            "max(case when (item_code = 'SBP' and avg_value >= 140)\n"
            "            or (item_code = 'DBP' and avg_value >= 90) then 1 else 0 end)",
            f"max(case when {flag} then 1 else 0 end)",
        )
    living = _codes(con, f"select elder_code {LIVING}")
    df = _df(con, sql)
    return df[df["elder_code"].isin(living)]


@pytest.mark.parametrize("tag", ["高血压风险", "高血糖风险", "心率异常"])
def test_health_tags_equal_sql(published, tags, tag) -> None:
    con, _ = published
    df = _health(con, tag)
    assert tags.get(tag, set()) == set(df.loc[df["flagged"] >= 3, "elder_code"])


@pytest.mark.parametrize(
    "tag,truth_column",
    [("高血压风险", "true_hypertension"), ("高血糖风险", "true_diabetes"),
     ("心率异常", "true_abnormal_heart_rate")],
)  # fmt: skip
def test_health_tags_match_generator_truth(published, tags, tiny_truth_dir, tag, truth_column):
    """Among elders with readings on ≥ 3 days of their last 30 (what the rule needs), the tag
    finds who has the condition: precision and recall ≥ 0.95 where the truth has it."""
    con, _ = published
    measured = _health(con, tag)
    measured = set(measured.loc[measured["measured"] >= 3, "elder_code"])
    truth = _df(
        con,
        f"select r.elder_code, bool_or(t.{truth_column}) as has from"
        f" read_parquet('{tiny_truth_dir / 'elders.parquet'}') t"
        " join intermediate.int_elder_resolved r on r.elder_id = t.elder_id group by 1",
    )
    has = set(truth.loc[truth["has"], "elder_code"]) & measured
    found = tags.get(tag, set()) & measured
    if has:
        assert len(found & has) / len(has) >= 0.95, (tag, len(found & has), len(has))
    if found:
        assert len(found & has) / len(found) >= 0.95, (tag, len(found & has), len(found))


def test_profile_is_stable_and_segments_named(published) -> None:
    con, meta = published
    frames = {
        name: pd.DataFrame(con.execute(sql).fetchall(), columns=list(cols))
        for name, (sql, cols) in profile.INPUTS.items()
    }
    first, second = profile.compute(frames), profile.compute(frames)
    pd.testing.assert_frame_equal(first.table, second.table)
    published_table = _df(con, "select * exclude (computed_at) from marts.elder_profile")
    assert sorted(published_table["segment"].unique()) == list(range(1, first.k + 1))
    assert first.k == max(first.silhouettes, key=first.silhouettes.get)
    assert published_table.groupby("segment")["segment_label"].nunique().eq(1).all()
    assert published_table["segment_label"].nunique() == first.k
    card = json.loads(Path(meta["elder_profile"]["artefact"]).read_text("utf-8"))
    assert len(card["data_hash"]) == 64 and card["k"] == first.k


def test_demand_forecast_reconciles(published) -> None:
    con, _ = published
    fc = _df(con, "select * from marts.demand_forecast")
    assert set(fc["horizon"]) == {1, 2, 3}
    assert (fc["lower"] <= fc["orders"]).all() and (fc["orders"] <= fc["upper"]).all()
    cc = fc[(fc["level"] == "county") & (fc["item_category"] != demand.ALL)]
    county = fc[(fc["level"] == "county") & (fc["item_category"] == demand.ALL)]
    town = fc[(fc["level"] == "town") & (fc["item_category"] != demand.ALL)]
    city = fc[fc["level"] == "city"].set_index("month")["orders"]
    by_county = cc.groupby(["county_code", "item_category", "month"])["orders"].sum()
    towns = town.groupby(["county_code", "item_category", "month"])["orders"].sum()
    # a series with no town in its last 6 months has no town rows
    pd.testing.assert_series_equal(
        towns, by_county.reindex(towns.index), check_names=False, atol=0.05
    )
    pd.testing.assert_series_equal(
        county.groupby("month")["orders"].sum(), city, check_names=False, atol=0.05
    )


def test_backtest_seasonal_naive_recomputed(published) -> None:
    """Seasonal naive at county × category: y(m - 12) against y(m), from fct_work_order here;
    the model beats it, and last month at city and county × category, with calibrated intervals."""
    con, meta = published
    bt = _df(con, "select * from marts.demand_backtest where horizon = 'all'")
    bt = bt.set_index(["level", "model"])
    first, last = bt["first_month"].iloc[0], bt["last_month"].iloc[0]
    y = _df(
        con,
        "select county_code, item_category, order_month as month, count(*) as n"
        " from marts.fct_work_order where order_status <> '3' and county_code is not null"
        " and item_category is not null and order_month is not null group by all",
    )
    y["month"] = pd.to_datetime(y["month"])
    series = y[["county_code", "item_category"]].drop_duplicates()
    months = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="MS")
    grid = series.merge(pd.DataFrame({"month": months}), how="cross")
    n = y.set_index(["county_code", "item_category", "month"])["n"]
    at = pd.MultiIndex.from_frame(grid)
    prev = pd.MultiIndex.from_arrays([grid["county_code"], grid["item_category"],
                                      grid["month"] - pd.DateOffset(years=1)])  # fmt: skip
    actual = n.reindex(at).fillna(0).to_numpy()
    naive = n.reindex(prev).fillna(0).to_numpy()
    # every target month is forecast from 1, 2 and 3 origins, except the first two
    weight = grid["month"].map({mo: min(i + 1, 3) for i, mo in enumerate(months)}).to_numpy()
    wape = (abs(naive - actual) * weight).sum() / (actual * weight).sum()
    got = bt.loc[("county_category", "seasonal_naive"), "wape"]
    assert got == pytest.approx(wape, rel=0.02)
    model = bt.loc[("county_category", "model"), "wape"]
    assert model <= 0.8 * got, "the model beats seasonal-naive WAPE by at least 20 %"
    assert meta["demand_backtest"]["wape_county_category_model"] == pytest.approx(model, abs=1e-3)
    for level in ("city", "county_category"):
        assert bt.loc[(level, "model"), "wape"] < bt.loc[(level, "naive"), "wape"], level
    # the 80 % interval covers 70-90 % of the back-test's county × category cells
    assert 0.7 <= bt.loc[("county_category", "model"), "coverage"] <= 0.9


def test_expiry_against_generator_truth(published, tiny_truth_dir) -> None:
    """At 10 days before the period's end, on the held-out months: recall of the truly lapsing
    entitlements ≥ 0.95 at precision ≥ 0.7, and the model's precision above the rule's."""
    con, _ = published
    frames = {
        name: pd.DataFrame(con.execute(sql).fetchall(), columns=list(cols))
        for name, (sql, cols) in expiry.INPUTS.items()
    }
    result = expiry.compute(frames)
    lapsing = _df(
        con,
        f"select r.elder_code, l.period_end from read_parquet('{tiny_truth_dir}/"
        "lapsing_entitlements.parquet') l join intermediate.int_elder_resolved r"
        " on r.elder_id = l.elder_id",
    )
    t = result.test_rows[result.test_rows["days_left"] == 10]
    ends = set(t["period_end"].dt.date)
    ends_truth = pd.to_datetime(lapsing["period_end"]).dt.date
    truth = {(c, d) for c, d in zip(lapsing["elder_code"], ends_truth, strict=True)
             if d in ends}  # fmt: skip
    assert truth
    keys = list(zip(t["elder_code"], t["period_end"].dt.date, strict=True))
    model = {k for k, p in zip(keys, t["lapse_probability"], strict=True) if p >= result.threshold}
    rule = {k for k, s in zip(keys, t["used_share"], strict=True) if s < 0.5}
    scores = {n: (len(f & truth) / len(truth), len(f & truth) / len(f))
              for n, f in (("model", model), ("rule", rule))}  # fmt: skip
    assert scores["model"][0] >= 0.95 and scores["model"][1] >= 0.7, scores
    assert scores["model"][1] >= scores["rule"][1], scores
    published_eval = _df(con, "select * from marts.expiry_evaluation")
    assert set(published_eval["method"]) == {"model", "rule"}


def test_expiry_reminder_masks_phones_and_names_providers(published) -> None:
    con, _ = published
    r = _df(con, "select * from marts.expiry_reminder")
    assert len(r)
    assert r["family_phone_masked"].dropna().str.fullmatch(r"(\d{3})?\*{4}\d{4}").all()
    assert (r["remaining"] > r["entitled_amount"] / 2).sum() >= 1
    assert (
        r["days_left"]
        == (pd.to_datetime(r["period_end"]) - pd.to_datetime(r["as_of_date"])).dt.days
    ).all()
    orgs = _codes(con, "select org_code from marts.dim_org")
    assert set(r["notify_org_code"].dropna()) <= orgs
    subsidy = r[r["entitlement"] == expiry.ENTITLEMENT]
    assert len(subsidy) and subsidy["lapse_probability"].between(0, 1).all()


def test_date_bound_reminders_equal_python(published) -> None:
    """Family-bed agreements and ability re-assessments falling due: the published rows equal a
    day-by-day walk over each bed's anniversaries (dateutil), per the terms in the seed."""
    con, metadata = published
    terms = entitlement_dates.rules()
    as_of = con.execute(f"select cast({AS_OF} as date)").fetchone()[0]
    beds = con.execute(
        "select b.elder_code, b.build_date, b.assess_date from marts.fct_family_bed b"
        " join marts.dim_elder e using (elder_code) where b.current_state = '建床'"
        " and b.revoke_date is null and e.is_live and not e.is_deceased"
    ).fetchall()
    expected = set()
    for key, column in (("family_bed_agreement", 1), ("ability_reassessment", 2)):
        months, window = terms[key]["months"], terms[key]["remind_days"]
        for bed in beds:
            start = bed[column]
            if start is None:
                continue
            day = as_of.replace(day=1)
            while day <= as_of:
                k = 1
                while start + relativedelta(months=k * months) <= day:
                    k += 1
                end = start + relativedelta(months=k * months) - dt.timedelta(days=1)
                if 0 <= (end - day).days <= window:
                    expected.add((bed[0], terms[key]["label"], day, end, (end - day).days))
                day += dt.timedelta(days=1)
    labels = tuple(terms[k]["label"] for k in ("family_bed_agreement", "ability_reassessment"))
    got = con.execute(
        "select elder_code, entitlement, as_of_date, period_end, days_left"
        " from marts.expiry_reminder where entitlement in (?, ?)",
        labels,
    ).fetchall()
    assert expected, "the tiny data has a family bed falling due this month"
    assert set(got) == expected and len(got) == len(expected)
    assert metadata["expiry_reminder"]["date_bound_rows"] == len(expected)
