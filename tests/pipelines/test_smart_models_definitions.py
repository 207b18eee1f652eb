"""The smart models' wiring: six marts tables in group models, kind scikitlearn, downstream of
the marts they read, and selected by the build's publish job."""

import dagster as dg

TABLES = ("elder_profile", "demand_forecast", "demand_backtest", "demand_unmet",
          "expiry_reminder", "expiry_evaluation")  # fmt: skip


def test_assets_are_in_group_models_after_the_marts(defs):
    graph = defs.resolve_asset_graph()
    publish = defs.resolve_job_def("publish_job").asset_layer.selected_asset_keys
    for name in TABLES:
        key = dg.AssetKey(["marts", name])
        node = graph.get(key)
        assert node.group_name == "models"
        assert "scikitlearn" in node.kinds
        assert dg.AssetKey(["marts", "fct_work_order"]) in node.parent_keys
        assert key in publish
    profile = graph.get(dg.AssetKey(["marts", "elder_profile"]))
    assert dg.AssetKey(["marts", "fct_health_daily"]) in profile.parent_keys
