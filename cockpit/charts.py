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
        ("x" if horizontal else "y"): val(f"{value}:Q", title=titles.get(value, value)),
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
