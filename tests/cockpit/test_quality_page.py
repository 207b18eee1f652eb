"""数据质量: the page's numbers equal SQL on the quality and audit tables; a county-bound data
steward sees only their county and no city-wide technical table; the quarantine's raw JSON
never reaches the page."""

from __future__ import annotations

import pandas as pd
import pytest
from cockpit_helpers import metric, run_page, sql

from cockpit.data import quality
from cockpit.scope import Scope, Viewer
from eldercare.accounts import county_names

STEWARD = Viewer("steward", "数据专员", "data_steward", None)
COUNTY = "440803"
COUNTY_STEWARD = Viewer("s", "s", "data_steward", COUNTY)
LATEST = "(select run_id from quality.scorecard order by checked_at desc, run_id desc limit 1)"


def _card(path, county: str) -> dict[str, tuple]:
    rows = sql(
        path,
        "select entity, rows, complete_rows, error_rows, meets_bar from quality.scorecard"
        f" where run_id = {LATEST} and month = 'all' and county_code = ?",
        (county,),
    )
    return {r[0]: r[1:] for r in rows}


def _table(at, *columns: str) -> pd.DataFrame:
    """The page's table holding these (Chinese) headers."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError(f"no table with {columns}")


def _all_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [f.value.to_csv() for f in at.dataframe]
    return "\n".join(parts)


def _expected_headline(path, county: str | None) -> dict[str, str]:
    card = _card(path, county or "all")
    where, params = ("county_code = ?", (county,)) if county else ("true", ())
    outliers = sql(
        path,
        "select count(*) from quality.trend_outliers t left join marts.dim_org o"
        " on t.level = 'org' and o.org_code = t.unit_code"
        " where (case when t.level = 'county' then t.unit_code else o.county_code end) = ?"
        if county
        else "select count(*) from quality.trend_outliers",
        params,
    )[0][0]
    issues = sql(
        path, f"select count(*) from quality.district_reporting_issues where {where}", params
    )[0][0]
    return {
        "未达标数据类别": f"{sum(1 for v in card.values() if v[3] is False)} 类",
        "达标数据类别": f"{sum(1 for v in card.values() if v[3] is True)} 类",
        "受检记录": f"{sum(v[0] for v in card.values()):,} 条",
        "不完整记录": f"{sum(v[0] - v[1] for v in card.values()):,} 条",
        "错误记录": f"{sum(v[2] for v in card.values()):,} 条",
        "月报问题": f"{issues:,} 条",
        "趋势异常": f"{outliers:,} 个",
    }


def test_city_steward_sees_the_scorecard_numbers(cockpit_env) -> None:
    at = run_page("data_quality", STEWARD)
    assert not at.exception, at.exception
    for label, expected in _expected_headline(cockpit_env, None).items():
        assert metric(at, label) == expected, label
    open_texts = sql(cockpit_env, "select count(*) from quality.text_review where not reviewed")
    assert metric(at, "待复核文本") == f"{open_texts[0][0]:,} 条"
    assert metric(at, "隔离记录") == (
        f"{sql(cockpit_env, 'select count(*) from audit.quarantine')[0][0]:,} 条"
    )
    # the scorecard table: one row per entity, the counts of the city's own row
    card = _card(cockpit_env, "all")
    table = _table(at, "数据类别", "原始表", "记录数", "错误记录")
    assert len(table) == len(card)
    names = quality.labels.entities()
    shown = {row["数据类别"]: (row["记录数"], row["错误记录"]) for _, row in table.iterrows()}
    assert shown == {names[e]: (v[0], v[2]) for e, v in card.items()}
    # the rules that fail, city-wide
    rules = sql(
        cockpit_env,
        f"select sum(violations) from quality.scorecard_rules where run_id = {LATEST}",
    )[0][0]
    assert _table(at, "规则", "违反记录")["违反记录"].sum() == rules
    assert [t.label for t in at.tabs][-1] == "迁移对账"


@pytest.mark.parametrize("asked", [None, "440881"])
def test_county_steward_sees_only_their_county(cockpit_env, asked) -> None:
    """Whatever county the URL asks for: the steward's own county, no city-wide table."""
    params = {"county": asked} if asked else {}
    at = run_page("data_quality", COUNTY_STEWARD, **params)
    assert not at.exception, at.exception
    expected = _expected_headline(cockpit_env, COUNTY)
    for label, value in expected.items():
        assert metric(at, label) == value, label
    assert expected != _expected_headline(cockpit_env, None)
    assert "迁移对账" not in [t.label for t in at.tabs]
    assert "隔离记录" not in [m.label for m in at.metric]
    assert "对账不平衡的表" not in [m.label for m in at.metric]
    assert not any("违反记录" in f.value.columns for f in at.dataframe)  # rules: city only
    card = _card(cockpit_env, COUNTY)
    table = _table(at, "数据类别", "记录数")
    assert sorted(table["记录数"]) == sorted(v[0] for v in card.values())
    own = county_names()[COUNTY]
    for frame in at.dataframe:
        if "县区" in frame.value.columns:
            assert set(frame.value["县区"]) <= {own}, frame.value["县区"].unique()


def test_data_functions_hold_to_the_county(cockpit_env) -> None:
    """Each county's tables name only that county; the audit tables give a county nothing."""
    names = county_names()
    for county in names:
        scope = Scope(county)
        for frame in (
            quality.scorecard_by_county(scope),
            quality.changes(scope),
            quality.district_issues(scope),
            quality.outliers(scope),
            quality.text_review(scope),
        ):
            assert set(frame["county_name"]) <= {names[county]}
        assert quality.reconciliation(scope).empty
        assert quality.quarantine(scope).empty
        assert quality.failing_rules(scope) is None
    # a town reads its county: the scorecard has no finer grain
    assert quality.county_scope(Scope(COUNTY, COUNTY + "001")) == Scope(COUNTY)


def test_text_review_is_placed_at_its_organisation(cockpit_env) -> None:
    city = quality.text_review(Scope())
    expected = sql(cockpit_env, "select count(*) from quality.text_review")[0][0]
    assert len(city) == expected > 0  # the tiny city has dish names to review
    assert city["org_code"].notna().all()
    by_county = sum(len(quality.text_review(Scope(c))) for c in county_names())
    assert by_county == expected


def test_reconciliation_balances_and_quarantine_adds_up(cockpit_env) -> None:
    recon = quality.reconciliation(Scope())
    assert set(recon["stage"]) == {"landing", "staging"}
    assert not recon.duplicated(["source_table", "stage"]).any()
    assert recon["balanced"].all()
    assert (
        recon["source_rows"]
        == recon["loaded_rows"] + recon["quarantined_rows"] + recon["deleted_rows"]
    ).all()
    latest = sql(
        cockpit_env,
        "select source_table, source_rows, quarantined_rows from audit.reconciliation"
        " where run_id like 'dbt:%' and partition_month is null"
        " and checked_at = (select max(checked_at) from audit.reconciliation"
        " where run_id like 'dbt:%')",
    )
    staging = recon[recon["stage"] == "staging"].set_index("source_table")
    for table, source_rows, quarantined in latest:
        assert staging.loc[table, "source_rows"] == source_rows
        assert staging.loc[table, "quarantined_rows"] == quarantined
    held = quality.quarantine(Scope())
    assert "raw" not in held.columns
    assert (
        held["quarantined_rows"].sum()
        == sql(cockpit_env, "select count(*) from audit.quarantine")[0][0]
    )


def test_no_raw_json_or_clear_identity_on_the_page(cockpit_env) -> None:
    at = run_page("data_quality", STEWARD)
    text = _all_text(at)
    raws = [r[0] for r in sql(cockpit_env, "select raw from audit.quarantine limit 20")]
    ids = [r[0] for r in sql(cockpit_env, "select id_card from raw.yl_elder limit 200") if r[0]]
    assert raws and ids
    for value in raws + ids:
        assert value not in text
    assert '{"' not in text
