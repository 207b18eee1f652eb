"""大屏模式 (#38 智能监控看板, #46 数据大屏): the guidance centre's wall display.

Dark, large numbers, no sidebar or header; it rotates by itself through the overview headline,
the alarm board and home-service supervision, re-reading the data on every turn. URL
parameters: ``rotate`` seconds per view (default 20, at least 5), ``view`` the view to start
with (overview, alarms, service), ``county``/``town`` the area (held to a county user's own).
Every number comes from the overview, family-bed/alarm and home-service data functions.
"""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import alarms, family_beds, home_service, overview

VIEWS = {"overview": "养老服务总览", "alarms": "智能监控看板", "service": "居家上门服务监管"}
DEFAULT_ROTATE = 20
CHART_HEIGHT = 400  # fills a 1920×1080 screen under two rows of numbers

st.markdown(
    """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="collapsedControl"], header[data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"] {display: none !important;}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  background: radial-gradient(ellipse at top, #0d2140 0%, #060d1a 70%) !important;
  color: #e6eef8;
}
[data-testid="stMainBlockContainer"], .block-container {
  padding: 1.2rem 2.4rem 0.6rem !important; max-width: 100% !important;
}
.stApp h1, .stApp h2, .stApp h3, .stApp p, .stApp span, .stApp label {color: #e6eef8;}
.wall-title {display: flex; justify-content: space-between; align-items: baseline;
  border-bottom: 2px solid #1f4b7a; padding-bottom: 0.4rem; margin-bottom: 0.8rem;}
.wall-title .name {font-size: 44px; font-weight: 700; letter-spacing: 4px; color: #7fd8ff;}
.wall-title .meta {font-size: 22px; color: #9fb3c8;}
.wall-section {font-size: 26px; font-weight: 600; color: #9fd6ff; margin: 0.4rem 0 0.2rem;}
[data-testid="stVerticalBlockBorderWrapper"] {
  background: rgba(19, 44, 78, 0.55) !important; border-color: #1f4b7a !important;
}
[data-testid="stMetric"] {padding: 0.2rem 0.4rem;}
[data-testid="stMetricLabel"] p {font-size: 24px !important; color: #9fb3c8 !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: clamp(30px, 2.7vw, 56px) !important;
  font-weight: 700; color: #4fd1ff !important; line-height: 1.15;}
table.wall-table {width: 100%; border-collapse: collapse; font-size: 21px; color: #e6eef8;}
table.wall-table th {color: #9fd6ff; text-align: left; border-bottom: 1px solid #1f4b7a;
  padding: 6px 8px; font-weight: 600;}
table.wall-table td {border-bottom: 1px solid #132c4e; padding: 6px 8px;}
.wall-foot {font-size: 20px; color: #6f89a6; text-align: right; margin-top: 0.4rem;}
.wall-foot .on {color: #4fd1ff;}
</style>
""",
    unsafe_allow_html=True,
)

scope = ui.url_scope()
rotate_arg = st.query_params.get("rotate", "")
rotate = max(5, int(rotate_arg)) if rotate_arg.isdigit() else DEFAULT_ROTATE
names = list(VIEWS)
if "wall_tick" not in st.session_state:
    start = st.query_params.get("view", names[0])
    st.session_state["wall_tick"] = names.index(start) if start in names else 0


def title(view: str, note: str) -> None:
    st.markdown(
        f'<div class="wall-title"><span class="name">{ui.area_name(scope)} · {VIEWS[view]}</span>'
        f'<span class="meta">{note}</span></div>',
        unsafe_allow_html=True,
    )


def section(text: str, container=None) -> None:
    (container or st).markdown(f'<div class="wall-section">{text}</div>', unsafe_allow_html=True)


def numbers(keys: tuple[str, ...], values: dict) -> None:
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        ui.kpi_metric(key, values[key], container=col)


def chart(container, figure) -> None:
    container.vega_lite_chart(charts.on_dark(figure), theme=None)


def html_table(container, df, labels: dict[str, str]) -> None:
    shown = df[list(labels)].rename(columns=labels)
    container.markdown(
        shown.to_html(
            index=False, classes="wall-table", border=0, na_rep="—", float_format="{:,.1f}".format
        ),
        unsafe_allow_html=True,
    )


def overview_view() -> None:
    month = overview.reporting_month()
    title("overview", f"数据截至 {month:%Y年%m月}")
    values = overview.headline(scope)
    numbers(("elders", "elders_80", "elders_alone", "institutions", "family_beds"), values)
    numbers(
        ("work_orders", "order_amount", "order_subsidy", "alarms", "complaints_on_time"), values
    )
    left, right = st.columns(2)
    section("近12个月居家服务工单", left)
    chart(
        left,
        charts.trend(overview.monthly_trend(scope), "month_start", "work_orders",
                     {"month_start": "月份", "work_orders": "工单数"}, height=CHART_HEIGHT),
    )  # fmt: skip
    ranking = overview.county_ranking(scope)
    section(f"本月{'镇街' if scope.county_code else '县区'}工单", right)
    if not ranking.empty:
        chart(
            right,
            charts.bars(ranking.head(10), "area_name", "work_orders",
                        {"area_name": "", "work_orders": "工单数"}, height=CHART_HEIGHT),
        )  # fmt: skip


def alarms_view() -> None:
    day = alarms.today()
    title("alarms", f"今日 {day:%Y年%m月%d日}" if day else "")
    values = {
        **alarms.board(scope),
        **family_beds.device_numbers(scope),
    }
    numbers(("alarms_today", "alarms", "alarms_open", "alarm_p50", "alarm_p90"), values)
    numbers(("alarm_response", "devices_offline", "device_online_rate"), values)
    left, mid, right = st.columns([1, 1, 1.2])
    types = alarms.by_type(scope)
    section("本月报警类型", left)
    if not types.empty:
        titles = {"alarm_type_label": "", "alarms": "报警数"}
        chart(left, charts.bars(types, "alarm_type_label", "alarms", titles, height=CHART_HEIGHT))
    daily = alarms.daily(scope)
    section("近30天每日报警", mid)
    if not daily.empty:
        titles = {"alarm_date": "日期", "alarms": "报警数"}
        chart(mid, charts.daily_trend(daily, "alarm_date", "alarms", titles, height=CHART_HEIGHT))
    section("未处置报警 (最新)", right)
    html_table(
        right,
        alarms.open_alarms(scope, limit=9),
        {"alarm_time": "报警时间", "alarm_type_label": "类型", "county_name": "县区",
         "town_name": "镇街"},
    )  # fmt: skip


def service_view() -> None:
    month = overview.reporting_month()
    title("service", f"{month:%Y年%m月}")
    values = home_service.headline(scope, month)
    numbers(("work_orders", "order_amount", "order_subsidy", "hs_service_hours"), values)
    numbers(("hs_satisfaction", "hs_denial_rate", "hs_under_min_rate", "hs_over_max_rate"), values)
    left, right = st.columns([1, 1.3])
    section("本月服务类别", left)
    categories = home_service.by_category(scope, month)
    if not categories.empty:
        titles = {"item_category": "", "work_orders": "工单数"}
        chart(
            left,
            charts.bars(categories, "item_category", "work_orders", titles, height=CHART_HEIGHT),
        )
    section("服务商排名 (本月工单)", right)
    html_table(
        right,
        home_service.providers(scope, month).head(9),
        {"ranking": "排名", "org_name": "服务商", "work_orders": "工单", "amount": "金额(元)",
         "satisfaction_rate_pct": "满意率(%)", "denial_rate_pct": "否认服务(%)"},
    )  # fmt: skip


RENDER = {"overview": overview_view, "alarms": alarms_view, "service": service_view}


@st.fragment(run_every=rotate)
def wall() -> None:
    """One view per run; the fragment re-runs itself every ``rotate`` seconds."""
    index = st.session_state["wall_tick"] % len(names)
    st.session_state["wall_tick"] += 1
    RENDER[names[index]]()
    dots = " ".join(
        f'<span class="on">● {VIEWS[n]}</span>' if i == index else f"○ {VIEWS[n]}"
        for i, n in enumerate(names)
    )
    st.markdown(
        f'<div class="wall-foot">{dots}　·　每 {rotate} 秒自动切换</div>', unsafe_allow_html=True
    )


wall()
