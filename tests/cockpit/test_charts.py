"""Chart specs are built once per distinct input and never kept for one elder's readings."""

from __future__ import annotations

import pandas as pd

from cockpit import charts

TITLES = {"month_start": "月份", "work_orders": "工单数"}


def _months(values: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {"month_start": pd.date_range("2026-01-01", periods=len(values), freq="MS"),
         "work_orders": values}
    )  # fmt: skip


def test_same_input_same_spec_other_input_other_spec() -> None:
    first = charts.trend(_months([3, 5, 8]), "month_start", "work_orders", TITLES)
    again = charts.trend(_months([3, 5, 8]), "month_start", "work_orders", TITLES)
    assert again is first  # built once: an equal frame (a new object) finds the same entry
    other_data = charts.trend(_months([3, 5, 9]), "month_start", "work_orders", TITLES)
    other_args = charts.trend(_months([3, 5, 8]), "month_start", "work_orders", TITLES, 300)
    assert other_data is not first and other_args is not first
    assert other_data["datasets"] != first["datasets"]  # the data travels in the spec
    assert other_args["height"] == 300 and first["height"] == 260


def test_spec_is_what_streamlit_draws_for_the_chart() -> None:
    spec = charts.bars(
        pd.DataFrame({"category": ["特困", "低保"], "elders": [4, 9]}),
        "category", "elders", {"category": "经济状况", "elders": "人数"},
    )  # fmt: skip
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["title"] == "经济状况"
    assert spec["config"]["font"] == charts.FONT


def test_one_elders_readings_are_never_kept() -> None:
    readings = pd.DataFrame(
        {"day": pd.to_datetime(["2026-10-01", "2026-10-02"]), "item": ["SBP", "SBP"],
         "value": [138.0, 141.0]}
    )  # fmt: skip
    titles = {"day": "日期", "item": "指标", "value": "数值"}
    before = len(charts._SPECS)
    first = charts.daily_lines(readings, "day", "item", "value", titles)
    second = charts.daily_lines(readings, "day", "item", "value", titles)
    assert first is not second and first == second
    assert len(charts._SPECS) == before


def test_dark_look_leaves_the_shared_spec_alone() -> None:
    spec = charts.trend(_months([1, 2]), "month_start", "work_orders", TITLES)
    dark = charts.on_dark(spec)
    assert dark["config"]["background"] == "transparent"
    assert dark["config"]["axis"]["labelFontSize"] == 18
    assert "background" not in spec["config"]
