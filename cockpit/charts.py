"""Charts (Altair): small functions that take a tidy DataFrame and Chinese axis titles.

Pages call these; maps live in ``cockpit/maps.py``. Altair renders in the browser from the
bundled Vega, so nothing is fetched from the internet.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#1f6fb2", "#e8772e", "#3a9e5f", "#c9403a", "#8d6bb8", "#8c6d31", "#d36fa8", "#7f7f7f"]


def _style(chart: alt.Chart, height: int) -> alt.Chart:
    return (
        chart.properties(height=height)
        .configure(font=FONT)
        .configure_axis(labelFontSize=12, titleFontSize=12)
    )


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
) -> alt.Chart:
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
    return _style(chart, height)


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


def on_dark(chart: alt.Chart, font_size: int = 18) -> alt.Chart:
    """The wall display's look: transparent background, light text, large labels."""
    light, grid = "#dbe7f5", "#2a3b55"
    return (
        chart.configure(font=FONT, background="transparent")
        .configure_axis(
            labelFontSize=font_size, titleFontSize=font_size, labelColor=light,
            titleColor=light, gridColor=grid, domainColor=grid, tickColor=grid, labelLimit=260,
        )
        .configure_legend(labelFontSize=font_size, titleFontSize=font_size, labelColor=light,
                          titleColor=light)
        .configure_view(stroke=None)
    )  # fmt: skip
