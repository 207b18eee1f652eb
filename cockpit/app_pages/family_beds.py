"""家庭养老床位专题 (#16, #34–39, #40–46): bed states by area, build and revoke records, devices,
the alarm board (智能监控看板) and the call centre."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import alarms, calls, family_beds

ui.header(
    "家庭养老床位专题",
    "家床申请、评估、建床、撤床全流程，智能设备在线情况，报警处置与呼叫中心；按长者住址归属区域。",
)
scope = ui.scope_bar()
area_title = "镇街" if scope.county_code else "县区"
beds_tab, records_tab, devices_tab, board_tab, calls_tab = st.tabs(
    ["床位状态", "建床与撤床记录", "智能设备", "智能监控看板", "呼叫中心"]
)

with beds_tab:
    values = family_beds.bed_numbers(scope)
    st.markdown("**当前状态**")
    ui.kpi_row(family_beds.STATE_KPIS, values, scope, per_row=4)
    st.markdown("**本月流转**")
    ui.kpi_row(family_beds.MONTH_KPIS, values, scope, per_row=4)
    by_area = family_beds.states_by_area(scope)
    state_titles = {"area_name": area_title, "state_1": "申请中", "state_2": "评估完成待建床",
                    "state_3": "在建", "state_4": "已撤床"}  # fmt: skip
    st.subheader(f"各{area_title}床位状态")
    if by_area.empty:
        st.info("当前范围内没有家庭养老床位记录。")
    else:
        st.vega_lite_chart(
            charts.grouped_bars(
                by_area, "area_name", ["state_1", "state_2", "state_3", "state_4"], state_titles
            )
        )
        ui.table(
            by_area,
            "家床状态_分区域",
            labels={"area_code": "区划代码", **state_titles, "applied_month": "本月申请",
                    "built_month": "本月建床", "revoked_month": "本月撤床", "records": "家床记录"},
        )  # fmt: skip

with records_tab:
    left, right, _ = st.columns([1, 1, 2])
    kind_label = left.selectbox("记录类型", ["全部", *family_beds.RECORD_KINDS], key="fb_kind")
    kind = None if kind_label == "全部" else kind_label
    size = right.selectbox("每页条数", [50, 100, 500], key="fb_size")
    total = family_beds.record_count(scope, kind)
    page = ui.pager(total, size, "fb_page", (scope, kind, size))
    ui.table(
        family_beds.records(scope, kind, limit=size, offset=(page - 1) * size),
        "建床撤床记录",
        labels={"event_date": "日期", "event": "类型", "bed_code": "床位码", "elder_code": "长者码",
                "org_name": "服务机构", "county_name": "县区", "town_name": "镇街",
                "assess_level": "评估等级", "monthly_subsidy": "月补贴(元)"},
    )  # fmt: skip

with devices_tab:
    reference = family_beds.device_reference_time()
    ui.kpi_row(family_beds.DEVICE_KPIS, family_beds.device_numbers(scope),
               scope, per_row=4)  # fmt: skip
    if reference is not None:
        st.caption(
            f"在线判定参照时间：{reference:%Y年%m月%d日 %H:%M}（数据截至时刻），"
            "超过24小时未上线即为离线。"
        )
    by_type = family_beds.devices_by_type(scope)
    device_titles = {"device_type": "设备类型", "online": "在线", "offline": "离线",
                     "bound": "在用", "unbound": "已解绑", "online_rate_pct": "在线率(%)"}  # fmt: skip
    left, right = st.columns(2)
    if not by_type.empty:
        left.vega_lite_chart(
            charts.grouped_bars(by_type, "device_type", ["online", "offline"], device_titles)
        )
    with right:
        ui.table(by_type, "设备在线_分类型", labels=device_titles)
    st.subheader("离线设备")
    ui.table(
        family_beds.offline_devices(scope),
        "离线设备",
        labels={"device_sn": "设备序列号", "device_type": "设备类型", "elder_code": "长者码",
                "bed_code": "床位码", "last_online_time": "最后在线时间",
                "hours_since_online": "离线时长(小时)", "county_code": "县区代码",
                "town_code": "镇街代码", "is_serial_shared": "序列号重复绑定"},
    )  # fmt: skip

with board_tab:
    day = alarms.today()
    board = alarms.board(scope)
    ui.kpi_row(alarms.BOARD_KPIS, board, scope, per_row=6)
    if day is not None:
        st.caption(f"今日 = 数据中最新报警日 {day:%Y年%m月%d日}；本月 = 报告月。")
    left, right = st.columns(2)
    types = alarms.by_type(scope)
    type_titles = {"alarm_type_label": "报警类型", "alarms": "报警数", "handled": "已处置",
                   "unhandled": "未处置", "p50_minutes": "响应P50(分钟)",
                   "p90_minutes": "响应P90(分钟)", "alarm_type": "类型代码"}  # fmt: skip
    with left:
        st.markdown("**本月报警类型**")
        if not types.empty:
            st.vega_lite_chart(charts.bars(types, "alarm_type_label", "alarms", type_titles))
        ui.table(types, "报警_分类型", labels=type_titles)
    with right:
        st.markdown("**近30天每日报警**")
        daily = alarms.daily(scope)
        if not daily.empty:
            st.vega_lite_chart(
                charts.daily_trend(
                    daily, "alarm_date", ["alarms", "unhandled"],
                    {"alarm_date": "日期", "alarms": "报警数", "unhandled": "未处置"},
                )
            )  # fmt: skip
    st.subheader("未处置报警")
    open_page = ui.pager(int(board["alarms_open"] or 0), 50, "open_alarm_page", scope)
    ui.table(
        alarms.open_alarms(scope, limit=50, offset=(open_page - 1) * 50),
        "未处置报警",
        labels={"alarm_time": "报警时间", "alarm_type_label": "报警类型", "elder_code": "长者码",
                "device_sn": "设备序列号", "county_code": "县区代码", "county_name": "县区",
                "town_name": "镇街"},
    )  # fmt: skip

with calls_tab:
    ui.kpi_row(calls.CALL_KPIS, calls.kpi_values(scope), scope, per_row=4)
    st.markdown("**本月每日呼入呼出**")
    daily_calls = calls.daily(scope)
    if not daily_calls.empty:
        st.vega_lite_chart(
            charts.daily_trend(
                daily_calls, "call_date", ["calls_in", "calls_out"],
                {"call_date": "日期", "calls_in": "呼入", "calls_out": "呼出"},
            )
        )  # fmt: skip
    call_titles = {"calls": "通话数", "calls_in": "呼入", "calls_out": "呼出", "answered": "接通",
                   "talk_minutes": "通话时长(分钟)", "avg_talk_seconds": "平均通话(秒)"}  # fmt: skip
    left, right = st.columns(2)
    with left:
        st.markdown("**坐席工作量**")
        ui.table(calls.by_seat(scope), "呼叫中心_坐席", labels={"seat_no": "坐席", **call_titles})
    with right:
        st.markdown("**来电类型**")
        ui.table(calls.by_type(scope), "呼叫中心_类型", labels={"call_type": "类型", **call_titles})
