"""The marts on tiny data, on DuckDB and on PostgreSQL (``engine`` runs each test on both
session builds): the published contract, privacy, and numbers checked against the legacy rows
and the generator's truth. Builds nothing itself."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import polars as pl
from legacy_truth import legacy, person_of_elder, quarantined_keys

CONTRACT = {
    "dim_elder": [
        "elder_code", "id_card_masked", "sex", "birth_date", "county_code", "town_code",
        "economic_type", "ability_level", "is_deceased", "death_date", "source_elder_ids",
    ],
    "dim_org": [
        "org_code", "org_name", "org_type", "county_code", "lng", "lat", "approved_beds",
        "star_level", "source_org_ids",
    ],
    # warning_score, warning_reasons, is_suspicious come with the work-order warning model
    "fct_work_order": [
        "order_id", "elder_code", "org_code", "staff_code", "item_category", "start_time",
        "end_time", "duration_min", "amount", "subsidy_amount",
    ],
}  # fmt: skip

# Not inside a longer run of letters and digits (content hashes are hex and hold digit runs).
ID_NUMBER = (
    r"(^|[^0-9A-Za-z])[1-9][0-9]{5}(19|20)[0-9]{2}[01][0-9][0-3][0-9]{4}[0-9Xx]([^0-9A-Za-z]|$)"
)
MOBILE = r"(^|[^0-9A-Za-z])1[3-9][0-9]{9}([^0-9A-Za-z]|$)"


def _marts(engine) -> list[str]:
    return engine.tables("marts")


def test_contract_columns_are_published(engine) -> None:
    for table, columns in CONTRACT.items():
        assert set(columns) <= set(engine.columns("marts", table)), table
        assert engine.one(f"select count(*) from marts.{table}")[0] > 0


def test_every_mart_has_rows(engine) -> None:
    tables = _marts(engine)
    assert {"dim_elder", "dim_org", "dim_bed", "dim_staff", "dim_area", "fct_complaint"} <= set(
        tables
    )
    (reports,) = engine.one("select count(*) from raw.district_monthly_report")
    empty = [
        t
        for t in tables
        if not engine.one(f"select count(*) from marts.{t}")[0]
        and not (t == "fct_district_monthly_report" and reports == 0)
    ]
    assert empty == []


def test_district_reports_find_their_organisation(engine) -> None:
    """A reported row whose credit code is in dim_org is matched to that 机构码."""
    (unmatched,) = engine.one(
        "select count(*) from marts.fct_district_monthly_report r "
        "join staging.stg_district__monthly_report s using (source_file, source_row) "
        "join marts.dim_org o on s.credit_code = o.credit_code "
        "where r.org_code is distinct from o.org_code"
    )
    assert unmatched == 0


def test_no_clear_id_number_or_phone_in_marts(engine) -> None:
    leaks = []
    for table in _marts(engine):
        cols = engine.text_columns("marts", table)
        if not cols:
            continue
        counts = engine.one(
            "select "
            + ", ".join(
                f"sum(case when {engine.regex(c, ID_NUMBER)} or {engine.regex(c, MOBILE)} "
                "then 1 else 0 end)"
                for c in cols
            )
            + f" from marts.{table}"
        )
        leaks += [f"{table}.{c}: {n}" for c, n in zip(cols, counts, strict=True) if n]
    assert leaks == []


def test_masked_id_numbers_keep_only_region_and_tail(engine) -> None:
    masked = engine.regex("id_card_masked", "[0-9]{6}\\*{8}[0-9]{3}[0-9X]", full=True)
    assert engine.one(f"select count(*) from marts.dim_elder where not {masked}") == (0,)


def test_work_orders_carry_every_code_the_truth_allows(engine, tiny_legacy) -> None:
    """Each live order has its 长者码 and 机构码, except exactly those whose legacy elder row
    staging must quarantine (by the truth) or that name no elder the truth knows."""
    staged = engine.one(
        "select count(*) from staging.stg_legacy__yl_work_order where not is_deleted"
    )[0]
    mart = engine.query("select order_id, elder_code, org_code from marts.fct_work_order")
    assert len(mart) == staged > 0
    raw = dict(
        (o, (e, p))
        for o, e, p in legacy(
            tiny_legacy.db_path, "select order_id, elder_id, provider_org_id from yl_work_order"
        )
    )
    known = person_of_elder(tiny_legacy.truth_dir)
    lost = quarantined_keys(tiny_legacy.truth_dir, "yl_elder")
    orgs = pl.read_parquet(tiny_legacy.truth_dir / "orgs.parquet")["org_id"].to_list()
    want_no_elder = {o for o, _, _ in mart if raw[o][0] not in known or str(raw[o][0]) in lost}
    want_no_org = {o for o, _, _ in mart if raw[o][1] not in set(orgs)}
    assert {o for o, e, _ in mart if e is None} == want_no_elder
    assert {o for o, _, g in mart if g is None} == want_no_org


def test_area_months_add_up(engine, tiny_legacy) -> None:
    """The city row of a month counts every order of that month; its counties count exactly
    the orders of elders the build knows (every true elder lives in a county of the city)."""
    rows = engine.query(
        """
        select a.month_start, a.work_orders, coalesce(c.orders, 0), f.orders, f.with_elder
        from marts.agg_area_monthly a
        left join (select month_start, sum(work_orders) orders from marts.agg_area_monthly
                   where area_level = 'county' group by 1) c using (month_start)
        join (select order_month month_start, count(*) orders, count(elder_code) with_elder
              from marts.fct_work_order group by 1) f using (month_start)
        where a.area_level = 'city'
        """
    )
    assert rows
    for month, city, counties, facts, with_elder in rows:
        assert (city, counties) == (facts, with_elder), month


def test_complaint_working_days_follow_chinese_calendar(engine) -> None:
    """Reply time in working days, checked against the chinesecalendar library: holidays are
    not counted, make-up working days (调休) are."""
    rows = engine.query(
        "select create_time, reply_time, reply_working_days from marts.fct_complaint "
        "where reply_time is not null order by complaint_id limit 300"
    )
    assert rows
    for created, replied, days in rows:
        start, end = created.date(), replied.date()
        expected = sum(
            chinese_calendar.is_workday(start + dt.timedelta(days=k))
            for k in range(1, (end - start).days + 1)
        )
        assert days == expected, (created, replied)


def test_alarm_response_minutes(engine, tiny_legacy) -> None:
    """Minutes from the legacy row's two times, computed here in Python; NULL when the alarm was
    never handled. Every live alarm not quarantined is there."""
    raw = {
        a: (t0, t1)
        for a, t0, t1 in legacy(
            tiny_legacy.db_path,
            "select alarm_id, alarm_time, handle_time from yl_alarm where del_flag = '0'",
        )
    }
    lost = {int(k) for k in quarantined_keys(tiny_legacy.truth_dir, "yl_alarm")}
    mart = engine.query("select alarm_id, is_handled, response_minutes from marts.fct_alarm")
    assert {a for a, _, _ in mart} == set(raw) - lost
    bad = []
    for alarm, handled, minutes in mart:
        t0, t1 = raw[alarm]
        if t1 is None:
            want = None
        else:
            seconds = (
                dt.datetime.fromisoformat(t1) - dt.datetime.fromisoformat(t0)
            ).total_seconds()
            want = round(seconds / 60, 6)
        got = None if minutes is None else round(float(minutes), 6)
        if (handled, got) != (want is not None, want):
            bad.append((alarm, handled, got, want))
    assert any(m is None for _, _, m in mart) and any(m for _, _, m in mart)
    assert bad == []


def test_deaths_are_the_true_deaths_the_legacy_data_registered(engine, tiny_legacy) -> None:
    """Each 长者码 is deceased on its person's true death date exactly when the legacy data
    knows that death: a death_date on one of the person's elder rows, or the person's ID
    number in the death registry."""
    truth = pl.read_parquet(
        tiny_legacy.truth_dir / "elders.parquet",
        columns=["elder_id", "person_id", "true_id_card", "true_death_date"],
    )
    person = dict(zip(truth["elder_id"], truth["person_id"], strict=True))
    death = dict(zip(truth["person_id"], truth["true_death_date"], strict=True))
    id_card = dict(zip(truth["person_id"], truth["true_id_card"], strict=True))
    registry = {c for (c,) in legacy(tiny_legacy.db_path, "select id_card from yl_death_registry")}
    on_row = {
        e
        for (e,) in legacy(
            tiny_legacy.db_path, "select elder_id from yl_elder where death_date is not null"
        )
    }
    wrong, deceased = [], 0
    for code, is_deceased, date, ids in engine.query(
        "select elder_code, is_deceased, death_date, source_elder_ids from marts.dim_elder"
    ):
        elder_ids = [int(i) for i in ids.split(",")]
        persons = {person[i] for i in elder_ids}
        known = any(i in on_row for i in elder_ids) or any(id_card[p] in registry for p in persons)
        want = min(death[p] for p in persons) if known else None
        deceased += is_deceased
        if (is_deceased, date) != (want is not None, want):
            wrong.append((code, is_deceased, date, want))
    assert deceased > 0 and wrong == [], wrong[:5]
