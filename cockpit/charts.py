"""Charts (Altair): small functions that take a tidy DataFrame and Chinese axis titles.

Pages draw them with ``st.vega_lite_chart``: each function returns the chart's Vega-Lite spec,
built once per distinct input (``@spec``). Building and validating an Altair chart costs
20–40 ms of CPU, about half of a page's run, and every viewer of a scope asks for the same
chart. Maps live in ``cockpit/maps.py``. Vega renders in the browser from Streamlit's bundle,
so nothing is fetched from the internet.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import pickle
import threading
from collections import OrderedDict

import altair as alt
import pandas as pd

# Streamlit's own Altair → Vega-Lite conversion (theme, Arrow datasets), so a cached spec draws
# exactly as st.altair_chart would; private, hence streamlit is pinned in requirements.lock.
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

_SPECS: OrderedDict[str, dict] = OrderedDict()
_SPECS_LOCK = threading.Lock()
_SPECS_MAX = 512


def _fingerprint(value, h) -> None:
    if isinstance(value, pd.DataFrame):
        h.update(repr((list(value.columns), [str(t) for t in value.dtypes])).encode())
        try:
            h.update(pd.util.hash_pandas_object(value, index=False).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists)
            h.update(pickle.dumps(value))
    elif isinstance(value, dict):
        h.update(b"{")
        for k in sorted(value, key=str):
            _fingerprint(k, h)
            _fingerprint(value[k], h)
        h.update(b"}")
    elif isinstance(value, list | tuple):
        h.update(b"[")
        for v in value:
            _fingerprint(v, h)
        h.update(b"]")
    else:
        h.update(repr(value).encode() + b"|")


def spec(build):
    """Make an Altair chart function return its Vega-Lite spec, cached by its arguments'
    content (the data included: an entry is reached only by whoever already holds the data).
    The spec is shared: treat it as read-only (``on_dark`` copies)."""

    @functools.wraps(build)
    def cached(*args, **kwargs) -> dict:
        h = hashlib.blake2b(build.__qualname__.encode(), digest_size=16)
        _fingerprint(args, h)
        _fingerprint(kwargs, h)
        key = h.hexdigest()
        with _SPECS_LOCK:
            found = _SPECS.get(key)
            if found is not None:
                _SPECS.move_to_end(key)
                return found
        built = _convert_altair_to_vega_lite_spec(build(*args, **kwargs))
        with _SPECS_LOCK:
            _SPECS[key] = built
            while len(_SPECS) > _SPECS_MAX:
                _SPECS.popitem(last=False)
        return built

    return cached


FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#1f6fb2", "#e8772e", "#3a9e5f", "#c9403a", "#8d6bb8", "#8c6d31", "#d36fa8", "#7f7f7f"]


def _style(chart: alt.Chart, height: int) -> alt.Chart:
    return (
        chart.properties(height=height)
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12)
    )


@spec
def trend(
    df: pd.DataFrame, x: str, y: str | list[str], titles: dict[str, str], height: int = 260
) -> alt.Chart:
    """Monthly line(s). ``y`` one column or several (folded into a legend by their titles)."""
    ys = [y] if isinstance(y, str) else y
    data = (
        df[[x, *ys]].rename(columns=titles).melt(titles.get(x, x), var_name="指标", value_name="值")
    )
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{titles.get(x, x)}:T", title=None, axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("值:Q", title=titles.get(ys[0], ys[0]) if len(ys) == 1 else None),
            color=alt.Color(
                "指标:N", scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="top")
            ),
            tooltip=[titles.get(x, x), "指标", alt.Tooltip("值:Q", format=",.2f")],
        )
    )
    return _style(chart, height)


@spec
def bars(
    df: pd.DataFrame,
    category: str,
    value: str,
    titles: dict[str, str],
    *,
    horizontal: bool = True,
    color: str | None = None,
    height: int = 260,
) -> alt.Chart:
    """Bars sorted by value; ``color`` an optional second category (stacked)."""
    cat = alt.Y if horizontal else alt.X
    val = alt.X if horizontal else alt.Y
    enc = {
        ("y" if horizontal else "x"): cat(f"{category}:N", sort="-x" if horizontal else "-y",
                                          title=titles.get(category, category)),
        # counts get whole-number ticks (no "0.5 家")
        ("x" if horizontal else "y"): val(
            f"{value}:Q", title=titles.get(value, value),
            axis=alt.Axis(tickMinStep=1) if pd.api.types.is_integer_dtype(df[value]) else alt.Axis(),
        ),
        "tooltip": [alt.Tooltip(f"{category}:N", title=titles.get(category, category)),
                    alt.Tooltip(f"{value}:Q", title=titles.get(value, value), format=",")],
    }  # fmt: skip
    if color:
        enc["color"] = alt.Color(
            f"{color}:N", title=titles.get(color, color), scale=alt.Scale(range=PALETTE)
        )
        enc["tooltip"].append(alt.Tooltip(f"{color}:N", title=titles.get(color, color)))
    chart = alt.Chart(df).mark_bar(color=PALETTE[0]).encode(**enc)
    return _style(chart, height)


@spec
def grouped_bars(
    df: pd.DataFrame, category: str, values: list[str], titles: dict[str, str], height: int = 300
) -> alt.Chart:
    """Several measures side by side per category (e.g. approved, filed and actual beds)."""
    data = df[[category, *values]].rename(columns=titles)
    cat = titles.get(category, category)
    data = data.melt(cat, var_name="口径", value_name="值")
    order = [titles.get(v, v) for v in values]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(f"{cat}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=160)),
            xOffset=alt.XOffset("口径:N", sort=order),
            y=alt.Y("值:Q", title=None),
            color=alt.Color(
                "口径:N",
                sort=order,
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[cat, "口径", alt.Tooltip("值:Q", format=",")],
        )
    )
    return _style(chart, height)


@spec
def percent_trend(
    df: pd.DataFrame, x: str, y: str, titles: dict[str, str], height: int = 260
) -> alt.Chart:
    """One monthly rate (0–1) drawn as a percentage."""
    chart = (
        alt.Chart(df)
        .mark_line(point=True, color=PALETTE[0])
        .encode(
            x=alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%Y-%m")),
            y=alt.Y(f"{y}:Q", title=titles.get(y, y), axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip(f"{x}:T", title=titles.get(x, x), format="%Y-%m"),
                alt.Tooltip(f"{y}:Q", title=titles.get(y, y), format=".1%"),
            ],
        )
    )
    return _style(chart, height)


def daily_lines(
    df: pd.DataFrame, x: str, series: str, y: str, titles: dict[str, str], height: int = 220
) -> dict:
    """Daily values of one or more series in long form (e.g. a vital sign per day)."""
    chart = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=None, axis=alt.Axis(format="%m-%d")),
            y=alt.Y(f"{y}:Q", title=titles.get(y, y), scale=alt.Scale(zero=False)),
            color=alt.Color(
                f"{series}:N",
                title=titles.get(series, series),
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip(f"{x}:T", title=titles.get(x, x), format="%Y-%m-%d"),
                alt.Tooltip(f"{series}:N", title=titles.get(series, series)),
                alt.Tooltip(f"{y}:Q", title=titles.get(y, y), format=",.1f"),
            ],
        )
    )
    # one elder's readings: converted for every call, never kept in the shared cache
    return _convert_altair_to_vega_lite_spec(_style(chart, height))


@spec
def heatmap(
    df: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    titles: dict[str, str],
    *,
    fmt: str = ".1%",
    reverse: bool = False,
    domain: tuple[float, float] | None = None,
    height: int = 360,
) -> alt.Chart:
    """A category x category grid coloured by ``value`` (e.g. error rate per county and entity);
    ``reverse`` when a low value is the bad one (completeness); ``domain`` clamps the colours
    so that one extreme cell does not wash out the rest."""
    scale = alt.Scale(scheme="orangered", reverse=reverse, domain=domain or alt.Undefined,
                      clamp=domain is not None)  # fmt: skip
    base = alt.Chart(df).encode(
        x=alt.X(f"{x}:N", title=titles.get(x, x), axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:N", title=titles.get(y, y)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", title=titles.get(value, value), scale=scale,
                        legend=alt.Legend(format=fmt)),
        tooltip=[alt.Tooltip(f"{x}:N", title=titles.get(x, x)),
                 alt.Tooltip(f"{y}:N", title=titles.get(y, y)),
                 alt.Tooltip(f"{value}:Q", title=titles.get(value, value), format=fmt)],
    )  # fmt: skip
    low, high = domain or (float(df[value].min()), float(df[value].max()))
    mid = (low + high) / 2
    dark = f"datum['{value}'] {'<' if reverse else '>'} {mid}"  # white text on dark cells
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=fmt),
        color=alt.condition(dark, alt.value("white"), alt.value("black")),
    )
    return _style(alt.layer(cells, text), height)


@spec
def rate_lines(
    df: pd.DataFrame,
    x: str,
    ys: list[str],
    titles: dict[str, str],
    *,
    rules: dict[str, float] | None = None,
    zero: bool = True,
    height: int = 260,
) -> alt.Chart:
    """Monthly rates (0–1) as percentages, with dashed reference lines (``rules``: label ->
    value, e.g. the city's bar); ``zero=False`` zooms to the data (rates near 100 %)."""
    cols = [titles.get(c, c) for c in ys]
    data = (
        df[[x, *ys]].rename(columns=titles).melt(titles.get(x, x), var_name="指标", value_name="值")
    )
    color = alt.Color("指标:N", sort=cols, scale=alt.Scale(range=PALETTE),
                      legend=alt.Legend(orient="top"))  # fmt: skip
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{titles.get(x, x)}:T", title=None, axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("值:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(zero=zero)),
            color=color,
            tooltip=[alt.Tooltip(f"{titles.get(x, x)}:T", format="%Y-%m"), "指标",
                     alt.Tooltip("值:Q", format=".2%")],
        )
    )  # fmt: skip
    layers = [lines]
    if rules:
        ref = pd.DataFrame({"标准": list(rules), "值": list(rules.values())})
        layers.append(
            alt.Chart(ref)
            .mark_rule(strokeDash=[6, 4], color="#c9403a")
            .encode(y="值:Q", tooltip=["标准", alt.Tooltip("值:Q", format=".0%")])
        )
    return _style(alt.layer(*layers), height)


@spec
def daily_trend(
    df: pd.DataFrame, x: str, y: str | list[str], titles: dict[str, str], height: int = 240
) -> alt.Chart:
    """Daily line(s), like ``trend`` but with days on the axis (month-day)."""
    ys = [y] if isinstance(y, str) else y
    xt = titles.get(x, x)
    data = df[[x, *ys]].rename(columns=titles).melt(xt, var_name="指标", value_name="值")
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{xt}:T", title=None, axis=alt.Axis(format="%m-%d")),
            y=alt.Y("值:Q", title=titles.get(ys[0], ys[0]) if len(ys) == 1 else None),
            color=alt.Color(
                "指标:N", sort=[titles.get(c, c) for c in ys], scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[alt.Tooltip(f"{xt}:T", format="%Y-%m-%d"), "指标", alt.Tooltip("值:Q", format=",")],
        )
    )  # fmt: skip
    return _style(chart, height)


@spec
def donut(
    df: pd.DataFrame,
    category: str,
    value: str,
    titles: dict[str, str],
    *,
    colors: list[str] | None = None,
    height: int = 260,
) -> alt.Chart:
    """Shares of a whole (e.g. return-visit results), in the order of the rows; ``colors`` one
    per row when the categories have a meaning (good, bad)."""
    cat, val = titles.get(category, category), titles.get(value, value)
    data = df[[category, value]].rename(columns=titles)
    chart = (
        alt.Chart(data)
        .mark_arc(innerRadius=60)
        .encode(
            theta=alt.Theta(f"{val}:Q", stack=True),
            color=alt.Color(f"{cat}:N", sort=list(data[cat]),
                            scale=alt.Scale(domain=list(data[cat]), range=colors or PALETTE),
                            legend=alt.Legend(orient="right")),
            order=alt.Order("__order:Q"),
            tooltip=[cat, alt.Tooltip(f"{val}:Q", format=",")],
        )
        .transform_window(__order="row_number()")
    )  # fmt: skip
    return _style(chart, height)


def on_dark(chart: dict, font_size: int = 18) -> dict:
    """The wall display's look (transparent background, light text, large labels) on a spec."""
    light, grid = "#dbe7f5", "#2a3b55"
    dark = copy.copy(chart)
    config = dict(dark.get("config", {}))
    config.update(font=FONT, background="transparent", view={"stroke": None})
    config["axis"] = {
        **config.get("axis", {}),
        "labelFontSize": font_size,
        "titleFontSize": font_size,
        "labelColor": light,
        "titleColor": light,
        "gridColor": grid,
        "domainColor": grid,
        "tickColor": grid,
        "labelLimit": 260,
    }
    config["legend"] = {
        **config.get("legend", {}),
        "labelFontSize": font_size,
        "titleFontSize": font_size,
        "labelColor": light,
        "titleColor": light,
    }
    dark["config"] = config
    return dark


@spec
def forecast_band(history: pd.DataFrame, forecast: pd.DataFrame, height: int = 280) -> alt.Chart:
    """Monthly actuals (``month``, ``orders``) and the forecast with its 80 % interval
    (``month``, ``orders``, ``lower``, ``upper``) on one time axis (服务需求预测)."""
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%Y-%m"))
    hist = history.assign(kind="实际工单", month=pd.to_datetime(history["month"]))
    fc = forecast.assign(kind="预测 (80%区间)", month=pd.to_datetime(forecast["month"]))
    line = (
        alt.Chart(pd.concat([hist, fc[["month", "orders", "kind"]]], ignore_index=True))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("orders:Q", title="工单数"),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="top"),
            ),  # fmt: skip
            tooltip=[
                alt.Tooltip("month:T", format="%Y-%m", title="月份"),
                alt.Tooltip("orders:Q", format=",.1f", title="工单数"),
            ],  # fmt: skip
        )
    )
    band = (
        alt.Chart(fc)
        .mark_area(opacity=0.25, color=PALETTE[1])
        .encode(x=x, y="lower:Q", y2="upper:Q")
    )
    return _style(band + line, height)
