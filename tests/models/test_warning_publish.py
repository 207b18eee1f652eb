"""The work-order warning as the build runs it (Dagster asset on a copy of the tiny warehouse):
every order scored, the queue, money at risk against an independent sum, the model's version,
the feedback loop through the application database, the time-split evaluation against the
generator's truth, and a dump without yl_order_doubt."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import duckdb
import pandas as pd
import pytest

from eldercare import review
from eldercare.appdb import engine
from eldercare.settings import get_settings
from eldercare.warehouse import Warehouse
from models.warning import data, evaluate
from pipelines.resources import WarehouseResource
from pipelines.warning import work_order_warning


def _materialize(path, app_url: str, monkeypatch_env) -> dict:
    monkeypatch_env.setenv("ELDERCARE_APP_DB", app_url)
    get_settings.cache_clear()
    try:
        result = dg.materialize(
            [work_order_warning], resources={"warehouse": WarehouseResource(target=str(path))}
        )
    finally:
        get_settings.cache_clear()
    assert result.success
    event = result.get_asset_materialization_events()[0]
    return {k: v.value for k, v in event.materialization.metadata.items()}


@pytest.fixture(scope="module")
def published(built_duckdb_warehouse, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("warning")
    path = tmp / "warehouse.duckdb"
    shutil.copy2(built_duckdb_warehouse, path)
    app_url = f"sqlite:///{tmp / 'app.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        meta = _materialize(path, app_url, mp)
    return path, app_url, meta


def _frame(path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_every_order_gets_a_score_reasons_and_a_flag(published):
    path, _, _ = published
    w = _frame(path, "select * from marts.fct_work_order")
    assert len(w) > 1000
    assert w["warning_score"].between(0, 1).all()
    assert w["is_suspicious"].notna().all()
    flagged = w[w["is_suspicious"]]
    assert len(flagged) > 0
    assert flagged["warning_reasons"].notna().all()
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in flagged["warning_reasons"])
    # only completed (or already doubted) orders are flagged
    assert set(flagged["order_status"]) <= {"2", "4"}


def test_the_queue_holds_every_flagged_order_with_source_and_state(published):
    path, _, _ = published
    q = _frame(path, "select * from marts.suspicious_order")
    w = _frame(path, "select order_id from marts.fct_work_order where is_suspicious")
    assert set(w["order_id"]) <= set(q["order_id"])
    assert set(q["source"]) <= {"系统监管存疑", "回访存疑"}
    assert set(q["state"]) <= {"存疑", "已申诉", "已审核", "已作废"}
    assert q["order_id"].is_unique
    # legacy doubts are in the queue with their old state
    d = _frame(path, "select order_id, state from marts.fct_order_doubt")
    assert set(d["order_id"]) <= set(q["order_id"])


def test_money_at_risk_sums_equal_the_orders_behind_them(published):
    path, _, meta = published
    check = _frame(path, "select org_code, month, money_at_risk, subsidy_paid, orders "
                   "from marts.settlement_check")  # fmt: skip
    behind = _frame(
        path,
        "select org_code, cast(date_trunc('month', coalesce(start_time, plan_time)) as date) "
        "as month, sum(case when is_suspicious then coalesce(subsidy_amount, 0) * warning_score "
        "else 0 end) as risk, sum(coalesce(subsidy_amount, 0)) as subsidy, count(*) as orders "
        "from marts.fct_work_order where order_status = '2' and org_code is not null "
        "group by 1, 2",
    )
    merged = check.merge(behind, on=["org_code", "month"], how="outer", validate="1:1")
    assert merged["orders_x"].eq(merged["orders_y"]).all()
    assert (merged["money_at_risk"] - merged["risk"]).abs().max() < 0.05
    assert (merged["subsidy_paid"] - merged["subsidy"].astype(float)).abs().max() < 0.05
    queue = _frame(path, "select sum(money_at_risk) as s from marts.suspicious_order "
                   "where is_suspicious")  # fmt: skip
    assert queue["s"].iloc[0] == pytest.approx(check["money_at_risk"].sum(), abs=0.5)
    assert meta["money_at_risk"] == pytest.approx(check["money_at_risk"].sum(), abs=0.05)


def test_the_model_is_versioned_with_window_hash_and_metrics(published):
    path, _, meta = published
    m = _frame(path, "select * from marts.warning_model")
    art = json.loads(m["artefact"].iloc[-1])
    for key in ("window_start", "window_end", "data_hash", "threshold", "labelled_positive",
                "unlabelled", "flagged_share"):  # fmt: skip
        assert key in art, key
    assert m["version"].iloc[-1].endswith(art["data_hash"])
    assert 0 < art["threshold"] <= 1


def test_a_reviewers_decision_changes_the_next_training(published, tmp_path):
    path, app_url, meta = published
    copy = tmp_path / "again.duckdb"
    shutil.copy2(path, copy)
    w = _frame(copy, "select order_id from marts.fct_work_order where order_status = '2' "
               "order by order_id")  # fmt: skip
    with Warehouse(str(copy)).connect() as conn:
        orders = data.read_orders(conn)
        y = data.labels(orders, data.read_doubts(conn))
    unlabelled = [o for o in w["order_id"] if pd.isna(y.get(o))][:3]
    eng = engine(app_url)
    for o in unlabelled:
        review.record_decision(eng, o, "confirm", "tester", reason="核实未上门")
    with pytest.MonkeyPatch.context() as mp:
        again = _materialize(copy, app_url, mp)
    assert again["labelled_positive"] == meta["labelled_positive"] + 3
    assert again["data_hash"] != meta["data_hash"]
    states = _frame(copy, "select order_id, state from marts.suspicious_order")
    assert set(states[states["order_id"].isin(unlabelled)]["state"]) <= {"已作废"}
    assert len(_frame(copy, "select * from marts.warning_model")) == 2  # versions kept


def test_time_split_evaluation_against_the_truth(published, tiny_truth_dir):
    """Tiny data has ~60 fraudulent orders (a dozen in the test months): the bar here is
    lower than the issue's, which benchmarks/warning_city.py measures at small/city scale."""
    path, _, _ = published
    with Warehouse(str(path)).connect() as conn:
        orders, doubts = data.read_orders(conn), data.read_doubts(conn)
    fraud = pd.read_parquet(tiny_truth_dir / "fraud_orders.parquet")
    r = evaluate.evaluate(orders, doubts, fraud)
    print(json.dumps(r, ensure_ascii=False))
    assert r["test_fraud"] > 0
    both = r["both"]
    assert both["recall"] >= 0.8 and both["precision"] >= 0.6, both
    assert both["auprc"] >= r["model_alone"]["auprc"] - 1e-9


def test_a_dump_without_order_doubts_still_builds_and_scores(published, dbt_settings, tmp_path):
    """An older vendor dump has no yl_order_doubt: the migration lands it empty (absent
    optional table); the doubt mart comes out empty and the warning still scores every order."""
    from pipelines.dbt_project import run_dbt

    path, app_url, _ = published
    copy = tmp_path / "no_doubts.duckdb"
    shutil.copy2(path, copy)
    con = duckdb.connect(str(copy))
    con.execute("delete from raw.yl_order_doubt")
    con.close()
    settings = dbt_settings.model_copy(update={"warehouse": str(copy)})
    # run, not build: the emptied raw table no longer reconciles with the migration's audit
    run_dbt(["run", "--select", "base_legacy__yl_order_doubt+"], settings)
    assert _frame(copy, "select count(*) as n from marts.fct_order_doubt")["n"].iloc[0] == 0
    with pytest.MonkeyPatch.context() as mp:
        meta = _materialize(copy, app_url, mp)
    w = _frame(copy, "select warning_score, is_suspicious from marts.fct_work_order")
    assert w["warning_score"].notna().all() and w["is_suspicious"].any()
    assert meta["rows_suspicious_order"] == int(w["is_suspicious"].sum())
