"""家庭养老床位专题: bed states, records, devices, the alarm board and the call centre show the
marts' numbers (the test's own SQL), for the city and a county; a county sees only itself."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql

from cockpit import kpis
from cockpit.data import alarms, calls, family_beds
from cockpit.scope import Scope
from eldercare.accounts import county_names

COUNTY = "440881"
ALARM_LABELS = {"一键呼叫", "跌倒", "烟雾", "燃气泄漏", "门磁异常", "离床", "心率异常"}


def _month(path) -> dt.date:
    """The reporting month, independently: the latest month with work orders."""
    return sql(path, "select max(order_month) from marts.fct_work_order")[0][0]


def _where(county: str | None, alias: str = "") -> tuple[str, tuple]:
    return (f" and {alias}county_code = ?", (county,)) if county else ("", ())


def _fmt(key: str, value) -> str:
    return kpis.get(key).format(value)


@pytest.mark.parametrize("county", [None, COUNTY])
def test_bed_and_device_numbers_on_the_page(cockpit_env, county) -> None:
    viewer = county_viewer(county) if county else CITY_VIEWER
    at = run_page("family_beds", viewer)
    assert not at.exception, at.exception
    where, params = _where(county)
    month = _month(cockpit_env)
    end = (pd.Timestamp(month) + pd.offsets.MonthBegin(1)).date()
    built = sql(cockpit_env, "select count(*) from marts.fct_family_bed"
                f" where current_state = '建床'{where}", params)[0][0]  # fmt: skip
    built_month = sql(cockpit_env, "select count(*) from marts.fct_family_bed"
                      f" where build_date >= ? and build_date < ?{where}",
                      (month, end, *params))[0][0]  # fmt: skip
    bound, online = sql(
        cockpit_env,
        "select sum(case when unbind_time is null then 1 else 0 end),"
        " sum(case when is_online then 1 else 0 end)"
        f" from marts.fct_device where true{where}",
        params,
    )[0]
    assert metric(at, "在建床位") == _fmt("fbed_built", built)
    assert metric(at, "本月建床") == _fmt("fbed_built_month", built_month)
    assert metric(at, "在用设备") == _fmt("devices_bound", bound)
    assert metric(at, "离线设备") == _fmt("devices_offline", bound - online)
    assert metric(at, "设备在线率") == _fmt("device_online_rate", online / bound)
    assert built > 0 and bound > online > 0


def test_device_online_rule_against_the_reference_time(cockpit_env) -> None:
    """Online = bound and seen within 24 h before one reference time: the data's latest device
    contact, alarm or health reading, capped at the load time (never the wall clock)."""
    latest = max(
        sql(cockpit_env, q)[0][0]
        for q in (
            "select max(last_online_time) from staging.stg_legacy__yl_device",
            "select max(alarm_time) from marts.fct_alarm",
            "select max(measure_time) from marts.fct_health_reading",
        )
    )
    loaded = sql(cockpit_env, "select max(loaded_at) from staging.stg_legacy__yl_device")[0][0]
    reference = min(latest, loaded)
    rows = sql(
        cockpit_env,
        "select unbind_time, last_online_time, is_online, reference_time from marts.fct_device",
    )
    assert rows and {r[3] for r in rows} == {reference}
    assert family_beds.device_reference_time() == pd.Timestamp(reference)
    for unbind, last_online, is_online, _ in rows:
        expected = (
            unbind is None
            and last_online is not None
            and (last_online >= reference - dt.timedelta(hours=24))
        )
        assert is_online == expected, (unbind, last_online, reference)
    assert {r[2] for r in rows} == {True, False}  # the rule decides something


@pytest.mark.parametrize("county", [None, COUNTY])
def test_alarm_board_p50_p90_today_and_open(cockpit_env, county) -> None:
    viewer = county_viewer(county) if county else CITY_VIEWER
    at = run_page("family_beds", viewer)
    assert not at.exception, at.exception
    where, params = _where(county)
    month = _month(cockpit_env)
    end = (pd.Timestamp(month) + pd.offsets.MonthBegin(1)).date()
    minutes = [
        r[0]
        for r in sql(
            cockpit_env,
            "select response_minutes from marts.fct_alarm where is_handled"
            f" and alarm_date >= ? and alarm_date < ?{where}",
            (month, end, *params),
        )
    ]
    p50, p90 = np.percentile(minutes, [50, 90])
    board = alarms.board(Scope(county))
    assert board["alarm_p50"] == pytest.approx(p50) and board["alarm_p90"] == pytest.approx(p90)
    assert metric(at, "响应时长中位数 P50") == _fmt("alarm_p50", p50)
    assert metric(at, "响应时长 P90") == _fmt("alarm_p90", p90)
    today = sql(cockpit_env, "select max(alarm_date) from marts.fct_alarm")[0][0]
    today_count = sql(cockpit_env, "select count(*) from marts.fct_alarm where alarm_date = ?"
                      f"{where}", (today, *params))[0][0]  # fmt: skip
    unhandled = sql(cockpit_env, f"select count(*) from marts.fct_alarm where not is_handled{where}",
                    params)[0][0]  # fmt: skip
    assert metric(at, "今日报警") == _fmt("alarms_today", today_count)
    assert metric(at, "未处置报警") == _fmt("alarms_open", unhandled)
    assert len(alarms.open_alarms(Scope(county), limit=10_000)) == unhandled > 0


def test_alarms_by_type_in_chinese_add_up_to_the_month(cockpit_env) -> None:
    scope = Scope()
    types = alarms.by_type(scope)
    assert set(types["alarm_type_label"]) <= ALARM_LABELS
    assert types["alarms"].sum() == alarms.board(scope)["alarms"]  # the overview's 本月报警
    assert (types["handled"] + types["unhandled"] == types["alarms"]).all()
    sos = sql(
        cockpit_env,
        "select percentile_cont(0.9) within group (order by response_minutes)"
        " from marts.fct_alarm where alarm_type = 'SOS' and alarm_date >= ?"
        " and alarm_date < cast(? as date) + interval '1 month'",
        (_month(cockpit_env), _month(cockpit_env)),
    )[0][0]
    row = types.set_index("alarm_type").loc["SOS"]
    assert row["p90_minutes"] == pytest.approx(round(sos, 1))


def test_records_page_in_sql_and_match_the_marts(cockpit_env) -> None:
    expected = sql(
        cockpit_env,
        "select event_date, event, bed_code from ("
        " select build_date as event_date, '建床' as event, bed_code, fbed_id"
        " from marts.fct_family_bed where build_date is not null union all"
        " select revoke_date, '撤床', bed_code, fbed_id"
        " from marts.fct_family_bed where revoke_date is not null) e"
        " order by event_date desc, fbed_id desc, event",
    )
    scope = Scope()
    assert family_beds.record_count(scope) == len(expected)
    assert family_beds.record_count(scope, "撤床") == sum(e[1] == "撤床" for e in expected)
    pages = [family_beds.records(scope, limit=10, offset=o) for o in range(0, len(expected), 10)]
    got = pd.concat(pages)
    assert list(zip(got["event_date"], got["event"], got["bed_code"], strict=True)) == [
        (pd.Timestamp(d).date(), e, b) for d, e, b in expected
    ]


def test_states_by_area_add_up(cockpit_env) -> None:
    city = family_beds.states_by_area(Scope())
    county = family_beds.states_by_area(Scope(COUNTY))
    built = family_beds.bed_numbers(Scope())["fbed_built"]
    assert city["state_3"].sum() == built
    assert county["area_code"].dropna().str.startswith(COUNTY).all()
    assert county["state_3"].sum() == city.set_index("area_code").loc[COUNTY, "state_3"]


@pytest.mark.parametrize("county", [None, COUNTY])
def test_call_centre_numbers(cockpit_env, county) -> None:
    viewer = county_viewer(county) if county else CITY_VIEWER
    at = run_page("family_beds", viewer)
    assert not at.exception, at.exception
    where, params = _where(county, "e.")
    month = _month(cockpit_env)
    end = (pd.Timestamp(month) + pd.offsets.MonthBegin(1)).date()
    rows = sql(
        cockpit_env,
        "select c.call_direction, c.result, c.talk_seconds, c.seat_no from marts.fct_call c"
        " left join marts.dim_elder e on e.elder_code = c.elder_code"
        f" where c.call_date >= ? and c.call_date < ?{where}",
        (month, end, *params),
    )
    calls_in = sum(r[0] == "in" for r in rows)
    assert metric(at, "本月呼入") == _fmt("calls_in", calls_in)
    assert metric(at, "本月呼出") == _fmt("calls_out", len(rows) - calls_in)
    answered = [r[2] for r in rows if r[1] != "未接通"]
    assert metric(at, "接通率") == _fmt("call_answer_rate", len(answered) / len(rows))
    avg_talk = np.mean(answered) / 60 if answered else None
    assert metric(at, "平均通话时长") == _fmt("call_avg_talk", avg_talk)
    seats = calls.by_seat(Scope(county))
    assert seats["calls"].sum() == len(rows) == calls.by_type(Scope(county))["calls"].sum()
    assert len(seats) == len({r[3] for r in rows})
    daily = calls.daily(Scope(county))
    assert (daily["calls_in"].sum(), len(daily)) == (calls_in, (end - month).days)


def test_a_county_user_sees_only_their_county(cockpit_env) -> None:
    """Every table of the page's data functions holds the county's rows only, and a county
    user asking for another county in the URL still sees their own numbers."""
    scope = Scope(COUNTY)
    name = county_names()[COUNTY]
    frames = {
        "states_by_area": family_beds.states_by_area(scope),
        "records": family_beds.records(scope, limit=1000),
        "offline_devices": family_beds.offline_devices(scope),
        "open_alarms": alarms.open_alarms(scope, limit=1000),
    }
    assert frames["states_by_area"]["area_code"].dropna().str.startswith(COUNTY).all()
    assert set(frames["records"]["county_name"]) == {name}
    assert set(frames["offline_devices"]["county_code"]) == {COUNTY}
    assert frames["offline_devices"]["town_code"].str.startswith(COUNTY).all()
    assert set(frames["open_alarms"]["county_code"]) == {COUNTY}
    elders = {r[0] for r in sql(cockpit_env, "select elder_code from marts.dim_elder"
                                " where county_code = ?", (COUNTY,))}  # fmt: skip
    for key in ("records", "offline_devices", "open_alarms"):
        assert set(frames[key]["elder_code"]) <= elders, key
    devices = family_beds.devices_by_type(scope)
    county_bound = sql(cockpit_env, "select count(*) from marts.fct_device where is_bound"
                       " and county_code = ?", (COUNTY,))[0][0]  # fmt: skip
    assert devices["bound"].sum() == county_bound
    at = run_page("family_beds", county_viewer(COUNTY), county="440803")
    assert not at.exception, at.exception
    assert metric(at, "在用设备") == _fmt("devices_bound", county_bound)
