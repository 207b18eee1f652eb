"""Widgets every page shares: the area selector kept in the URL, KPI cards with their 口径
popover, tables with an xlsx download, and the page header. Pages lay out; they call these and
the data functions, nothing else."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from cockpit import kpis, trail
from cockpit.data import overview
from cockpit.scope import Scope, Viewer, scope_for
from eldercare.accounts import county_names

CITY_NAME = "湛江市"
# not allowed in an Excel sheet name or a Windows file name (codes such as 长者码 may hold * or ~)
_UNSAFE = re.compile(r'[\[\]:*?/\\<>|"~]')


def viewer() -> Viewer:
    """The logged-in viewer (app.py stops before any page runs without one)."""
    return st.session_state["viewer"]


def area_name(scope: Scope) -> str:
    if scope.town_code:
        towns = overview.towns(scope.county_code)
        names = dict(zip(towns["town_code"], towns["town_name"], strict=True))
        return (
            f"{county_names()[scope.county_code]} · {names.get(scope.town_code, scope.town_code)}"
        )
    return county_names()[scope.county_code] if scope.county_code else CITY_NAME


def set_param(name: str, value: str | None) -> None:
    """Put ``value`` in the URL under ``name`` (or remove it), so the view can be shared."""
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def select_county(code: str | None) -> None:
    """Drill to a county (map clicks call this from the map's callback, before the selectors
    are drawn): the URL keeps the scope so it can be shared."""
    if viewer().county_code:
        return
    set_param("county", code)
    set_param("town", None)
    st.session_state["scope_county"] = code  # the selectors follow
    st.session_state.pop("scope_town", None)


def select_town(code: str) -> None:
    """Drill to a town of the current county (a town point clicked on a county's map)."""
    county = scope_for(viewer(), st.query_params.get("county"), code).county_code
    if not county or not code.startswith(county):
        return
    set_param("county", county)
    set_param("town", code)
    st.session_state["scope_town"] = code


def scope_bar(*, towns: bool = True) -> Scope:
    """County and town selectors, synchronised with ``?county=…&town=…`` in the URL.

    A county-bound viewer sees their county fixed; whatever the URL says, ``scope_for`` holds
    them to it.
    """
    v = viewer()
    scope = scope_for(v, st.query_params.get("county"), st.query_params.get("town"))
    counties = county_names()
    left, right, info = st.columns([1, 1, 2])
    options = [None, *counties] if not v.county_code else [v.county_code]
    county = left.selectbox(
        "县区",
        options,
        index=options.index(scope.county_code),
        format_func=lambda c: counties[c] if c else f"全市 ({CITY_NAME})",
        disabled=bool(v.county_code),
        key="scope_county",
    )
    town = None
    if towns and county:
        town_df = overview.towns(county)
        names = dict(zip(town_df["town_code"], town_df["town_name"], strict=True))
        town_options = [None, *names]
        current = scope.town_code if scope.town_code in names else None
        town = right.selectbox(
            "镇街",
            town_options,
            index=town_options.index(current),
            format_func=lambda t: names[t] if t else "全部镇街",
            key="scope_town",
        )
    new = scope_for(v, county, town)
    # the URL always says what is shown (a foreign county asked for is replaced by the own one)
    if (st.query_params.get("county"), st.query_params.get("town")) != (
        new.county_code,
        new.town_code,
    ):
        set_param("county", new.county_code)
        set_param("town", new.town_code)
    month = overview.reporting_month()
    info.caption(f"当前范围：**{area_name(new)}**　数据截至 {month:%Y年%m月}")
    return new


def kpi_card(key: str, value, scope: Scope, *, container=None, help_link: bool = True) -> None:
    """One KPI: the number, and a 口径 popover with definition, mart, columns and SQL."""
    kpi = kpis.get(key)
    box = (container or st).container(border=True)
    box.metric(kpi.label, kpi.format(value))
    with box.popover("口径", type="tertiary", icon=":material/info:"):
        sql, _ = kpi.render(scope, overview.reporting_month())
        # one element, not three: a page shows a dozen cards and each element costs CPU
        st.markdown(
            f"**{kpi.label}**：{kpi.definition}\n\n"
            f"数据表 `{kpi.mart}`，字段 {', '.join(f'`{c}`' for c in kpi.columns)}\n\n"
            f"```sql\n{sql}\n```"
        )
        if help_link and kpi.rows_sql and viewer().may("lineage"):
            params = {"kpi": key}
            if scope.county_code:
                params["county"] = scope.county_code
            if scope.town_code:
                params["town"] = scope.town_code
            st.page_link("app_pages/lineage.py", label="查看明细与来源", query_params=params)


def kpi_row(keys: Sequence[str], values: dict, scope: Scope, per_row: int = 5) -> None:
    for start in range(0, len(keys), per_row):
        cols = st.columns(per_row)
        for col, key in zip(cols, keys[start : start + per_row], strict=False):
            kpi_card(key, values[key], scope, container=col)


def to_xlsx(df: pd.DataFrame, sheet: str = "数据") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as writer:
        df.to_excel(writer, sheet_name=_UNSAFE.sub("_", sheet)[:31], index=False)
    return buf.getvalue()


def _download(df: pd.DataFrame, name: str, who: Viewer, page: str | None, client) -> bytes:
    data = to_xlsx(df, name)
    trail.download(who, page, f"{name}.xlsx", len(df), client)
    return data


def table(
    df: pd.DataFrame,
    name: str,
    *,
    labels: dict[str, str] | None = None,
    key: str | None = None,
    height: int | str = "auto",
) -> None:
    """A table with Chinese headers and a download of exactly these rows (scope and masking
    were applied by the data function that produced them)."""
    shown = df.rename(columns=labels or {})
    st.dataframe(shown, hide_index=True, height=height, placeholder="—")
    st.download_button(
        "下载 Excel",
        # built (and audited) when clicked, not on every rerun; no script context then, so
        # who and from where are taken now
        functools.partial(
            _download, shown, name, viewer(), trail.current_page(), trail.client_address()
        ),
        file_name=f"{_UNSAFE.sub('_', name)}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=key or f"dl_{name}",
        icon=":material/download:",
        type="tertiary",
        on_click="ignore",
    )


def header(title: str, caption: str | None = None) -> None:
    st.title(title)
    if caption:
        st.caption(caption)


def pager(total: int, page_size: int, key: str, signature: object) -> int:
    """Page number of a list paged in SQL; back to page 1 whenever ``signature`` (the filters
    and scope) changes. Shows the total."""
    pages = max(1, -(-total // page_size))
    if (
        st.session_state.get(f"{key}_signature") != signature
        or st.session_state.get(key, 1) > pages
    ):
        st.session_state[key] = 1
        st.session_state[f"{key}_signature"] = signature
    left, right = st.columns([1, 5], vertical_alignment="bottom")
    page = left.number_input("页码", min_value=1, max_value=pages, step=1, key=key)
    right.markdown(f"共 **{total:,}** 条，第 {page}/{pages} 页，每页 {page_size} 条")
    return int(page)


def url_scope() -> Scope:
    """The scope the URL asks for (held to the viewer's county), without selectors: for pages
    without a scope bar, such as the wall display."""
    return scope_for(viewer(), st.query_params.get("county"), st.query_params.get("town"))


def kpi_metric(key: str, value, *, container=None) -> None:
    """A KPI's label and formatted value alone (the wall display: no 口径 popover)."""
    kpi = kpis.get(key)
    (container or st).container(border=True).metric(kpi.label, kpi.format_short(value))
