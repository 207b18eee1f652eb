"""The service-quality domain's wiring: assets in group models after the marts (and after issue
12's warning), the quarterly score schedule, and the report every other Monday."""

import datetime as dt

import dagster as dg

from pipelines.quality_score import fortnightly_report_schedule


def test_assets_schedules_and_jobs_are_assembled(defs):
    graph = defs.resolve_asset_graph()
    for name in ("quality_score", "county_quality_score", "provider_evaluation", "inspection_plan"):
        node = graph.get(dg.AssetKey(["marts", name]))
        assert node.group_name == "models"
        assert dg.AssetKey(["marts", "fct_inspection"]) in node.parent_keys
        assert dg.AssetKey(["marts", "suspicious_order"]) in node.parent_keys
    plan = graph.get(dg.AssetKey(["marts", "inspection_plan"]))
    assert dg.AssetKey(["marts", "quality_score"]) in plan.parent_keys
    schedule = defs.resolve_schedule_def("quarterly_score_schedule")
    assert schedule.cron_schedule == "0 6 1 1,4,7,10 *"
    assert defs.resolve_job_def("fortnightly_report_job") is not None


def test_the_report_runs_every_other_monday():
    decisions = {}
    for week in range(4):
        monday = dt.datetime(2026, 1, 5, 7) + dt.timedelta(weeks=week)
        context = dg.build_schedule_context(scheduled_execution_time=monday)
        decisions[monday.date()] = fortnightly_report_schedule.evaluate_tick(context).run_requests
    ran = [d for d, requests in decisions.items() if requests]
    assert len(ran) == 2 and (ran[1] - ran[0]).days == 14
    request = decisions[ran[0]][0]
    assert (
        request.run_config["ops"]["fortnightly_report_op"]["config"]["monday"] == ran[0].isoformat()
    )
