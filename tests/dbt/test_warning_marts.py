"""The warning's dbt marts on tiny data (DuckDB): the legacy doubts as published, and the
death warning against the generator's truth. Reuses the session's built warehouse."""

from __future__ import annotations

import pandas as pd
from legacy_truth import quarantined_keys


def _df(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_fct_order_doubt_holds_every_live_legacy_doubt(warehouse_con):
    raw = _df(warehouse_con, "select doubt_id, del_flag, review_result, appeal_time "
              "from raw.yl_order_doubt")  # fmt: skip
    mart = _df(warehouse_con, "select doubt_id, state from marts.fct_order_doubt")
    live = raw[raw["del_flag"] == "0"]
    assert len(live) > 0
    assert sorted(mart["doubt_id"]) == sorted(live["doubt_id"].astype(int))
    # state from the raw columns, computed here independently
    expected = live.assign(
        state=lambda d: d["review_result"].where(
            d["review_result"].isin(["已审核", "已作废"]),
            d["appeal_time"].notna().map({True: "已申诉", False: "存疑"}),
        )
    )
    got = mart.set_index("doubt_id")["state"].sort_index()
    want = expected.set_index(expected["doubt_id"].astype(int))["state"].sort_index()
    assert want.to_dict() == got.to_dict()


def test_death_warning_finds_every_order_billed_after_death(warehouse_con, tiny_truth_dir):
    fraud = pd.read_parquet(tiny_truth_dir / "fraud_orders.parquet")
    after = set(fraud.loc[fraud["pattern"] == "after_death", "order_id"].astype(str))
    live = set(
        _df(warehouse_con, "select cast(order_id as varchar) as o from marts.fct_work_order")["o"]
    )
    found = _df(
        warehouse_con, "select ref from marts.death_warning where kind in ('order', 'subsidy')"
    )
    assert after & live and after & live <= set(found["ref"])


def test_death_warning_lists_deaths_the_elder_table_does_not_know(warehouse_con, tiny_truth_dir):
    """Exactly the registry's strangers (the injected kind) and the deaths of people whose every
    elder row staging quarantines (by the truth), as masked numbers."""
    dirt = pd.read_parquet(tiny_truth_dir / "dirt.parquet")
    unknown = set(dirt[(dirt["kind"] == "death_unknown_elder")]["dirty_value"].astype(str))
    elders = pd.read_parquet(tiny_truth_dir / "elders.parquet")
    rejected = quarantined_keys(tiny_truth_dir, "yl_elder")
    elders["lost"] = elders["elder_id"].astype(str).isin(rejected)
    lost = elders.groupby("true_id_card")["lost"].all()
    registry = set(_df(warehouse_con, "select id_card from raw.yl_death_registry")["id_card"])
    unknown |= set(lost[lost].index) & registry
    masked = {v[:6] + "*" * 8 + v[-4:] for v in unknown}
    found = set(_df(warehouse_con, "select ref from marts.death_warning "
                    "where kind = 'death_unknown'")["ref"])  # fmt: skip
    assert masked and found == masked


def test_family_beds_active_after_death_are_listed(warehouse_con):
    beds = _df(warehouse_con, "select cast(fbed_id as varchar) as ref from marts.fct_family_bed "
               "where is_active_after_death")  # fmt: skip
    found = _df(warehouse_con, "select ref from marts.death_warning where kind = 'family_bed'")
    assert set(beds["ref"]) == set(found["ref"])
