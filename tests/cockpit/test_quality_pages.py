"""The service-quality pages headless (AppTest): an inspector records the day's results (kept
with who and when, and read by the next score); an analyst saves comments and generates a
report that carries them; the score page and the complaints SLA for a county."""

import datetime as dt
import io

import docx
import pandas as pd
import pytest
from cockpit_helpers import county_viewer, run_page, sql

from cockpit.scope import Viewer
from eldercare import inspection_results
from eldercare.appdb import engine
from eldercare.settings import get_settings
from models import quality_inputs as qi
from models import quality_score as qs
from reports import store
from reports.generate import read_only

STEWARD = Viewer("steward", "数据专员", "data_steward", None)
ANALYST = Viewer("analyst", "分析员", "analyst", None)


def test_inspector_records_results_that_feed_the_score(cockpit_env, app_db_url):
    at = run_page("inspection", STEWARD)
    assert not at.exception, at.exception
    day = at.selectbox(key="insp_day").value
    plan = sql(cockpit_env, "select org_code, check_items from marts.inspection_plan"
               " where plan_date = ? order by category, risk_rank limit 1", (day,))  # fmt: skip
    org, items = plan[0][0], plan[0][1].split("；")
    for i in range(len(items)):
        at.radio(key=f"r_{org}_{day}_{i}").set_value("不合格")
    at.number_input(key=f"d_{org}_{day}").set_value(5.0)
    next(b for b in at.button if b.label == "保存结果" and org in b.form_id).click()
    at.run()
    assert not at.exception, at.exception
    saved = inspection_results.latest(engine(app_db_url), day, day)
    mine = saved[saved["org_code"] == org]
    assert len(mine) == len(items) and set(mine["result"]) == {"不合格"}
    assert set(mine["recorded_by"]) == {"steward"} and mine["recorded_at"].notna().all()
    # the next score reads them into 指导中心巡检: 5-point deductions, 50 points each
    rules = qs.load_rules()
    period = qs.quarter_of(day)
    results = inspection_results.for_scoring(app_db_url)
    with read_only(str(cockpit_env)) as conn:
        without = qi.read_events(conn, period, rules)
        with_results = qi.read_events(conn, period, rules, results)
    added = with_results[
        (with_results["org_code"] == org) & (with_results["dimension"] == "guidance")
    ]
    before = without[(without["org_code"] == org) & (without["dimension"] == "guidance")]
    assert len(added) - len(before) == len(items)
    assert sorted(added["value"])[: len(items)] == [50.0] * len(items)


def test_analyst_comment_appears_in_the_generated_report(
    cockpit_env, app_db_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("ELDERCARE_DATA_DIR", str(tmp_path))  # the files, not into data/
    get_settings.cache_clear()
    at = run_page("reports", ANALYST)
    assert not at.exception, at.exception
    at.date_input(key="rep_from").set_value(dt.date(2026, 10, 1))
    at.date_input(key="rep_to").set_value(dt.date(2026, 10, 14))
    at.run()
    key = store.report_key(dt.date(2026, 10, 1), dt.date(2026, 10, 14), None)
    at.text_area(key=f"rep_c_inspection_{key}").set_value("巡检发现的问题已通知整改。")
    next(b for b in at.button if b.label == "保存意见").click()
    at.run()
    assert store.comments(engine(app_db_url), key) == {"inspection": "巡检发现的问题已通知整改。"}
    next(b for b in at.button if b.label == "生成报告 (Word + PDF)").click()
    at.run(timeout=120)
    assert not at.exception, at.exception
    files = store.list_files(engine(app_db_url), None)
    newest = files.iloc[0]
    data = store.file_bytes(engine(app_db_url), int(newest["id"]), "docx", None)

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "巡检发现的问题已通知整改。" in text
    assert list(tmp_path.glob("reports/quality_report_2026-10-01_2026-10-14_city.*"))
    # a county user lists only their county's reports (none here) and cannot author
    county = run_page("reports", county_viewer("440803"))
    assert not county.exception and not any(b.label == "保存意见" for b in county.button)


@pytest.mark.parametrize("county", ["440803"])
def test_score_page_and_complaints_for_a_county(cockpit_env, county):
    at = run_page("service_quality", county_viewer(county))
    assert not at.exception, at.exception
    shown = [df.value for df in at.dataframe]
    scores = shown[0]
    expected = sql(cockpit_env, "select count(*) from marts.quality_score where county_code = ?"
                   " and period = (select max(period) from marts.quality_score)", (county,))[0][0]  # fmt: skip
    assert len(scores) == expected
    sla = shown[1]
    complaints = sql(
        cockpit_env, "select count(*) from marts.fct_complaint where county_code = ?", (county,)
    )
    assert int(pd.to_numeric(sla["投诉 (件)"]).sum()) == complaints[0][0]
