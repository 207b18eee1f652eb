"""Chinese names for the codes the quality and audit tables hold (rules, changes, issue kinds).

Display text only: every number on the 数据质量 page comes from ``cockpit/data/quality.py``. The
entities' own names come from ``seeds/quality_bar.yml`` (its ``label:``), the one definition of
the bar.
"""

from __future__ import annotations

from functools import cache

from quality.bar import load_bar

# seeds/quality_bar.yml rule names -> what a data steward reads
RULES: dict[str, str] = {
    "id_card_form": "身份证号非标准18位格式 (小写x、空格、全角、15位)",
    "id_card_invalid": "身份证号无效 (校验位、位数或出生日期错误)",
    "birthday_contradicts_id": "出生日期与身份证号不符",
    "sex_contradicts_id": "性别与身份证号不符",
    "economic_type_coded": "经济状况不是字典中的代码或名称",
    "phone_form": "电话号码格式不规范 (+86、空格、横线)",
    "area_code_form": "区划填写为名称而非代码",
    "credit_code_valid": "统一社会信用代码不符合 GB 32100",
    "coordinates_in_city": "坐标不在湛江范围内 (为零或经纬度颠倒)",
    "org_name_form": "机构名称含全角括号或多余空格",
    "bed_no_unique": "同一房间床位号重复",
    "id_card_valid": "身份证号无效",
    "post_coded": "岗位不是字典中的代码或名称",
    "revoked_after_built": "撤床日期早于建床日期",
    "sn_one_elder": "同一设备序列号绑定了第二位长者",
    "value_possible": "监测数值超出生理范围",
    "not_reuploaded": "重复上传的监测数据",
    "time_iso": "测量时间不是标准日期时间 (毫秒时间戳等)",
    "value_numeric": "数值中带单位或非数字",
    "unit_standard": "单位不规范 (如血糖 mg/dL)",
    "handled_after_raised": "处理时间早于报警时间",
    "alarm_type_coded": "报警类型不是字典中的代码或名称",
    "end_after_start": "结束时间早于开始时间",
    "order_status_coded": "工单状态不是字典中的代码或名称",
    "amount_numeric": "金额不是纯数字 (如“12元”)",
    "order_exists": "回访对应的工单不存在",
    "visit_result_coded": "回访结果不是字典中的代码或名称",
    "elder_known": "通话关联的长者不存在",
    "call_type_coded": "通话类型不是字典中的代码或名称",
    "deduction_needs_failure": "检查合格的项目却有扣分",
    "result_coded": "检查结果不是字典中的代码或名称",
    "reply_after_create": "答复时间早于提交时间",
    "close_after_create": "办结时间早于提交时间",
    "residents_within_beds": "在院老人数超过实际床位数",
    "staff_covers_caregivers": "护理员数超过工作人员数",
    "numbers_numeric": "数字栏填写了文字 (如“25人”)",
}
RULE_CLASSES = {"wrong": "错误 (计入错误率)", "format": "格式不规范 (不计入达标)"}
CHECKS = {"completeness": "完整率 = 100 %", "error_rate": "错误率 < 1 %"}
CHANGES = {
    "new": "新增",
    "gone": "消失",
    "fell_below_bar": "跌破标准",
    "reached_bar": "达到标准",
    "worse": "变差",
    "better": "改善",
}
ISSUES = {
    "not_reported": "未报送",
    "late": "逾期报送",
    "filled_date_missing": "未填填报日期",
    "unmatched_report": "无法匹配机构",
    "residents_above_beds": "在院人数超过实际床位",
    "beds_above_approved": "实际床位超过核定床位",
    "approved_beds_differ": "核定床位与系统不一致",
    "residents_differ": "在院人数与系统不一致",
}
MEASURES = {"work_orders": "工单数", "alarms": "报警数", "complaints": "投诉数"}
LEVELS = {"county": "县区", "org": "机构"}
DIRECTIONS = {"jump": "激增", "fall": "骤降"}
STAGES = {"landing": "迁移落地 (源库 → raw)", "staging": "清洗入库 (raw → 仓库)"}
TEXT_FIELDS = {"dish_name": "菜品名称", "org_name": "机构名称", "description": "机构简介"}
TABLES_EXTRA = {
    "sys_area": "行政区划",
    "sys_dict_data": "数据字典",
    "yl_org_resident": "机构入住",
    "yl_service_item": "服务项目",
    "yl_canteen_dish": "长者食堂菜品",
    "yl_meal_order": "助餐订单",
    "yl_death_registry": "死亡登记",
}


@cache
def entities() -> dict[str, str]:
    """entity -> Chinese name, in the rule file's order."""
    return {name: e.label for name, e in load_bar().entities.items()}


@cache
def tables() -> dict[str, str]:
    """legacy table -> Chinese name."""
    return {e.table: e.label for e in load_bar().entities.values()} | TABLES_EXTRA


def bar_limits() -> tuple[float, float]:
    """(completeness required, error rate ceiling) of seeds/quality_bar.yml."""
    bar = load_bar()
    return bar.completeness, bar.max_error_rate


def bar_text() -> str:
    """The city's bar as a reader sees it (values from seeds/quality_bar.yml)."""
    bar = load_bar()
    return f"完整率 ≥ {bar.completeness:.0%}，错误率 < {bar.max_error_rate:.0%}"
