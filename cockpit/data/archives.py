"""老人档案 (#19): search and filter elders, page through them in SQL, and one elder's card.

Scope rule: an elder belongs to the county and town of ``dim_elder.county_code``/``town_code``;
every query here, the card's work orders, alarms, beds, stays, devices and health readings
included, joins ``dim_elder`` and filters it by the viewer's scope, so a code from another county
finds nothing, whether typed into the search or put into the URL.

Personal data: masked ID number, sex and age only (no birth date: with the masked number's
visible digits it would give the number back), county and town names, the 长者码 and the legacy
ids it merged. Health readings need the ``health`` permission (``health_daily`` refuses without
it).

Filters are two registries, so a new attribute is one entry: ``CATEGORIES`` (one value of a
column) and ``FLAGS`` (a yes/no predicate). When the elder-profile model publishes
``marts.elder_profile``, its boolean tag columns become flags and its ``segment_label`` a
category (``filters()``), without a change here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from cockpit.data._sql import rounded
from cockpit.data.core import query, table_exists
from cockpit.data.overview import reporting_month
from cockpit.scope import Scope, Viewer

PAGE_SIZE = 50
CODE_CHARS = re.compile(r"^[0-9A-Z*~$=]{1,18}$")  # Crockford base-32 + check symbols
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
HEALTH_ITEMS = {"SBP": "收缩压", "DBP": "舒张压", "HR": "心率", "GLU": "血糖"}
ALARM_TYPES = {
    "SOS": "一键呼叫", "FALL": "跌倒", "SMOKE": "烟雾", "GAS": "燃气泄漏", "DOOR": "门磁异常",
    "LEAVE_BED": "离床", "HR_ABNORMAL": "心率异常",
}  # fmt: skip
CARE_LEVELS = {"1": "自理", "2": "介助", "3": "介护", "4": "特护"}  # yl_care_level (mart: code)


def as_of() -> dt.date:
    """The data's 今天: the last day of the reporting month."""
    start = reporting_month()
    return (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()


def _window_90() -> tuple[dt.date, dt.date]:
    end = as_of() + dt.timedelta(days=1)
    return end - dt.timedelta(days=90), end


@dataclass(frozen=True)
class Category:
    label: str
    expr: str  # SQL over alias ``e`` (dim_elder), from code


@dataclass(frozen=True)
class Flag:
    label: str
    sql: str  # predicate over alias ``e``, ``?`` bound to ``params()``
    params: Callable[[], tuple] = tuple


CATEGORIES: dict[str, Category] = {
    "economic_type": Category("经济状况", "e.economic_type"),
    "ability_level": Category("能力等级", "e.ability_level"),
    "living_type": Category("居住状况", "e.living_type"),
    "sex": Category("性别", "e.sex"),
}

FLAGS: dict[str, Flag] = {
    # the same threshold as the overview's 80岁及以上 (elders_80)
    "age80": Flag(
        "80岁及以上", "e.birth_date <= cast(? as date) - interval '80 years'",
        lambda: (reporting_month(),),
    ),
    "living": Flag("在世", "not e.is_deceased"),
    "deceased": Flag("已故", "e.is_deceased"),
    "family_bed": Flag(
        "在建家庭养老床位",
        "exists (select 1 from marts.fct_family_bed_state f where f.elder_code = e.elder_code"
        " and f.is_current and f.state = '建床')",
    ),
    "orders_90d": Flag(
        "近90天有工单",
        "exists (select 1 from marts.fct_work_order w where w.elder_code = e.elder_code"
        " and w.start_time >= ? and w.start_time < ?)",
        _window_90,
    ),
    "alarms_90d": Flag(
        "近90天有报警",
        "exists (select 1 from marts.fct_alarm a where a.elder_code = e.elder_code"
        " and a.alarm_time >= ? and a.alarm_time < ?)",
        _window_90,
    ),
    "resident": Flag(
        "在住养老机构",
        "exists (select 1 from marts.fct_residency r where r.elder_code = e.elder_code"
        " and r.is_current)",
    ),
}  # fmt: skip


def filters() -> tuple[dict[str, Category], dict[str, Flag]]:
    """The categories and flags on offer: the fixed ones plus the elder profile's, if published:
    ``segment_label`` (a category), each boolean column (a flag), and each tag of a text column
    ``tags`` holding comma-separated Chinese tags (a flag per tag)."""
    categories, flags = dict(CATEGORIES), dict(FLAGS)
    if not table_exists("marts", "elder_profile"):
        return categories, flags
    columns = query(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'elder_profile' order by ordinal_position"
    )
    profile = "e.elder_code in (select p.elder_code from marts.elder_profile p where {})"
    for name, data_type in columns.itertuples(index=False):
        kind = str(data_type).lower()
        if not _IDENT.match(name):  # the name goes into SQL: only plain identifiers
            continue
        if name == "segment_label":
            categories["segment_label"] = Category(
                "画像分群",
                "(select p.segment_label from marts.elder_profile p"
                " where p.elder_code = e.elder_code)",
            )
        elif kind in ("boolean", "bool"):
            flags[f"tag_{name}"] = Flag(f"画像：{name}", profile.format(f"p.{name}"))
        elif name == "tags" and kind in ("text", "varchar", "character varying"):
            for tag in _profile_tags():
                flags[f"tag:{tag}"] = Flag(
                    f"画像：{tag}",
                    profile.format("position(? in ',' || p.tags || ',') > 0"),
                    lambda tag=tag: (f",{tag},",),
                )
    return categories, flags


def _profile_tags(limit: int = 60) -> list[str]:
    """The distinct tags of ``marts.elder_profile.tags`` (comma-separated text)."""
    df = query(
        "select distinct tags from marts.elder_profile where tags is not null"
        " order by 1 limit 10000"
    )
    tags = {t.strip() for value in df["tags"] for t in str(value).split(",") if t.strip()}
    return sorted(tags)[:limit]


def normalize_code(text: str | None) -> str | None:
    """A typed 长者码 (or its beginning) in canonical form, or None when it cannot be one."""
    code = (text or "").strip().upper()
    return code if CODE_CHARS.match(code) else None


@dataclass(frozen=True)
class ElderQuery:
    """What the viewer asked for; scope comes separately and always applies."""

    code: str | None = None  # 长者码, exact or its beginning
    categories: tuple[tuple[str, str], ...] = ()  # (key of CATEGORIES, value)
    flags: tuple[str, ...] = field(default=())  # keys of FLAGS


_AREA = (
    " left join marts.dim_area ca on ca.area_code = e.county_code and ca.area_level = 2"
    " left join marts.dim_area ta on ta.area_code = e.town_code and ta.area_level = 3"
)
_AGE_AT = "coalesce(e.death_date, p.as_of)"
_AGE = (
    f"cast(extract(year from {_AGE_AT}) - extract(year from e.birth_date)"
    f" - case when extract(month from e.birth_date) * 100 + extract(day from e.birth_date)"
    f" > extract(month from {_AGE_AT}) * 100 + extract(day from {_AGE_AT}) then 1 else 0 end"
    " as integer)"
)
_LIST_COLUMNS = (
    f"e.elder_code, e.id_card_masked, e.sex, {_AGE} as age, ca.area_name as county_name,"
    " ta.area_name as town_name, e.economic_type, e.ability_level, e.living_type,"
    " e.is_deceased, e.is_live"
)


def _where(scope: Scope, q: ElderQuery) -> tuple[str, list]:
    categories, flags = filters()
    predicate, scope_params = scope.where("e.county_code", "e.town_code")
    parts, params = [predicate], list(scope_params)
    if q.code is not None:
        code = normalize_code(q.code)
        if code is None:
            raise ValueError("not a 长者码")
        parts.append("e.elder_code like ?")  # no wildcard can pass normalize_code
        params.append(code + "%")
    for key, value in q.categories:
        parts.append(f"{categories[key].expr} = ?")
        params.append(value)
    for key in q.flags:
        parts.append(flags[key].sql)
        params.extend(flags[key].params())
    return " and ".join(parts), params


def count(scope: Scope, q: ElderQuery) -> int:
    predicate, params = _where(scope, q)
    df = query(f"select count(*) as n from marts.dim_elder e where {predicate}", params)
    return int(df.iat[0, 0])


def search(scope: Scope, q: ElderQuery, page: int = 1, page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of matching elders, by 长者码."""
    predicate, params = _where(scope, q)
    return query(
        f"select {_LIST_COLUMNS} from marts.dim_elder e"
        f" cross join (select cast(? as date) as as_of) p{_AREA}"
        f" where {predicate} order by e.elder_code limit ? offset ?",
        (as_of(), *params, page_size, (max(page, 1) - 1) * page_size),
    )


def options(scope: Scope, key: str) -> list[str]:
    """The values a category takes among the scope's elders (for the filter widgets)."""
    categories, _ = filters()
    expr = categories[key].expr
    predicate, params = scope.where("e.county_code", "e.town_code")
    df = query(
        f"select distinct {expr} as v from marts.dim_elder e where {predicate}"
        f" and {expr} is not null order by 1",
        params,
    )
    return df["v"].tolist()


def elder(scope: Scope, code: str) -> dict | None:
    """One elder's identity card, or None when the code is unknown or outside the scope."""
    predicate, params = scope.where("e.county_code", "e.town_code")
    df = query(
        f"select {_LIST_COLUMNS}, e.death_date, e.source_elder_ids, e.source_row_count"
        f" from marts.dim_elder e cross join (select cast(? as date) as as_of) p{_AREA}"
        f" where e.elder_code = ? and {predicate}",
        (as_of(), code, *params),
    )
    return None if df.empty else df.iloc[0].to_dict()


def _of_elder(
    scope: Scope,
    code: str,
    select: str,
    table: str,
    order: str | None = None,
    *,
    org: bool = True,
    limit: int | None = None,
) -> pd.DataFrame:
    """Rows of a fact about one elder (alias ``x``; ``o`` its organisation), through
    ``dim_elder`` and the scope."""
    predicate, params = scope.where("e.county_code", "e.town_code")
    org_join = " left join marts.dim_org o on o.org_code = x.org_code" if org else ""
    tail = f" order by {order}" if order else ""
    tail += " limit ?" if limit else ""
    return query(
        f"select {select} from {table} x join marts.dim_elder e on e.elder_code = x.elder_code"
        f"{org_join} where x.elder_code = ? and {predicate}{tail}",
        (code, *params, *((limit,) if limit else ())),
    )


def order_summary(scope: Scope, code: str) -> dict:
    """Work orders of the elder: count, amounts, the latest start."""
    df = _of_elder(
        scope, code,
        "count(*) as orders, coalesce(sum(x.amount), 0) as amount,"
        " coalesce(sum(x.subsidy_amount), 0) as subsidy,"
        " max(x.start_time) as last_start",
        "marts.fct_work_order", org=False,
    )  # fmt: skip
    return df.iloc[0].to_dict()


def orders(scope: Scope, code: str, limit: int = 100) -> pd.DataFrame:
    """The elder's latest work orders."""
    return _of_elder(
        scope, code,
        "x.order_no, x.start_time, x.item_category, x.item_name, o.org_name,"
        f" {rounded('x.duration_min')} as duration_min,"
        " x.amount, x.subsidy_amount, x.order_status_label, x.rating",
        "marts.fct_work_order", "x.start_time desc, x.order_id desc", limit=limit,
    )  # fmt: skip


def alarms(scope: Scope, code: str, limit: int = 100) -> pd.DataFrame:
    df = _of_elder(
        scope, code,
        "x.alarm_time, x.alarm_type, x.device_sn, x.is_handled, x.handle_time,"
        " x.response_minutes, x.handle_result",
        "marts.fct_alarm", "x.alarm_time desc, x.alarm_id desc", org=False, limit=limit,
    )  # fmt: skip
    df["alarm_type"] = df["alarm_type"].map(lambda v: ALARM_TYPES.get(v, v))
    return df


def family_bed(scope: Scope, code: str) -> pd.DataFrame:
    """The family care bed's states (申请/评估/建床/撤床) with its provider."""
    return _of_elder(
        scope, code,
        "x.bed_code, x.state, x.valid_from, x.valid_to, x.is_current, o.org_name,"
        " x.is_active_after_death",
        "marts.fct_family_bed_state", "x.bed_code, x.state_order",
    )  # fmt: skip


def stays(scope: Scope, code: str) -> pd.DataFrame:
    """Stays in institutions (机构入住), latest first."""
    df = _of_elder(
        scope, code,
        "o.org_name, x.bed_code, x.check_in_date, x.check_out_date, x.care_level,"
        " x.stay_days, x.is_current, x.is_overlapping",
        "marts.fct_residency", "x.check_in_date desc",
    )  # fmt: skip
    df["care_level"] = df["care_level"].map(lambda v: CARE_LEVELS.get(v, v))
    return df


def devices(scope: Scope, code: str) -> pd.DataFrame | None:
    """The elder's devices from ``marts.fct_device``; None while that mart is not published."""
    if not table_exists("marts", "fct_device"):
        return None
    predicate, params = scope.where("e.county_code", "e.town_code")
    return query(
        "select x.* from marts.fct_device x join marts.dim_elder e on e.elder_code = x.elder_code"
        f" where x.elder_code = ? and {predicate}",
        (code, *params),
    )


def health_daily(viewer: Viewer, scope: Scope, code: str) -> pd.DataFrame:
    """Daily vital signs (SBP, DBP, HR, GLU) over the last 90 days of the elder's readings.

    Health data is shown only to roles with the ``health`` permission: anyone else is refused
    here, whatever the page does.
    """
    if not viewer.may("health"):
        raise PermissionError("health data needs the 'health' permission")
    predicate, params = scope.where("e.county_code", "e.town_code")
    items = list(HEALTH_ITEMS)
    marks = ", ".join("?" for _ in items)
    df = query(
        "select h.measure_date, h.item_code, h.unit, h.readings, h.min_value,"
        " cast(h.avg_value as double precision) as avg_value, h.max_value"
        " from marts.fct_health_daily h join marts.dim_elder e on e.elder_code = h.elder_code"
        f" where h.elder_code = ? and h.item_code in ({marks}) and {predicate}"
        " and h.measure_date > cast((select max(m.measure_date) from marts.fct_health_daily m"
        f" where m.elder_code = ? and m.item_code in ({marks})) - interval '90 days' as date)"
        " order by h.measure_date, h.item_code",
        (code, *items, *params, code, *items),
    )
    df["item"] = df["item_code"].map(HEALTH_ITEMS)
    return df
