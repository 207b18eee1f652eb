"""老人档案 (#19): find elders by 长者码 or by conditions, page through them, open a card."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import archives, contact, smart_models

viewer = ui.viewer()
if not viewer.may("archives"):
    st.error("您的角色无权查看老人档案。")
    st.stop()

ui.header(
    "老人档案",
    "按长者码或条件查找长者；档案卡显示脱敏身份、工单、报警、家庭养老床位、机构入住、设备，"
    "有健康数据权限的角色可查看健康监测趋势。",
)
scope = ui.scope_bar()
categories, flags = archives.filters()

with st.container(border=True):
    cols = st.columns(4)
    code_text = cols[0].text_input("长者码", placeholder="完整长者码或开头几位", key="elder_q_code")
    chosen = []
    for i, (key, category) in enumerate(categories.items(), start=1):
        value = cols[i % 4].selectbox(
            category.label,
            [None, *archives.options(scope, key)],
            format_func=lambda v: "全部" if v is None else v,
            key=f"elder_q_{key}",
        )
        if value is not None:
            chosen.append((key, value))
    flag_keys = st.multiselect(
        "条件 (同时满足)",
        list(flags),
        format_func=lambda k: flags[k].label,
        key="elder_q_flags",
        placeholder="可多选：80岁及以上、已故、在建家床、近90天有工单……",
    )

code = archives.normalize_code(code_text) if code_text.strip() else None
if code_text.strip() and code is None:
    st.warning("长者码由数字、大写字母及 * ~ $ = 组成，最长18位，请检查输入。")
    st.stop()

query = archives.ElderQuery(code=code, categories=tuple(chosen), flags=tuple(flag_keys))
total = archives.count(scope, query)
page = ui.pager(total, archives.PAGE_SIZE, "elder_page", (scope, query))
rows = archives.search(scope, query, page)
ui.table(
    rows, f"老人档案_第{page}页",
    labels={"elder_code": "长者码", "id_card_masked": "身份证号(脱敏)", "sex": "性别",
            "age": "年龄(岁)", "county_name": "县区", "town_name": "镇街",
            "economic_type": "经济状况", "ability_level": "能力等级", "living_type": "居住状况",
            "is_deceased": "已故", "is_live": "在册"},
    key="dl_elders",
)  # fmt: skip

# The card: chosen below, or given in the URL (?elder=…) so it can be shared; the data
# functions return nothing for an elder outside the viewer's scope.
requested = st.query_params.get("elder")
if code and total == 1 and not requested:
    requested = rows.iloc[0]["elder_code"]
options = [None, *rows["elder_code"]]
if requested and requested not in options:
    options.append(requested)
selected = st.selectbox(
    "查看档案卡",
    options,
    index=options.index(requested) if requested else 0,
    format_func=lambda c: "请选择长者码" if c is None else c,
)
if selected != st.query_params.get("elder"):
    ui.set_param("elder", selected)
if not selected:
    st.stop()

card = archives.elder(scope, selected)
if card is None:
    st.warning(f"未找到长者码 {selected}，或该长者不在您的查看范围内。")
    st.stop()

st.subheader(f"档案卡 · {card['elder_code']}")
status = "在世" if not card["is_deceased"] else f"已故 ({card['death_date']:%Y年%m月%d日})"
fields = [
    ("身份证号(脱敏)", card["id_card_masked"]), ("性别", card["sex"]),
    ("年龄", f"{card['age']} 岁" + (" (去世时)" if card["is_deceased"] else "")), ("状态", status),
    ("县区", card["county_name"]), ("镇街", card["town_name"]),
    ("经济状况", card["economic_type"]), ("能力等级", card["ability_level"]),
    ("居住状况", card["living_type"]), ("在册", "是" if card["is_live"] else "否 (源记录均已删除)"),
    ("来源长者ID", card["source_elder_ids"]), ("合并源记录", f"{card['source_row_count']} 条"),
]  # fmt: skip
with st.container(border=True):
    cols = st.columns(4)
    for i, (label, value) in enumerate(fields):
        cols[i % 4].markdown(f"**{label}**  \n{value if value is not None else '—'}")

# 联系方式: masked; a 县区用户 may see one elder's in clear, for a stated reason (audited).
# The clear values are shown in this run only: nothing keeps them.
contact_row = contact.masked(scope, selected) if contact.available() else None
if contact_row is not None and not contact_row.empty:
    with st.container(border=True):
        st.markdown("**联系方式** (脱敏)")
        cols = st.columns(3)
        for i, (column, label) in enumerate(contact.LABELS.items()):
            value = contact_row.iloc[0][column]
            cols[i % 3].markdown(f"**{label}**  \n{value if value else '—'}")
        if contact.can_unmask(viewer):
            with st.form("unmask", clear_on_submit=True):
                reason = st.text_input(
                    "查看明文的事由 (必填，记入审计日志；请勿填写个人信息)",
                    placeholder="例如：电话回访核实服务情况",
                    key="unmask_reason",
                )
                asked = st.form_submit_button("查看明文", icon=":material/visibility:")
            if asked:
                try:
                    clear = contact.unmask(viewer, selected, reason)
                except ValueError:
                    st.warning(f"请填写查看事由 (至少{contact.MIN_REASON}个字)。")
                else:
                    if clear is None:
                        st.warning("该长者不在您的查看范围内。")
                    else:
                        st.info(
                            "　".join(
                                f"{label}：{clear[c] or '—'}" for c, label in contact.LABELS.items()
                            ),
                            icon=":material/visibility:",
                        )

# 老人画像 (models/profile.py): tags and their evidence; health tags only with ``health``
profile = (
    smart_models.profile_of(viewer, scope, selected)
    if smart_models.available()["elder_profile"]
    else None
)
if profile:
    badges = " ".join(f":blue-badge[{t}]" for t in profile["tags"]) or "无"
    st.markdown(f"**画像标签** {badges} · 分群：{profile['segment_label']}")
    with st.expander(f"标签依据 (截至 {profile['as_of_date']:%Y年%m月%d日})"):
        st.markdown("\n".join(f"- {e}" for e in profile["evidence"]) or "无")

summary = archives.order_summary(scope, selected)
tabs = st.tabs(["工单", "报警", "家庭养老床位", "机构入住", "设备", "健康监测"])
with tabs[0]:
    last = summary["last_start"]
    st.markdown(
        f"共 **{summary['orders']:,}** 单，金额 {summary['amount']:,.2f} 元，"
        f"补贴 {summary['subsidy']:,.2f} 元"
        + (f"，最近一次服务 {last:%Y年%m月%d日}" if summary["orders"] else "")
        + "（下表为最近100单）"
    )
    ui.table(
        archives.orders(scope, selected), f"{selected}_工单",
        labels={"order_no": "工单号", "start_time": "开始时间", "item_category": "服务类别",
                "item_name": "服务项目", "org_name": "服务机构", "duration_min": "时长(分钟)",
                "amount": "金额(元)", "subsidy_amount": "补贴(元)",
                "order_status_label": "状态", "rating": "评价"},
        key="dl_elder_orders",
    )  # fmt: skip
with tabs[1]:
    ui.table(
        archives.alarms(scope, selected), f"{selected}_报警",
        labels={"alarm_time": "报警时间", "alarm_type": "报警类型", "device_sn": "设备序列号",
                "is_handled": "已处置", "handle_time": "处置时间",
                "response_minutes": "响应(分钟)", "handle_result": "处置结果"},
        key="dl_elder_alarms",
    )  # fmt: skip
with tabs[2]:
    ui.table(
        archives.family_bed(scope, selected), f"{selected}_家庭养老床位",
        labels={"bed_code": "床位码", "state": "状态", "valid_from": "起", "valid_to": "止",
                "is_current": "当前状态", "org_name": "服务商",
                "is_active_after_death": "身故后仍在建"},
        key="dl_elder_fbed",
    )  # fmt: skip
with tabs[3]:
    ui.table(
        archives.stays(scope, selected), f"{selected}_机构入住",
        labels={"org_name": "养老机构", "bed_code": "床位码", "check_in_date": "入住日期",
                "check_out_date": "退住日期", "care_level": "护理等级", "stay_days": "入住天数",
                "is_current": "在住", "is_overlapping": "入住时段重叠"},
        key="dl_elder_stays",
    )  # fmt: skip
with tabs[4]:
    devices = archives.devices(scope, selected)
    if devices is None:
        st.info("设备数据尚未发布到数据仓库 (marts.fct_device)，暂无法显示该长者的设备。")
    else:
        ui.table(
            devices, f"{selected}_设备",
            labels={"device_sn": "设备序列号", "device_type": "设备类型", "status": "状态",
                    "bind_time": "绑定时间", "unbind_time": "解绑时间", "is_online": "在线",
                    "last_online_time": "最后在线时间", "bed_code": "床位码",
                    "elder_code": "长者码", "county_code": "县区代码", "town_code": "镇街代码"},
            key="dl_elder_devices",
        )  # fmt: skip
with tabs[5]:
    if not viewer.may("health"):
        st.info("健康监测数据仅对具有“健康数据”权限的角色开放，如需查看请联系系统管理员。")
    else:
        health = archives.health_daily(viewer, scope, selected)
        if health.empty:
            st.info("该长者暂无血压、心率、血糖监测数据。")
        else:
            st.caption(
                f"该长者最近90天的监测数据 ({health['measure_date'].min():%Y年%m月%d日}"
                f" 至 {health['measure_date'].max():%Y年%m月%d日})，每日平均值。"
            )
            titles = {"measure_date": "日期", "item": "指标", "avg_value": "日均值"}
            for items, title in (
                (("SBP", "DBP"), "血压 (mmHg)"), (("HR",), "心率 (次/分)"), (("GLU",), "血糖 (mmol/L)"),
            ):  # fmt: skip
                part = health[health["item_code"].isin(items)]
                if not part.empty:
                    st.markdown(f"**{title}**")
                    st.vega_lite_chart(
                        charts.daily_lines(
                            part,
                            "measure_date",
                            "item",
                            "avg_value",
                            {**titles, "avg_value": title},
                        )
                    )
