"""服务需求预测 (seed 004 #24): monthly work orders for the next 3 months with 80 % intervals
per area and service category, the back-test against naive baselines, and unmet demand per town
(entitled subsidy against subsidy used). Model: models/demand.py."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import smart_models

ui.header(
    "服务需求预测",
    "未来3个月各区域、各服务类别的上门服务工单预测 (80%区间)，回测精度与对照方法，"
    "以及各镇街补贴未用 (未满足需求)。",
)
scope = ui.scope_bar()
if not smart_models.available()["demand_forecast"]:
    st.info("需求预测模型尚未发布到数据仓库 (marts.demand_forecast)，请先运行 eldercare build。")
    st.stop()
category = st.selectbox("服务类别", smart_models.demand_categories(scope), key="demand_category")
fc = smart_models.demand_forecast(scope, category)
own_level = "town" if scope.town_code else "county" if scope.county_code else "city"
own = fc[fc["level"] == own_level]
history = smart_models.demand_history(scope, category)
st.subheader(f"{ui.area_name(scope)} · {category}")
if own.empty:
    st.info("该类别在当前范围没有单独的预测序列，请选择“全部”。")
else:
    st.vega_lite_chart(charts.forecast_band(history, own[["month", "orders", "lower", "upper"]]))
ui.table(
    fc.drop(columns=["level", "county_code", "town_code"]), f"服务需求预测_{category}",
    labels={"area_name": "区域", "month": "月份", "horizon": "提前月数", "orders": "预测工单",
            "lower": "下限(10%)", "upper": "上限(90%)", "hours": "预测服务时长(小时)"},
    key="dl_demand",
)  # fmt: skip
with st.expander("回测 (最近6个月滚动预测，WAPE越低越好)"):
    bt = smart_models.demand_backtest()
    levels = {"city": "全市", "county": "县区", "county_category": "县区×类别",
              "town_category": "镇街×类别"}  # fmt: skip
    models = {"model": "模型", "naive": "上月值", "seasonal_naive": "去年同月",
              "moving_average": "3月均值"}  # fmt: skip
    st.dataframe(
        bt.assign(level=bt["level"].map(levels), model=bt["model"].map(models)).rename(
            columns={"level": "层级", "model": "方法", "wape": "WAPE", "bias": "偏差",
                     "coverage": "区间覆盖率", "cells": "序列×月", "actual": "实际工单",
                     "first_month": "起", "last_month": "止"}),
        hide_index=True,
    )  # fmt: skip
st.subheader("未满足需求 (补贴未用)")
ui.table(
    smart_models.demand_unmet(scope), "未满足需求",
    labels={"county_name": "县区", "town_name": "镇街", "month": "月份",
            "entitled_elders": "享受补贴长者", "served_elders": "当月受服务",
            "entitled_amount": "补贴标准合计(元)", "used_amount": "已用(元)",
            "unused_amount": "未用(元)", "unmet_share": "未用比例"},
    key="dl_unmet",
)  # fmt: skip
