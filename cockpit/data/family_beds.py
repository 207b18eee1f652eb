"""家庭养老床位专题 (#16, #34–39): bed states by area, build and revoke records, devices online.

The alarm board (智能监控看板, #38) is ``cockpit/data/alarms.py``, the call centre (#40–45)
``cockpit/data/calls.py``. Beds and devices are placed by their elder's home (county, town).
"""

from __future__ import annotations

import pandas as pd

from cockpit.data._sql import percent, rounded
from cockpit.data.core import query, scalar
from cockpit.data.overview import reporting_month
from cockpit.kpis import Kpi, get, register
from cockpit.scope import Scope

STATES = ("申请", "评估", "建床", "撤床")
RECORD_KINDS = ("建床", "撤床")

_BED = "from marts.fct_family_bed where {where}"
_BED_ROWS = (
    "select fbed_id, bed_code, elder_code, org_code, county_code, town_code, apply_date,"
    " assess_date, assess_level, build_date, revoke_date, current_state, current_state_since "
)
_IN_MONTH = "{col} >= {{month}} and {col} < {{month}} + interval '1 month'"
_DEVICE = "from marts.fct_device where {where}"
_DEVICE_ROWS = (
    "select device_id, device_sn, device_type, elder_code, bed_code, bind_time,"
    " last_online_time, reference_time, is_online, county_code, town_code "
)


def _state_kpi(key: str, label: str, state: str, definition: str) -> Kpi:
    cond = f"current_state = '{state}'"
    return Kpi(
        key, label, "张", definition, "marts.fct_family_bed", ("current_state",),
        f"select count(*) {_BED} and {cond}",
        f"{_BED_ROWS}{_BED} and {cond} order by fbed_id",
    )  # fmt: skip


def _step_kpi(key: str, label: str, column: str, step: str) -> Kpi:
    cond = _IN_MONTH.format(col=column)
    return Kpi(
        key, label, "张",
        f"报告月内{step}的家床记录数 ({column} 在报告月内)，按长者住址归属区域。",
        "marts.fct_family_bed", (column,),
        f"select count(*) {_BED} and {cond}",
        f"{_BED_ROWS}{_BED} and {cond} order by fbed_id",
    )  # fmt: skip


_ONLINE_RULE = (
    "在线 = 已绑定且最后在线时间不早于参照时间前24小时；参照时间为数据截至时刻"
    " (设备最后在线、报警、健康读数中最晚者，且不晚于数据装载时间)，不取系统当前时间。"
)

register(
    _state_kpi("fbed_applying", "申请中", "申请", "当前处于“申请”步骤 (已申请、尚未评估) 的家床记录数。"),
    _state_kpi("fbed_assessing", "评估完成待建床", "评估", "当前处于“评估”步骤 (已评估、尚未建床) 的家床记录数。"),
    _state_kpi("fbed_built", "在建床位", "建床", "当前处于“建床”步骤 (已建床、未撤床) 的家床记录数，一条记录即一户一床。"),
    _state_kpi("fbed_revoked", "已撤床", "撤床", "已撤床的家床记录数 (累计)。"),
    _step_kpi("fbed_applied_month", "本月申请", "apply_date", "申请"),
    _step_kpi("fbed_built_month", "本月建床", "build_date", "建床"),
    _step_kpi("fbed_revoked_month", "本月撤床", "revoke_date", "撤床"),
    Kpi(
        "devices_bound", "在用设备", "台",
        "已绑定 (未解绑) 的智能设备数，按绑定长者的住址归属区域。",
        "marts.fct_device", ("is_bound",),
        f"select count(*) {_DEVICE} and is_bound",
        f"{_DEVICE_ROWS}{_DEVICE} and is_bound order by device_id",
    ),
    Kpi(
        "devices_online", "在线设备", "台", f"在用设备中在线的台数。{_ONLINE_RULE}",
        "marts.fct_device", ("is_online", "last_online_time", "reference_time"),
        f"select count(*) {_DEVICE} and is_online",
        f"{_DEVICE_ROWS}{_DEVICE} and is_online order by device_id",
    ),
    Kpi(
        "devices_offline", "离线设备", "台",
        f"在用设备中超过24小时未上线的台数。{_ONLINE_RULE}",
        "marts.fct_device", ("is_bound", "is_online", "last_online_time", "reference_time"),
        f"select count(*) {_DEVICE} and is_bound and not is_online",
        f"{_DEVICE_ROWS}{_DEVICE} and is_bound and not is_online order by device_id",
    ),
    Kpi(
        "device_online_rate", "设备在线率", "%", f"在线设备 ÷ 在用设备。{_ONLINE_RULE}",
        "marts.fct_device", ("is_bound", "is_online"),
        f"select avg(case when is_online then 1.0 else 0.0 end) {_DEVICE} and is_bound",
        f"{_DEVICE_ROWS}{_DEVICE} and is_bound order by device_id",
    ),
)  # fmt: skip

STATE_KPIS = ("fbed_applying", "fbed_assessing", "fbed_built", "fbed_revoked")
MONTH_KPIS = ("fbed_applied_month", "fbed_built_month", "fbed_revoked_month")
DEVICE_KPIS = ("devices_bound", "devices_online", "devices_offline", "device_online_rate")


def _values(keys: tuple[str, ...], scope: Scope) -> dict[str, object]:
    month = reporting_month()
    out = {}
    for key in keys:
        sql, params = get(key).render(scope, month)
        out[key] = scalar(sql, params)
    return out


def bed_numbers(scope: Scope) -> dict[str, object]:
    """Records in each current state, and this month's applications, builds and revokes."""
    return _values(STATE_KPIS + MONTH_KPIS, scope)


def device_numbers(scope: Scope) -> dict[str, object]:
    """Devices in use, online, offline and the online rate."""
    return _values(DEVICE_KPIS, scope)


def _area_column(scope: Scope) -> str:
    """Rows of a by-area table: counties for the city, towns inside a county or town."""
    return "town_code" if scope.county_code else "county_code"


def states_by_area(scope: Scope) -> pd.DataFrame:
    """Per county (city) or town (county): records in each current state, and this month's
    applications, builds and revokes."""
    col = _area_column(scope)
    predicate, params = scope.where("b.county_code", "b.town_code")
    month = reporting_month()
    states = ", ".join(
        f"cast(sum(case when b.current_state = '{s}' then 1 else 0 end) as integer) as state_{i}"
        for i, s in enumerate(STATES, start=1)
    )
    steps = ", ".join(
        f"cast(sum(case when b.{c} >= ? and b.{c} < ? + interval '1 month' then 1 else 0 end)"
        f" as integer) as {name}"
        for c, name in (
            ("apply_date", "applied_month"),
            ("build_date", "built_month"),
            ("revoke_date", "revoked_month"),
        )
    )
    return query(
        f"select b.{col} as area_code, coalesce(a.area_name, '未知区域') as area_name,"
        f" {states}, {steps}, count(*) as records"
        f" from marts.fct_family_bed b left join marts.dim_area a on a.area_code = b.{col}"
        f" where {predicate} group by 1, 2 order by state_3 desc, area_code",
        (*[month] * 6, *params),
    )


# Build (建床) and revoke (撤床) events, one row per event.
_EVENTS = " union all ".join(
    f"select '{kind}' as event, {col} as event_date, fbed_id, bed_code, elder_code, org_code,"
    " county_code, town_code, assess_level, monthly_subsidy"
    f" from marts.fct_family_bed where {col} is not null"
    for kind, col in (("建床", "build_date"), ("撤床", "revoke_date"))
)


def _record_filter(scope: Scope, kind: str | None) -> tuple[str, tuple]:
    if kind is not None and kind not in RECORD_KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    predicate, params = scope.where("r.county_code", "r.town_code")
    if kind:
        return f"{predicate} and r.event = ?", (*params, kind)
    return predicate, params


def record_count(scope: Scope, kind: str | None = None) -> int:
    predicate, params = _record_filter(scope, kind)
    return int(scalar(f"select count(*) from ({_EVENTS}) r where {predicate}", params) or 0)


def records(
    scope: Scope, kind: str | None = None, limit: int = 50, offset: int = 0
) -> pd.DataFrame:
    """One page of build/revoke records, newest first (paginated in SQL)."""
    predicate, params = _record_filter(scope, kind)
    df = query(
        "select r.event_date, r.event, r.bed_code, r.elder_code, o.org_name,"
        " coalesce(c.area_name, r.county_code) as county_name,"
        " coalesce(t.area_name, r.town_code) as town_name, r.assess_level, r.monthly_subsidy"
        f" from ({_EVENTS}) r"
        " left join marts.dim_org o on o.org_code = r.org_code"
        " left join marts.dim_area c on c.area_code = r.county_code"
        " left join marts.dim_area t on t.area_code = r.town_code"
        f" where {predicate}"
        " order by r.event_date desc, r.fbed_id desc, r.event limit ? offset ?",
        (*params, limit, offset),
    )
    df["event_date"] = pd.to_datetime(df["event_date"]).dt.date  # a day, shown without a time
    return df


def devices_by_type(scope: Scope) -> pd.DataFrame:
    """Devices per type: bound, online, offline (no contact for 24 h), unbound, online rate."""
    predicate, params = scope.where()
    return query(
        "select coalesce(device_type, '未知') as device_type,"
        " cast(sum(case when is_bound then 1 else 0 end) as integer) as bound,"
        " cast(sum(case when is_online then 1 else 0 end) as integer) as online,"
        " cast(sum(case when is_bound and not is_online then 1 else 0 end) as integer) as offline,"
        " cast(sum(case when is_bound then 0 else 1 end) as integer) as unbound,"
        f" {percent('avg(case when is_bound then case when is_online then 1.0 else 0.0 end end)')}"
        " as online_rate_pct"
        f" from marts.fct_device where {predicate} group by 1 order by bound desc, device_type",
        params,
    )


def offline_devices(scope: Scope, limit: int = 100) -> pd.DataFrame:
    """Bound devices without contact for 24 h, the longest silent first."""
    predicate, params = scope.where()
    return query(
        "select device_sn, device_type, elder_code, bed_code, last_online_time,"
        f" {rounded('hours_since_online')} as hours_since_online, county_code, town_code,"
        " is_serial_shared"
        f" from marts.fct_device where {predicate} and is_bound and not is_online"
        " order by hours_since_online desc nulls first, device_sn limit ?",
        (*params, limit),
    )


def device_reference_time() -> pd.Timestamp | None:
    """The data's end the online rule is judged against (one value for every device)."""
    value = scalar("select max(reference_time) from marts.fct_device")
    return None if value is None else pd.Timestamp(value)
