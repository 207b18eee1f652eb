"""设施分布与服务圈 (004 §2.1, §2.3): facilities by type, the elders as hexagons (counts only),
the 15-minute service circle per county and town, and the gap map with ranked candidate sites."""

import streamlit as st

from cockpit import charts, maps, ui
from cockpit.data import geo

ui.header(
    "设施分布与服务圈",
    "养老设施分布、长者分布热力 (六边形，仅显示人数)、15分钟养老服务圈覆盖率与缺口候选点位；"
    "点击地图上的县区可下钻，本页所有图表随之联动。",
)
scope = ui.scope_bar()
if not geo.available():
    st.info("服务圈模型尚未计算：完整运行一次 `eldercare build` 后显示。")
    st.stop()

ui.kpi_row(geo.HEADLINE, geo.headline(scope), scope)
circle = geo.circle_settings()
st.caption(
    f"服务半径 {circle['reach_m']:,.0f} 米 (老年人步行约15分钟)：步行距离按直线距离 × 绕行系数"
    f" {circle['detour_factor']:.1f} 估算；设施类型：{'、'.join(geo.FACILITY_TYPES)}。"
    f"模型计算于 {circle['computed_at']:%Y年%m月%d日 %H:%M}。"
)

facilities = geo.facilities(scope)
hexes = geo.elder_hexes(scope)
tab_fac, tab_heat, tab_circle, tab_gap = st.tabs(
    ["设施分布", "长者分布热力", "15分钟服务圈", "缺口与候选点位"]
)

with tab_fac:
    counts = geo.facility_counts(scope)
    left, right = st.columns([3, 2])
    with left:
        st.pydeck_chart(maps.facility_deck(facilities, scope), height=520, key="map_facilities")
        st.markdown(
            maps.legend(
                maps.FACILITY_COLOURS, counts.set_index("org_type")["facilities"].to_dict()
            ),
            unsafe_allow_html=True,
        )
    right.vega_lite_chart(
        charts.bars(
            counts, "org_type", "facilities", {"org_type": "设施类型", "facilities": "数量(家)"}
        )
    )
    ui.table(
        facilities,
        "设施分布",
        labels={"org_code": "机构码", "org_name": "机构名称", "org_type": "设施类型",
                "county_code": "县区代码", "lng": "经度(WGS-84)",
                "lat": "纬度(WGS-84)", "approved_beds": "核定床位", "star_level": "星级"},
        height=300,
    )  # fmt: skip

with tab_heat:
    st.pydeck_chart(maps.hex_deck(hexes, scope), height=620, key="map_heat")
    st.markdown(maps.scale_legend(maps.BLUES, "长者稀疏", "长者密集"), unsafe_allow_html=True)
    st.caption(
        "按住址坐标汇总到 H3 六边形 (分辨率8约0.7平方公里)，只显示人数，不显示任何个人位置；"
        "人数不足5人的六边形并入上一级更大的六边形 (分辨率7约5平方公里、分辨率6约36平方公里)，"
        "仍不足5人的不显示 (计入县区合计)。颜色按每平方公里长者人数的排位由浅到深。"
    )

with tab_circle:
    areas = geo.reach_areas(scope)
    if scope.county_code:
        st.pydeck_chart(maps.hex_deck(hexes, scope, by_share=True), height=520, key="map_reach")
        st.markdown(maps.scale_legend(maps.GREENS, "覆盖率 0 %", "最高"), unsafe_allow_html=True)
    else:
        maps.county_map(
            geo.reach_counties(scope), "reach_share", "服务圈覆盖率", "map_reach_counties",
            scope=scope, percent=True, palette=maps.GREENS, height=520,
        )  # fmt: skip
        st.caption("点击县区查看该县区各镇街的服务圈覆盖。")
    level = "镇街" if scope.county_code else "县区"
    st.vega_lite_chart(
        charts.bars(
            areas, "area_name", "reach_pct", {"area_name": level, "reach_pct": "服务圈覆盖率(%)"},
            height=max(220, 34 * len(areas)),
        )
    )  # fmt: skip
    ui.table(
        areas,
        "服务圈覆盖",
        labels={"area_code": "区划代码", "area_name": level, "elders_located": "有坐标长者(人)",
                "elders_reached": "服务圈内长者(人)", "reach_pct": "覆盖率(%)",
                "facilities": "社区养老设施(家)"},
    )  # fmt: skip

with tab_gap:
    gaps = geo.gap_candidates(scope)
    circle_facilities = facilities[facilities["org_type"].isin(geo.FACILITY_TYPES)]
    st.pydeck_chart(
        maps.gap_deck(hexes, gaps, circle_facilities, scope), height=560, key="map_gaps"
    )
    st.markdown(
        maps.scale_legend(maps.GREYS[:4], "长者稀疏", "长者密集")
        + "　<span style='color:#b41414'>◯</span> 候选点位 (圈为服务半径，数字为县区内排名)",
        unsafe_allow_html=True,
    )
    ui.table(
        gaps.drop(columns=["county_code", "town_code", "reach_m"]),
        "缺口候选点位",
        labels={"county_name": "县区", "county_rank": "县区内排名", "h3_cell": "六边形编号",
                "town_name": "镇街", "center_lng": "中心经度", "center_lat": "中心纬度",
                "elders_not_reached": "新增可覆盖长者(人)", "nearest_facility_m": "距最近设施(米)",
                "nearest_org_name": "最近设施"},
    )  # fmt: skip
    st.caption(
        "候选点位：中心点步行范围内没有社区养老设施的六边形，按“本格及相邻一圈六边形内未覆盖长者”"
        "从多到少逐个选出，已计入前一候选点位的长者不再重复计算；每县区至多10个，至少10人。"
    )
