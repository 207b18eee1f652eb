"""Service-quality domain (issue 14): the quality score, the provider evaluation and the daily
inspection plan as assets of group ``models`` (run by ``eldercare build``'s publish step), a
quarterly schedule that publishes the scores, and the fortnightly report every other Monday.
"""

import datetime as dt
import time
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from eldercare.errors import EldercareError
from eldercare.settings import get_settings
from eldercare.warehouse import Warehouse
from models import quality_publish as qp

OWNERS = ["team:models"]
KINDS = {"python"}  # + the engine, added by pipelines/definitions.py
DEPS = [
    dg.AssetKey(["marts", name])
    for name in ("dim_org", "dim_elder", "fct_work_order", "fct_return_visit", "fct_complaint",
                 "fct_inspection", "agg_org_occupancy_monthly", "fct_meal_order")
]  # fmt: skip
# Issue 12's warning fills fct_work_order.is_suspicious and publishes suspicious_order: the score
# runs after it when it is in the graph, and without it otherwise (quality_inputs checks).
WARNING_DEPS = [dg.AssetKey(["marts", "order_warning"]), dg.AssetKey(["marts", "suspicious_order"])]
_DESCRIPTIONS = {
    "quality_score": "养老服务质量评分 (百分制) per organisation and quarter: dimensions, n, 90 % "
    "interval, rank in county and type, star band; 数据不足 below the minimum n.",
    "county_quality_score": "县区养老服务质量评分 per county and quarter (volume-weighted).",
    "provider_evaluation": "服务商评价 (#27) per home-service provider and quarter: 服务质量, "
    "服务态度, 响应速度 (and 预警率 when issue 12's warning is published).",
}


def _warehouse(context) -> Warehouse:
    warehouse: Warehouse = context.resources.warehouse.get()
    if not warehouse.postgres and not Path(warehouse.target).is_file():
        raise EldercareError(f"quality score: warehouse file {warehouse.target} does not exist")
    return warehouse


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", name], deps=[*DEPS, *WARNING_DEPS], group_name="models", kinds=KINDS, owners=OWNERS,
            description=text + " Rules: seeds/quality_score.yml, docs/quality-score.md.",
        )
        for name, text in _DESCRIPTIONS.items()
    ],
    name="quality_score",
    required_resource_keys={"warehouse"},
)  # fmt: skip
def quality_score_assets(context: AssetExecutionContext):
    started = time.perf_counter()
    with _warehouse(context).connect() as conn:
        quarters = qp.build_quarters(conn)
        out = qp.publish_scores(conn, quarters, get_settings().app_db, keep_others=False)
    seconds = round(time.perf_counter() - started, 2)
    latest = out["quality_score"][out["quality_score"]["period"] == quarters[-1]]
    for name, df in out.items():
        meta = {"rows": len(df), "quarters": ", ".join(quarters), "seconds": seconds}
        if name == "quality_score":
            meta["scored_latest"] = int((latest["status"] == "已评分").sum())
            meta["no_data_latest"] = int((latest["status"] == "数据不足").sum())
        yield dg.MaterializeResult(asset_key=["marts", name], metadata=meta)


@dg.asset(
    key=["marts", "inspection_plan"],
    deps=[*DEPS, *WARNING_DEPS, dg.AssetKey(["marts", "quality_score"])],
    group_name="models", kinds=KINDS, owners=OWNERS,
    description="每日业务巡检抽样计划 (seed 000 §2.2): per working day and category, 5 "
    "organisations by risk, every one at least once a quarter; seeds/inspection_sampling.yml.",
    required_resource_keys={"warehouse"},
)  # fmt: skip
def inspection_plan_asset(context: AssetExecutionContext) -> dg.MaterializeResult:
    started = time.perf_counter()
    with _warehouse(context).connect() as conn:
        rows = qp.publish_plan(conn)
    return dg.MaterializeResult(
        metadata={
            "rows": len(rows),
            "working_days": int(rows["plan_date"].nunique()) if len(rows) else 0,
            "seconds": round(time.perf_counter() - started, 2),
        }
    )


quarterly_score_job = dg.define_asset_job(
    "quarterly_score_job",
    selection=dg.AssetSelection.assets(quality_score_assets, inspection_plan_asset),
    description="Publish the quality scores (and the plan that uses them) after a quarter ends.",
)
# 06:00 on the 1st of January, April, July and October (Asia/Shanghai).
quarterly_score_schedule = dg.ScheduleDefinition(
    name="quarterly_score_schedule",
    job=quarterly_score_job,
    cron_schedule="0 6 1 1,4,7,10 *",
    execution_timezone="Asia/Shanghai",
)


@dg.op(required_resource_keys={"warehouse"}, config_schema={"monday": str})
def fortnightly_report_op(context) -> None:
    """The report of the 14 days before the run's Monday, city-wide."""
    from reports.generate import generate

    monday = dt.date.fromisoformat(context.op_config["monday"])
    target = context.resources.warehouse.get().target
    result = generate(target, monday - dt.timedelta(days=14), monday - dt.timedelta(days=1),
                      None, out_dir=Path(get_settings().data_dir) / "reports", by="schedule")  # fmt: skip
    context.log.info(f"report written: {result.docx_path}, {result.pdf_path}")


@dg.job(description="质量分析报告 (seed 000 §2.3): .docx and .pdf of the last two weeks.")
def fortnightly_report_job():
    fortnightly_report_op()


@dg.schedule(
    job=fortnightly_report_job, cron_schedule="0 7 * * 1", execution_timezone="Asia/Shanghai"
)
def fortnightly_report_schedule(context: dg.ScheduleEvaluationContext):
    """Every other Monday: even ISO weeks run, odd ones are skipped (cron has no 'fortnightly')."""
    day = context.scheduled_execution_time.date()
    if day.isocalendar().week % 2:
        return dg.SkipReason(f"{day}: odd ISO week, the report runs every other Monday")
    config = {"ops": {"fortnightly_report_op": {"config": {"monday": day.isoformat()}}}}
    return dg.RunRequest(run_key=day.isoformat(), run_config=config)


defs = dg.Definitions(
    assets=[quality_score_assets, inspection_plan_asset],
    jobs=[quarterly_score_job, fortnightly_report_job],
    schedules=[quarterly_score_schedule, fortnightly_report_schedule],
)
