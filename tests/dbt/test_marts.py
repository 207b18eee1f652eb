"""The marts on tiny data (DuckDB): the published contract, privacy, and numbers that must add
up. Reuses the session's built warehouse; builds nothing itself."""

from __future__ import annotations

import datetime as dt

import chinese_calendar

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


def _columns(con, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _mart_tables(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        ).fetchall()
    ]


def test_contract_columns_are_published(warehouse_con) -> None:
    for table, columns in CONTRACT.items():
        assert set(columns) <= set(_columns(warehouse_con, "marts", table)), table
        assert warehouse_con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0


def test_every_mart_has_rows(warehouse_con) -> None:
    tables = _mart_tables(warehouse_con)
    assert {"dim_elder", "dim_org", "dim_bed", "dim_staff", "dim_area", "fct_complaint"} <= set(
        tables
    )
    reports = warehouse_con.execute("select count(*) from raw.district_monthly_report").fetchone()
    empty = [
        t
        for t in tables
        if not warehouse_con.execute(f"select count(*) from marts.{t}").fetchone()[0]
        and not (t == "fct_district_monthly_report" and reports[0] == 0)
    ]
    assert empty == []


def test_district_reports_find_their_organisation(warehouse_con) -> None:
    """A reported row whose credit code is in dim_org is matched to that 机构码."""
    unmatched = warehouse_con.execute(
        "select count(*) from marts.fct_district_monthly_report r "
        "join staging.stg_district__monthly_report s using (source_file, source_row) "
        "join marts.dim_org o on s.credit_code = o.credit_code "
        "where r.org_code is distinct from o.org_code"
    ).fetchone()[0]
    assert unmatched == 0


def test_no_clear_id_number_or_phone_in_marts(warehouse_con) -> None:
    leaks = []
    for table in _mart_tables(warehouse_con):
        text_cols = [
            r[0]
            for r in warehouse_con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? and data_type = 'VARCHAR'",
                [table],
            ).fetchall()
        ]
        for col in text_cols:
            n = warehouse_con.execute(
                f"select count(*) from marts.{table} where regexp_matches({col}, ?) "
                f"or regexp_matches({col}, ?)",
                [ID_NUMBER, MOBILE],
            ).fetchone()[0]
            if n:
                leaks.append(f"{table}.{col}: {n}")
    assert leaks == []


def test_masked_id_numbers_keep_only_region_and_tail(warehouse_con) -> None:
    bad = warehouse_con.execute(
        "select count(*) from marts.dim_elder "
        "where not regexp_full_match(id_card_masked, '[0-9]{6}\\*{8}[0-9]{3}[0-9X]')"
    ).fetchone()[0]
    assert bad == 0


def test_work_orders_are_the_live_staged_orders(warehouse_con) -> None:
    staged = warehouse_con.execute(
        "select count(*) from staging.stg_legacy__yl_work_order where not is_deleted"
    ).fetchone()[0]
    n, with_elder, with_org = warehouse_con.execute(
        "select count(*), count(elder_code), count(org_code) from marts.fct_work_order"
    ).fetchone()
    assert n == staged > 0
    assert with_elder / n > 0.97 and with_org / n > 0.97


def test_area_months_add_up(warehouse_con) -> None:
    """The city row of a month counts every order of that month; its counties never more."""
    rows = warehouse_con.execute(
        """
        select a.month_start, a.work_orders, coalesce(c.orders, 0), f.orders
        from marts.agg_area_monthly a
        left join (select month_start, sum(work_orders) orders from marts.agg_area_monthly
                   where area_level = 'county' group by 1) c using (month_start)
        join (select order_month month_start, count(*) orders from marts.fct_work_order
              group by 1) f using (month_start)
        where a.area_level = 'city'
        """
    ).fetchall()
    assert rows
    for _, city, counties, facts in rows:
        assert city == facts and counties <= city
    # most orders land in a county (elders without a known area are the exception)
    assert sum(r[2] for r in rows) >= 0.95 * sum(r[1] for r in rows)


def test_complaint_working_days_follow_chinese_calendar(warehouse_con) -> None:
    """Reply time in working days, checked against the chinesecalendar library: holidays are
    not counted, make-up working days (调休) are."""
    rows = warehouse_con.execute(
        "select create_time, reply_time, reply_working_days from marts.fct_complaint "
        "where reply_time is not null order by complaint_id limit 300"
    ).fetchall()
    assert rows
    for created, replied, days in rows:
        start, end = created.date(), replied.date()
        expected = sum(
            chinese_calendar.is_workday(start + dt.timedelta(days=k))
            for k in range(1, (end - start).days + 1)
        )
        assert days == expected, (created, replied)


def test_alarm_response_minutes(warehouse_con) -> None:
    bad = warehouse_con.execute(
        "select count(*) from marts.fct_alarm where is_handled and abs(response_minutes - "
        "date_diff('second', alarm_time, handle_time) / 60.0) > 0.01"
    ).fetchone()[0]
    unhandled = warehouse_con.execute(
        "select count(*) from marts.fct_alarm where not is_handled and response_minutes is not null"
    ).fetchone()[0]
    assert bad == 0 and unhandled == 0


def test_deaths_come_from_elder_rows_and_registry(warehouse_con) -> None:
    from_rows, deceased = warehouse_con.execute(
        """
        select
            (select count(distinct r.elder_code) from staging.stg_legacy__yl_elder e
             join intermediate.int_elder_resolved r using (elder_id) where e.death_date is not null),
            (select count(*) from marts.dim_elder where is_deceased)
        """
    ).fetchone()
    assert deceased > from_rows > 0
